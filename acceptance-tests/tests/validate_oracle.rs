//! `tenantform validate -json` against `terraform validate -json` (Terraform 1.15.5) as the
//! oracle: each directory under `fixtures/validate/` is a configuration (with local modules
//! where it calls any), a file set (see [`acceptance_tests::file_set`]); both tools validate a copy of it and must agree on `valid` and on
//! the errors and warnings, each by severity, summary, file and starting line and column. Terraform's
//! own notice about provider development overrides is left out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use acceptance_tests::file_set;
use acceptance_tests::fixtures::{at_least, fixture_dirs};
use acceptance_tests::terraform::dev_overrides_config;
use acceptance_tests::{Binaries, Terraform, TerraformVersion};

/// The least number of fixture directories the comparison must cover.
const MINIMUM_FIXTURES: usize = 10;

/// Terraform's warning about `dev_overrides`, which tenantform has no reason to print.
const DEV_OVERRIDES_WARNING: &str = "Provider development overrides are in effect";

/// One diagnostic, as compared.
type Finding = (String, String, Option<String>, Option<u64>, Option<u64>);

/// What one `validate -json` reported.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    valid: bool,
    findings: BTreeSet<Finding>,
}

fn fixtures() -> Vec<PathBuf> {
    at_least(fixture_dirs("validate"), MINIMUM_FIXTURES)
}

fn verdict(stdout: &[u8], who: &str) -> Verdict {
    let json: serde_json::Value = serde_json::from_slice(stdout).unwrap_or_else(|e| {
        panic!(
            "{who} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(stdout)
        )
    });
    let findings = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["summary"] != DEV_OVERRIDES_WARNING)
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["summary"].as_str().unwrap_or_default().to_string(),
                d["range"]["filename"].as_str().map(str::to_string),
                d["range"]["start"]["line"].as_u64(),
                d["range"]["start"]["column"].as_u64(),
            )
        })
        .collect();
    Verdict {
        valid: json["valid"].as_bool().unwrap_or(false),
        findings,
    }
}

fn run(program: &Path, dir: &Path, args: &[&str], config: &Path) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", config)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()))
}

#[test]
fn every_fixture_validates_like_terraform() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let binaries = Binaries::locate();
    let scratch = tempfile::tempdir().expect("temporary directory");
    let config = scratch.path().join("terraformrc");
    std::fs::write(&config, dev_overrides_config(binaries.provider_dir())).expect("config");
    let mut mismatches = Vec::new();
    let fixtures = fixtures();
    for fixture in &fixtures {
        let name = fixture.file_name().expect("name").to_string_lossy();
        let ours = scratch.path().join(format!("ours-{name}"));
        let theirs = scratch.path().join(format!("theirs-{name}"));
        file_set::overlay(fixture, &ours, &[]);
        file_set::overlay(fixture, &theirs, &[]);
        let validate = ["validate", "-json", "-no-color"];
        let got = run(
            &terraform.executable,
            &theirs,
            &["get", "-no-color"],
            &config,
        );
        assert!(got.status.success(), "terraform get failed in {name}");
        let expected = verdict(
            &run(&terraform.executable, &theirs, &validate, &config).stdout,
            "terraform",
        );
        let actual = verdict(
            &run(&binaries.tenantform, &ours, &validate, &config).stdout,
            "tenantform",
        );
        if expected != actual {
            mismatches.push(format!(
                "{name}:\n  terraform:  {expected:?}\n  tenantform: {actual:?}"
            ));
        }
    }
    eprintln!(
        "{} of {} fixtures validated alike",
        fixtures.len() - mismatches.len(),
        fixtures.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
