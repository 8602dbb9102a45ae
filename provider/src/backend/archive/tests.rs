//! Tests of the archive writer and verifier on temporary directories.

use super::*;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_archive_has_the_documented_layout_and_verifies() {
    let root = tempfile::tempdir().unwrap();
    let source = root.path().join("source.db");
    fs::write(&source, b"sqlite bytes").unwrap();
    let tree = root.path().join("tree");
    fs::create_dir_all(tree.join("nested")).unwrap();
    fs::write(tree.join("a.txt"), b"alpha").unwrap();
    fs::write(tree.join("nested/b.txt"), b"beta").unwrap();

    let archive_dir = root.path().join("archive");
    let mut writer = ArchiveWriter::begin(&archive_dir, "acme", "database", "main").unwrap();
    writer.add_file("info.json", b"{}").unwrap();
    writer.copy_file("main.db", &source).unwrap();
    writer.copy_tree("files", &tree).unwrap();
    let receipt = writer.finish().unwrap();

    assert_eq!(receipt.files, 4);
    assert_eq!(receipt.bytes, 2 + 12 + 5 + 4);
    assert_eq!(receipt.dir.parent().unwrap(), archive_dir.join("acme"));
    let name = receipt.dir.file_name().unwrap().to_str().unwrap();
    let stamp = name.strip_prefix("database-main-").expect(name);
    assert_eq!(stamp.len(), "YYYYMMDDTHHMMSSZ".len(), "{stamp}");
    assert!(
        stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
        "{stamp}"
    );
    assert_eq!(
        entries(&receipt.dir),
        vec!["SHA256SUMS", "files", "info.json", "main.db"]
    );
    let manifest = fs::read_to_string(receipt.dir.join(CHECKSUM_FILE)).unwrap();
    let paths: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        paths,
        vec!["files/a.txt", "files/nested/b.txt", "info.json", "main.db"]
    );
    assert!(manifest.lines().all(|l| l.as_bytes()[64..66] == *b"  "));
    assert!(manifest.contains(&format!(
        "{}  main.db\n",
        hex::encode(Sha256::digest(b"sqlite bytes"))
    )));
    verify(&receipt.dir).unwrap();
}

#[test]
fn verify_fails_after_a_byte_is_flipped() {
    let root = tempfile::tempdir().unwrap();
    let mut writer = ArchiveWriter::begin(root.path(), "acme", "storage", "acme").unwrap();
    writer.add_file("data/blob.bin", &[1, 2, 3, 4]).unwrap();
    let receipt = writer.finish().unwrap();
    verify(&receipt.dir).unwrap();

    let blob = receipt.dir.join("data/blob.bin");
    let mut bytes = fs::read(&blob).unwrap();
    bytes[2] ^= 0x01;
    fs::write(&blob, bytes).unwrap();
    let error = verify(&receipt.dir).unwrap_err();
    assert!(
        matches!(&error, BackendError::Archive(m) if m.contains("data/blob.bin")),
        "{error}"
    );

    fs::remove_file(&blob).unwrap();
    assert!(matches!(
        verify(&receipt.dir),
        Err(BackendError::Archive(_))
    ));
}

#[test]
fn archives_made_in_the_same_second_get_distinct_directories() {
    let root = tempfile::tempdir().unwrap();
    let first = ArchiveWriter::begin(root.path(), "acme", "database", "main").unwrap();
    let second = ArchiveWriter::begin(root.path(), "acme", "database", "main").unwrap();
    assert_ne!(first.dir(), second.dir());
    assert_eq!(entries(&root.path().join("acme")).len(), 2);
}

#[test]
fn paths_leaving_the_archive_are_refused() {
    let root = tempfile::tempdir().unwrap();
    assert!(ArchiveWriter::begin(root.path(), "../x", "database", "main").is_err());
    assert!(ArchiveWriter::begin(root.path(), "acme", "database", "").is_err());
    let mut writer = ArchiveWriter::begin(root.path(), "acme", "database", "main").unwrap();
    for bad in ["../escape", "/etc/passwd", "", "SHA256SUMS"] {
        assert!(writer.add_file(bad, b"x").is_err(), "{bad:?}");
    }
    writer.add_file("ok", b"x").unwrap();
    assert!(writer.add_file("ok", b"y").is_err(), "no duplicate entries");
}

#[test]
fn escaped_names_round_trip_through_the_manifest() {
    let line = manifest_line(&"ab".repeat(32), "odd\\name\nx");
    assert!(line.starts_with('\\'));
    assert_eq!(
        parse_manifest_line(line.trim_end_matches('\n')),
        Some(("ab".repeat(32), "odd\\name\nx".to_string()))
    );
    assert_eq!(parse_manifest_line("not a checksum line"), None);
}

#[test]
fn sha256sum_accepts_the_manifest_when_available() {
    let root = tempfile::tempdir().unwrap();
    let mut writer = ArchiveWriter::begin(root.path(), "acme", "database", "main").unwrap();
    writer.add_file("main.db", b"contents").unwrap();
    writer.add_file("nested/more.txt", b"more").unwrap();
    let receipt = writer.finish().unwrap();
    let Ok(output) = std::process::Command::new("sha256sum")
        .args(["-c", CHECKSUM_FILE])
        .current_dir(&receipt.dir)
        .output()
    else {
        // Without coreutils the format is still checked by the layout test above.
        assert!(receipt.dir.join(CHECKSUM_FILE).is_file());
        return;
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
