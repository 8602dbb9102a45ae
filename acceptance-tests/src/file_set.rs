//! Fixture file sets: a directory whose files are copied over a working directory before the
//! tools run. Two optional manifests in the set shape the copy:
//! - `DELETE` lists paths (relative to the working directory) to remove first;
//! - `SHARED` lists fixture paths to copy in before the set's own files, one `NAME [DEST]` per
//!   line (`#` starts a comment line), `NAME` relative to `fixtures/`: a directory's files go
//!   into the directory `DEST` (the working directory itself when omitted), a file becomes the
//!   file `DEST` (its own name when omitted). The library `fixtures/shared/` holds what many
//!   fixtures repeat (provider blocks, modules).
//!
//! A file `NAME.diff` in a set (a unified diff, `diff -u` output) is not copied: it is applied
//! to `NAME` in the working directory, so a step that changes a few lines stores only them.
//!
//! Fixtures that repeat a provider block or a module keep one copy of it; what the tools see in
//! the working directory is still a complete, ordinary configuration.

use std::path::Path;

use crate::fixtures::fixtures_root;
use crate::project::copy_tree;
use crate::script_lines::script_lines;
use crate::text_patch;

/// In a file set, the list of paths to remove before copying.
pub const DELETE_FILE: &str = "DELETE";
/// In a file set, the list of fixture paths to copy in.
pub const SHARED_FILE: &str = "SHARED";
/// The ending of a file set's unified diffs.
pub const DIFF_SUFFIX: &str = ".diff";

/// One line of a `SHARED` manifest: a fixture path and where it goes, if not by its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedEntry {
    pub name: String,
    pub destination: Option<String>,
}

/// Parses a `SHARED` manifest; the error names the line.
pub fn parse_shared(text: &str) -> Result<Vec<SharedEntry>, String> {
    let mut entries = Vec::new();
    for (number, line) in script_lines(text) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (name, destination) = match words.as_slice() {
            [name] => (*name, None),
            [name, destination] => (*name, Some(destination.to_string())),
            _ => return Err(format!("line {number}: expected NAME [DEST]")),
        };
        entries.push(SharedEntry {
            name: name.to_string(),
            destination,
        });
    }
    Ok(entries)
}

/// Copies the file set `files` over `work_dir`: removes what `DELETE` lists, copies the
/// shared entries `SHARED` names, then the set's own files except the manifests and `skip`.
pub fn overlay(files: &Path, work_dir: &Path, skip: &[&str]) {
    assert!(
        files.is_dir(),
        "file set {} does not exist",
        files.display()
    );
    remove_listed(files, work_dir);
    for entry in shared_entries(files) {
        copy_shared(&entry, &files.join(SHARED_FILE), work_dir);
    }
    let mut skipped = vec![DELETE_FILE, SHARED_FILE];
    skipped.extend_from_slice(skip);
    copy_set_tree(files, work_dir, &skipped);
}

/// Copies `source` into `target` like [`copy_tree`], but applies `*.diff` files instead.
fn copy_set_tree(source: &Path, target: &Path, skip: &[&str]) {
    std::fs::create_dir_all(target).expect("create a directory");
    for entry in std::fs::read_dir(source).expect("read a file set directory") {
        let path = entry.expect("read a file set entry").path();
        let name = path
            .file_name()
            .expect("an entry has a name")
            .to_string_lossy();
        if skip.iter().any(|skipped| name == *skipped) {
            continue;
        }
        if path.is_dir() {
            copy_set_tree(&path, &target.join(&*name), &[]);
        } else if let Some(patched) = name.strip_suffix(DIFF_SUFFIX) {
            apply_diff(&path, &target.join(patched));
        } else {
            std::fs::copy(&path, target.join(&*name))
                .unwrap_or_else(|error| panic!("cannot copy {}: {error}", path.display()));
        }
    }
}

fn apply_diff(diff_file: &Path, target: &Path) {
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
    };
    let patched = text_patch::apply(&read(target), &read(diff_file))
        .unwrap_or_else(|error| panic!("{} does not apply: {error}", diff_file.display()));
    std::fs::write(target, patched).expect("write a patched file");
}

fn copy_shared(entry: &SharedEntry, manifest: &Path, work_dir: &Path) {
    let source = fixtures_root().join(&entry.name);
    let destination = entry.destination.as_deref();
    if source.is_dir() {
        copy_tree(&source, &work_dir.join(destination.unwrap_or(".")), &[]);
    } else if source.is_file() {
        let file_name = source.file_name().expect("a file has a name");
        let target = destination.map_or_else(|| work_dir.join(file_name), |d| work_dir.join(d));
        std::fs::create_dir_all(target.parent().expect("a file has a directory"))
            .expect("create a directory");
        std::fs::copy(&source, &target)
            .unwrap_or_else(|error| panic!("cannot copy {}: {error}", source.display()));
    } else {
        panic!(
            "{} names {}, which does not exist",
            manifest.display(),
            entry.name
        );
    }
}

fn remove_listed(files: &Path, work_dir: &Path) {
    let Ok(list) = std::fs::read_to_string(files.join(DELETE_FILE)) else {
        return;
    };
    for relative in list.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let path = work_dir.join(relative);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove a directory");
        } else if path.exists() {
            std::fs::remove_file(&path).expect("remove a file");
        }
    }
}

fn shared_entries(files: &Path) -> Vec<SharedEntry> {
    let manifest = files.join(SHARED_FILE);
    match std::fs::read_to_string(&manifest) {
        Ok(text) => {
            parse_shared(&text).unwrap_or_else(|error| panic!("{}: {error}", manifest.display()))
        }
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_entries_and_optional_destinations() {
        assert_eq!(
            parse_shared("# providers\nshared/tenant-provider\n\nshared/m modules/tenant\n")
                .unwrap(),
            vec![
                SharedEntry {
                    name: "shared/tenant-provider".into(),
                    destination: None,
                },
                SharedEntry {
                    name: "shared/m".into(),
                    destination: Some("modules/tenant".into()),
                },
            ]
        );
        assert_eq!(
            parse_shared("a b c").unwrap_err(),
            "line 1: expected NAME [DEST]"
        );
    }

    /// Overlays a file set of `set_files` on a working directory holding `work_files`; the
    /// working directory afterwards.
    fn overlaid(work_files: &[(&str, &str)], set_files: &[(&str, &str)]) -> tempfile::TempDir {
        let write_all = |dir: &Path, files: &[(&str, &str)]| {
            for (name, text) in files {
                std::fs::write(dir.join(name), text).unwrap();
            }
        };
        let work = tempfile::tempdir().unwrap();
        write_all(work.path(), work_files);
        let set = tempfile::tempdir().unwrap();
        write_all(set.path(), set_files);
        overlay(set.path(), work.path(), &[]);
        work
    }

    fn read(dir: &tempfile::TempDir, name: &str) -> String {
        std::fs::read_to_string(dir.path().join(name)).unwrap()
    }

    #[test]
    fn overlay_copies_shared_entries_before_the_set_and_removes_listed_paths() {
        let shared = "shared/tenant-provider\nfmt/01_attribute_alignment.tf modules/m/main.tf\n";
        let work = overlaid(
            &[("old.tf", "old")],
            &[
                (DELETE_FILE, "old.tf\n"),
                (SHARED_FILE, shared),
                ("main.tf", "# main"),
            ],
        );
        for absent in ["old.tf", SHARED_FILE, DELETE_FILE] {
            assert!(!work.path().join(absent).exists(), "{absent}");
        }
        assert!(work.path().join("providers.tf").exists());
        assert!(work.path().join("modules/m/main.tf").exists());
        assert_eq!(read(&work, "main.tf"), "# main");
    }

    #[test]
    fn diffs_apply_to_the_files_they_name() {
        let diff = "--- main.tf\n+++ main.tf\n@@ -2 +2 @@\n-b = 2\n+b = 3\n";
        let work = overlaid(&[("main.tf", "a = 1\nb = 2\n")], &[("main.tf.diff", diff)]);
        assert!(!work.path().join("main.tf.diff").exists());
        assert_eq!(read(&work, "main.tf"), "a = 1\nb = 3\n");
    }
}
