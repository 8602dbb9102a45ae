//! Checks the archives the provider writes when it offboards a tenant:
//! `<archive_dir>/<tenant slug>/<kind>-<name>-<stamp>/`, each folder with a `SHA256SUMS` file
//! in `sha256sum` format that `sha256sum -c` verifies inside the folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The file listing the checksums of an archive's files.
pub const CHECKSUMS_FILE: &str = "SHA256SUMS";

/// The archive folders of one tenant, sorted by name; empty when there are none.
pub fn tenant_archives(archive_dir: &Path, slug: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(archive_dir.join(slug)) else {
        return Vec::new();
    };
    let mut folders: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    folders
}

/// Runs `sha256sum -c SHA256SUMS` inside `folder`; the error holds its output.
pub fn verify_archive(folder: &Path) -> Result<(), String> {
    let checksums = folder.join(CHECKSUMS_FILE);
    let listed = std::fs::read_to_string(&checksums)
        .map_err(|error| format!("cannot read {}: {error}", checksums.display()))?;
    if listed.trim().is_empty() {
        return Err(format!("{} lists no file", checksums.display()));
    }
    let output = Command::new("sha256sum")
        .args(["-c", "--strict", CHECKSUMS_FILE])
        .current_dir(folder)
        .output()
        .map_err(|error| format!("cannot run sha256sum: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "sha256sum -c failed in {}:\n{}{}",
            folder.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Asserts that every tenant of `slugs` has at least one archive folder whose name starts
/// with each of `kinds` (e.g. `database-`), and that every archive folder verifies.
pub fn assert_tenants_archived(archive_dir: &Path, slugs: &[String], kinds: &[&str]) {
    let mut problems = Vec::new();
    for slug in slugs {
        let folders = tenant_archives(archive_dir, slug);
        let names: Vec<String> = folders
            .iter()
            .filter_map(|folder| folder.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        for kind in kinds {
            if !names.iter().any(|name| name.starts_with(kind)) {
                problems.push(format!("{slug}: no {kind}* archive among {names:?}"));
            }
        }
        for folder in &folders {
            if let Err(problem) = verify_archive(folder) {
                problems.push(problem);
            }
        }
    }
    assert!(
        problems.is_empty(),
        "archives under {} do not verify:\n{}",
        archive_dir.display(),
        problems.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_archive_fails_verification() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir
            .path()
            .join("acme")
            .join("database-main-20260101T000000Z");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("data.sql"), "CREATE TABLE t ();\n").unwrap();
        let listed = Command::new("sha256sum")
            .arg("data.sql")
            .current_dir(&folder)
            .output()
            .unwrap();
        std::fs::write(folder.join(CHECKSUMS_FILE), &listed.stdout).unwrap();
        assert_eq!(verify_archive(&folder), Ok(()));
        assert_tenants_archived(dir.path(), &["acme".to_string()], &["database-"]);

        std::fs::write(folder.join("data.sql"), "DROP TABLE t;\n").unwrap();
        let error = verify_archive(&folder).unwrap_err();
        assert!(error.contains("data.sql"), "{error}");
        assert!(tenant_archives(dir.path(), "globex").is_empty());
    }
}
