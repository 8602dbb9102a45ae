//! Loading policy directories: nested files, JSON data at their directory's path, hidden
//! directories, single files, and paths without policies.

use std::path::Path;

use crate::policy::opa_test::{Outcome, run_tests};
use crate::policy::{Policies, PolicyError};

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn outcomes(policies: &mut Policies) -> Vec<(String, Outcome)> {
    run_tests(policies)
        .into_iter()
        .map(|r| (r.name, r.outcome))
        .collect()
}

#[test]
fn nested_policies_and_data_load_and_hidden_directories_do_not() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    write(
        root,
        "main.rego",
        "package main\nimport rego.v1\ntest_data if data.limits.max == 3\n",
    );
    write(
        root,
        "lib/names_test.rego",
        "package lib\nimport rego.v1\ntest_nested if data.lib.gold\n",
    );
    write(root, "limits/data.json", r#"{"max": 3}"#);
    write(root, "lib/tiers.json", r#"{"gold": true}"#);
    write(
        root,
        ".git/hidden.rego",
        "package hidden\ntest_hidden := false\n",
    );
    let dirs = [root.display().to_string()];
    let Ok(mut with_data) = Policies::load(&dirs, true) else {
        panic!("the directory loads");
    };
    assert_eq!(
        outcomes(&mut with_data),
        [
            ("data.lib.test_nested".to_string(), Outcome::Pass),
            ("data.main.test_data".to_string(), Outcome::Pass),
        ]
    );
    let Ok(mut without_data) = Policies::load(&dirs, false) else {
        panic!("the directory loads");
    };
    assert!(
        outcomes(&mut without_data)
            .iter()
            .all(|(_, outcome)| *outcome == Outcome::Fail)
    );
    let single = [root.join("main.rego").display().to_string()];
    let Ok(mut one_file) = Policies::load(&single, true) else {
        panic!("a single file loads");
    };
    assert_eq!(outcomes(&mut one_file).len(), 1);
}

#[test]
fn a_path_without_policies_is_an_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "only/data.json", "{}");
    let empty = [dir.path().join("only").display().to_string()];
    assert!(matches!(
        Policies::load(&empty, true),
        Err(PolicyError::NoPolicies(_))
    ));
    let missing = [dir.path().join("missing").display().to_string()];
    assert!(matches!(
        Policies::load(&missing, true),
        Err(PolicyError::Read { .. })
    ));
}
