//! `tenantform fmt` against `terraform fmt` (Terraform 1.15.5) as the oracle: every fixture
//! under `fixtures/fmt/` is an unformatted file; both tools format it, through standard
//! input and in place in a copy of the directory, and the results must be byte-identical.
//! The options that change what is printed (`-check`, `-diff`, `-recursive`, `-list`) and
//! the exit codes (0, 2 on syntax errors, 3 when `-check` finds work) must agree too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use acceptance_tests::fixtures::{at_least, fixture_files};
use acceptance_tests::{Binaries, Terraform, TerraformVersion};

/// The least number of fixtures the comparison must cover.
const MINIMUM_FIXTURES: usize = 40;

/// What one run printed and how it exited.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    code: i32,
    stdout: Vec<u8>,
}

/// The two formatters, each run with a scratch CLI configuration for Terraform.
struct Formatters {
    tenantform: PathBuf,
    terraform: Terraform,
    scratch: tempfile::TempDir,
}

impl Formatters {
    fn new() -> Option<Formatters> {
        let terraform = Terraform::from_env(TerraformVersion::V1_15)?;
        let scratch = tempfile::tempdir().expect("temporary directory");
        std::fs::write(scratch.path().join("terraformrc"), "").expect("CLI configuration");
        Some(Formatters {
            tenantform: Binaries::locate().tenantform,
            terraform,
            scratch,
        })
    }

    fn run(&self, program: &Path, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut command = Command::new(program);
        command
            .args(["fmt", "-no-color"])
            .args(args)
            .current_dir(dir)
            .env(
                "TF_CLI_CONFIG_FILE",
                self.scratch.path().join("terraformrc"),
            )
            .env("CHECKPOINT_DISABLE", "1")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            pipe.write_all(input).expect("write stdin");
        }
        let output = child.wait_with_output().expect("wait for fmt");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: output.stdout,
        }
    }

    fn tenantform(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
        self.run(&self.tenantform, dir, args, stdin)
    }

    fn terraform(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
        self.run(&self.terraform.executable, dir, args, stdin)
    }
}

/// The fixture files, sorted by name.
fn fixtures() -> Vec<PathBuf> {
    at_least(fixture_files("fmt"), MINIMUM_FIXTURES)
}

/// A fresh temporary directory holding a copy of every fixture.
fn fixtures_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for file in fixtures() {
        let name = file.file_name().expect("file name");
        std::fs::copy(&file, dir.path().join(name)).expect("copy fixture");
    }
    dir
}

/// The lines where `expected` and `actual` differ, with a little context.
fn describe_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let expected_lines: Vec<&str> = expected.split_inclusive('\n').collect();
    let actual_lines: Vec<&str> = actual.split_inclusive('\n').collect();
    let first = expected_lines
        .iter()
        .zip(&actual_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(expected_lines.len().min(actual_lines.len()));
    let from = first.saturating_sub(2);
    let mut out = format!("first difference at line {}\n", first + 1);
    for (label, lines) in [
        ("terraform", &expected_lines),
        ("tenantform", &actual_lines),
    ] {
        out.push_str(&format!("--- {label}\n"));
        for line in lines.iter().skip(from).take(6) {
            out.push_str(&format!("  {line:?}\n"));
        }
    }
    out
}

#[test]
fn fixtures_are_unformatted() {
    let Some(formatters) = Formatters::new() else {
        return;
    };
    let dir = fixtures_copy();
    let run = formatters.terraform(dir.path(), &["-check"], None);
    let listed = String::from_utf8_lossy(&run.stdout).lines().count();
    assert_eq!(run.code, 3, "terraform fmt -check finds work to do");
    assert!(
        listed >= MINIMUM_FIXTURES,
        "only {listed} fixtures need formatting:\n{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

#[test]
fn every_fixture_formats_like_terraform_in_place() {
    let Some(formatters) = Formatters::new() else {
        return;
    };
    let ours = fixtures_copy();
    let theirs = fixtures_copy();
    let our_run = formatters.tenantform(ours.path(), &[], None);
    let their_run = formatters.terraform(theirs.path(), &[], None);
    assert_eq!(their_run.code, 0, "terraform fmt failed");
    assert_eq!(
        String::from_utf8_lossy(&our_run.stdout),
        String::from_utf8_lossy(&their_run.stdout),
        "the list of changed files"
    );
    assert_eq!(our_run.code, 0);
    let mut mismatches = Vec::new();
    let files = fixtures();
    for file in &files {
        let name = file.file_name().expect("file name");
        let expected = std::fs::read(theirs.path().join(name)).expect("terraform's file");
        let actual = std::fs::read(ours.path().join(name)).expect("tenantform's file");
        if expected != actual {
            mismatches.push(format!(
                "{}: {}",
                name.to_string_lossy(),
                describe_difference(&expected, &actual)
            ));
        }
    }
    eprintln!(
        "{} of {} fixtures formatted identically",
        files.len() - mismatches.len(),
        files.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_fixture_diffs_like_terraform() {
    let Some(formatters) = Formatters::new() else {
        return;
    };
    let dir = fixtures_copy();
    let args = ["-diff", "-write=false"];
    let expected = formatters.terraform(dir.path(), &args, None);
    let actual = formatters.tenantform(dir.path(), &args, None);
    assert_eq!(expected.code, 0, "terraform fmt -diff failed");
    assert!(
        expected == actual,
        "fmt -diff output differs (exit codes: terraform {}, tenantform {}): {}",
        expected.code,
        actual.code,
        describe_difference(&expected.stdout, &actual.stdout)
    );
}

#[test]
fn every_fixture_formats_like_terraform_from_stdin() {
    let Some(formatters) = Formatters::new() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut mismatches = Vec::new();
    for file in fixtures() {
        let input = std::fs::read(&file).expect("fixture");
        let expected = formatters.terraform(dir.path(), &["-"], Some(&input));
        let actual = formatters.tenantform(dir.path(), &["-"], Some(&input));
        if expected != actual {
            mismatches.push(format!(
                "{} (exit codes: terraform {}, tenantform {}): {}",
                file.display(),
                expected.code,
                actual.code,
                describe_difference(&expected.stdout, &actual.stdout)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn check_diff_recursive_and_exit_codes_match_terraform() {
    let Some(formatters) = Formatters::new() else {
        return;
    };
    let layout: &[(&str, &str)] = &[
        (
            "main.tf",
            "a=1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\ng = 7\nh = 8\ni=9",
        ),
        ("formatted.tf", "x = 1\n"),
        ("sub/nested.tf", "y=1\n"),
        ("sub/.hidden.tf", "z=1\n"),
        ("values.tfvars", "region=\"eu\"\r\n"),
        ("checks.tftest.hcl", "run \"x\" {\ncommand=plan\n}\n"),
        ("notes.txt", "not=formatted\n"),
    ];
    let make_tree = || {
        let dir = tempfile::tempdir().expect("temporary directory");
        for (name, content) in layout {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("create dir");
            std::fs::write(path, content).expect("write file");
        }
        dir
    };
    let argument_sets: &[&[&str]] = &[
        &["-check"],
        &["-check", "-diff", "-recursive"],
        &["-check", "-list=false"],
        &["-list=false", "-write=false", "-recursive"],
        &["-diff", "-write=false"],
        &["-write=false", "sub", "main.tf"],
        &["-check", "formatted.tf"],
        &["-recursive"],
    ];
    for args in argument_sets {
        let ours = make_tree();
        let theirs = make_tree();
        let actual = formatters.tenantform(ours.path(), args, None);
        let expected = formatters.terraform(theirs.path(), args, None);
        assert_eq!(
            (actual.code, String::from_utf8_lossy(&actual.stdout)),
            (expected.code, String::from_utf8_lossy(&expected.stdout)),
            "fmt {args:?}"
        );
        for (name, _) in layout {
            let ours = std::fs::read(ours.path().join(name)).expect("our file");
            let theirs = std::fs::read(theirs.path().join(name)).expect("their file");
            assert_eq!(ours, theirs, "{name} after fmt {args:?}");
        }
    }
}

#[test]
fn syntax_errors_exit_2_like_terraform() {
    let Some(formatters) = Formatters::new() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    for input in [
        "x = {\n",
        "a = \"unterminated\n",
        "b { c = 1 }}\n",
        "a = <<EOT\nx\n",
    ] {
        let expected = formatters.terraform(dir.path(), &["-"], Some(input.as_bytes()));
        let actual = formatters.tenantform(dir.path(), &["-"], Some(input.as_bytes()));
        assert_eq!(expected.code, 2, "terraform on {input:?}");
        assert_eq!(actual.code, 2, "tenantform on {input:?}");
        assert!(actual.stdout.is_empty(), "nothing formatted for {input:?}");
    }
    std::fs::write(dir.path().join("broken.tf"), "x = [\n").expect("write");
    let output = Command::new(Binaries::locate().tenantform)
        .args(["fmt", "-no-color"])
        .current_dir(dir.path())
        .output()
        .expect("run tenantform fmt");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("broken.tf line"), "{stderr}");
}
