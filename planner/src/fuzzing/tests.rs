//! Regression tests of the fuzzing entry points: every input a fuzz target once crashed on
//! (`fuzz/regressions/TARGET/`) and every input of the committed corpora
//! (`fuzz/corpus/TARGET/`) runs through the same function as the target, without a panic
//! and with the target's properties holding.

use std::path::{Path, PathBuf};

use super::{config_eval, fmt, plan_file, state_v4, values};

/// The files of `fuzz/KIND/TARGET/`, in name order. A target without regressions has no
/// `regressions/TARGET/` directory; every target has a corpus.
fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join(target);
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
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Runs `entry` on every corpus and regression input of `target`.
fn replay(target: &str, entry: impl Fn(&[u8]) -> Result<(), String>) {
    let corpus = inputs("corpus", target);
    assert!(!corpus.is_empty(), "the {target} corpus is empty");
    let regressions = inputs("regressions", target);
    for (path, bytes) in corpus.iter().chain(&regressions) {
        if let Err(problem) = entry(bytes) {
            panic!("{}: {problem}", path.display());
        }
    }
}

#[test]
fn config_eval_inputs_do_not_panic() {
    replay("config_eval", |bytes| {
        config_eval(bytes);
        Ok(())
    });
}

#[test]
fn fmt_inputs_format_idempotently_and_keep_their_tokens() {
    replay("fmt", fmt);
}

#[test]
fn state_v4_inputs_read_and_survive_a_round_trip() {
    replay("state_v4", state_v4);
}

#[test]
fn plan_file_inputs_read_and_survive_a_round_trip() {
    replay("plan_file", plan_file);
}

#[test]
fn value_inputs_decode_and_survive_a_round_trip() {
    replay("values", values);
}
