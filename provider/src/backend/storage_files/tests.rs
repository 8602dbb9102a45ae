//! Tests of storage directories: creation, usage, quota and archive-then-remove.

use super::*;
use crate::backend::archive;

#[test]
fn directories_are_named_after_the_slug_with_a_suffix_when_taken() {
    let root = tempfile::tempdir().unwrap();
    let first = create_dir(root.path(), "acme").unwrap();
    let second = create_dir(root.path(), "acme").unwrap();
    assert_eq!(first.file_name().unwrap(), "acme");
    assert_eq!(second.file_name().unwrap(), "acme-2");
    assert!(first.is_absolute() && first.is_dir() && second.is_dir());
    assert!(create_dir(root.path(), "../acme").is_err());
}

#[test]
fn usage_counts_every_file_recursively() {
    let root = tempfile::tempdir().unwrap();
    let dir = create_dir(root.path(), "acme").unwrap();
    assert_eq!(used_bytes(&dir).unwrap(), 0);
    fs::write(dir.join("a"), vec![0u8; 1000]).unwrap();
    fs::create_dir_all(dir.join("x/y")).unwrap();
    fs::write(dir.join("x/y/b"), vec![0u8; 24]).unwrap();
    assert_eq!(used_bytes(&dir).unwrap(), 1024);
    assert_eq!(used_bytes(&root.path().join("missing")).unwrap(), 0);
}

#[test]
fn quota_is_in_gibibytes() {
    assert!(!over_quota(0, 1));
    assert!(!over_quota(1024 * 1024 * 1024, 1));
    assert!(over_quota(1024 * 1024 * 1024 + 1, 1));
    assert!(!over_quota(5 * 1024 * 1024 * 1024, 5));
}

#[test]
fn removal_archives_and_verifies_first() {
    let root = tempfile::tempdir().unwrap();
    let storage_root = root.path().join("storage");
    let archive_dir = root.path().join("archive");
    let dir = create_dir(&storage_root, "acme").unwrap();
    fs::create_dir_all(dir.join("docs")).unwrap();
    fs::write(dir.join("docs/report.txt"), b"quarterly").unwrap();

    let receipt = archive_and_remove(&storage_root, &dir, &archive_dir, "acme")
        .unwrap()
        .expect("an archive");
    assert!(!dir.exists());
    assert!(receipt.dir.starts_with(archive_dir.join("acme")));
    let name = receipt.dir.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("storage-acme-"), "{name}");
    assert_eq!(
        fs::read(receipt.dir.join("files/docs/report.txt")).unwrap(),
        b"quarterly"
    );
    assert!(receipt.dir.join(ARCHIVE_METADATA_FILE).is_file());
    archive::verify(&receipt.dir).unwrap();
    assert_eq!(
        archive_and_remove(&storage_root, &dir, &archive_dir, "acme").unwrap(),
        None
    );
}

#[test]
fn directories_outside_the_storage_root_are_not_removed() {
    let root = tempfile::tempdir().unwrap();
    let storage_root = root.path().join("storage");
    fs::create_dir_all(&storage_root).unwrap();
    let outside = root.path().join("elsewhere");
    fs::create_dir_all(&outside).unwrap();
    let result = archive_and_remove(&storage_root, &outside, &root.path().join("a"), "acme");
    assert!(matches!(result, Err(BackendError::InvalidReference(_))));
    assert!(outside.is_dir());
}
