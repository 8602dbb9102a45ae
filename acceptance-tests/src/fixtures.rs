//! Where the acceptance fixtures live (`acceptance-tests/fixtures/KIND/`) and the sorted lists
//! of their entries the oracles iterate over.

use std::path::{Path, PathBuf};

use crate::binaries::workspace_root;

/// `acceptance-tests/fixtures/`.
pub fn fixtures_root() -> PathBuf {
    workspace_root().join("acceptance-tests/fixtures")
}

/// `acceptance-tests/fixtures/KIND/`.
pub fn fixture_dir(kind: &str) -> PathBuf {
    fixtures_root().join(kind)
}

/// The directories directly under `fixtures/KIND/`, sorted by name.
pub fn fixture_dirs(kind: &str) -> Vec<PathBuf> {
    entries(kind, Path::is_dir)
}

/// The files directly under `fixtures/KIND/`, sorted by name.
pub fn fixture_files(kind: &str) -> Vec<PathBuf> {
    entries(kind, Path::is_file)
}

fn entries(kind: &str, keep: fn(&Path) -> bool) -> Vec<PathBuf> {
    let dir = fixture_dir(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.expect("a fixture entry").path())
        .filter(|path| keep(path))
        .collect();
    paths.sort();
    paths
}

/// The last component of a fixture path, as its name.
pub fn fixture_name(path: &Path) -> String {
    path.file_name()
        .expect("a fixture has a name")
        .to_string_lossy()
        .into_owned()
}

/// `paths`, after checking that there are at least `minimum` of them.
pub fn at_least(paths: Vec<PathBuf>, minimum: usize) -> Vec<PathBuf> {
    assert!(
        paths.len() >= minimum,
        "expected at least {minimum} fixtures, found {}",
        paths.len()
    );
    paths
}
