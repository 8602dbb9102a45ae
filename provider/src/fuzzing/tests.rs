//! Regression tests of the `provider_request` entry point: every input the fuzz target once
//! crashed on (`fuzz/regressions/provider_request/`) and every input of its committed
//! corpus (`fuzz/corpus/provider_request/`) is served without a panic.

use std::path::{Path, PathBuf};

use super::provider_request;

fn files(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join("provider_request");
    if kind == "regressions" && !dir.exists() {
        return Vec::new();
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
}

#[test]
fn provider_request_inputs_do_not_panic() {
    let corpus = files("corpus");
    assert!(!corpus.is_empty(), "the provider_request corpus is empty");
    for path in corpus.iter().chain(&files("regressions")) {
        let bytes = std::fs::read(path).unwrap();
        provider_request(&bytes);
    }
}
