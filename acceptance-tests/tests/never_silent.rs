//! "Never silent", checked: every subcommand and flag Terraform 1.15.5 lists in its own
//! `-help` output, and every configuration-language construct of the probe fixtures
//! (`fixtures/never_silent/language/`), has a row in `docs/COMPATIBILITY.md`; every
//! `refused` row is refused by tenantform with an error naming it; every `supported` or
//! `partial` language row is accepted by both Terraform 1.15.5 and tenantform and names
//! where its semantics are tested; and no probe makes tenantform panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::file_set;
use acceptance_tests::process::CommandSpec;
use acceptance_tests::terraform::dev_overrides_config;
use acceptance_tests::{Binaries, Output, Terraform, TerraformVersion};

const TIMEOUT: Duration = Duration::from_secs(60);
const THREADS: usize = 6;

/// One row of a COMPATIBILITY.md table: its cells, backticks removed from the first.
#[derive(Clone, Debug)]
struct Row {
    section: String,
    cells: Vec<String>,
}

impl Row {
    fn construct(&self) -> &str {
        &self.cells[0]
    }
    fn status(&self) -> &str {
        self.cells.get(1).map(String::as_str).unwrap_or("")
    }
}

fn compatibility_rows() -> Vec<Row> {
    let path = workspace_root().join("docs/COMPATIBILITY.md");
    let text = std::fs::read_to_string(&path).expect("docs/COMPATIBILITY.md is readable");
    let mut section = String::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.trim().to_string();
        }
        if !line.starts_with('|') || line.starts_with("|---") || line.starts_with("| construct") {
            continue;
        }
        let cells: Vec<String> = split_cells(line);
        if cells.len() >= 2 {
            rows.push(Row {
                section: section.clone(),
                cells,
            });
        }
    }
    rows
}

/// The cells of a Markdown table line; `\|` does not split.
fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut previous = ' ';
    for c in line.trim().trim_start_matches('|').chars() {
        if c == '|' && previous != '\\' {
            cells.push(cell.trim().to_string());
            cell.clear();
        } else {
            cell.push(c);
        }
        previous = c;
    }
    if let Some(first) = cells.first_mut() {
        *first = first.replace('`', "");
    }
    cells
}

/// Runs `program ARGS` in `dir` with a CLI configuration using the local provider.
fn run(program: &Path, args: &[&str], dir: &Path, cli_config: &Path) -> Output {
    let mut env = vec![
        (
            "TF_CLI_CONFIG_FILE".to_string(),
            cli_config.display().to_string(),
        ),
        ("HOME".to_string(), dir.display().to_string()),
        ("CHECKPOINT_DISABLE".to_string(), "1".to_string()),
    ];
    if let Ok(path) = std::env::var("PATH") {
        env.push(("PATH".to_string(), path));
    }
    CommandSpec {
        program: program.to_path_buf(),
        args: args.iter().map(std::string::ToString::to_string).collect(),
        cwd: dir.to_path_buf(),
        env,
    }
    .run(TIMEOUT)
}

/// Runs tenantform with `args` in a fresh empty directory.
fn tenantform_in_empty_dir(setup: &Setup, args: &[String]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(
        &setup.binaries.tenantform,
        &args,
        dir.path(),
        &setup.cli_config,
    )
}

/// Runs `check` over `items` on a few threads and collects every failure message.
fn in_parallel<T: Sync>(items: &[T], check: impl Fn(&T) -> Vec<String> + Sync) -> Vec<String> {
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some(item) = items.get(index) else { break };
                    let found = check(item);
                    failures.lock().unwrap().extend(found);
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn assert_no_failures(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

struct Setup {
    terraform: Terraform,
    binaries: Binaries,
    scratch: tempfile::TempDir,
    cli_config: PathBuf,
}

fn setup() -> Option<Setup> {
    let terraform = Terraform::from_env(TerraformVersion::V1_15)?;
    let binaries = Binaries::locate();
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let cli_config = scratch.path().join("cli.tfrc");
    std::fs::write(&cli_config, dev_overrides_config(binaries.provider_dir()))
        .expect("the CLI configuration is written");
    Some(Setup {
        terraform,
        binaries,
        scratch,
        cli_config,
    })
}

#[path = "never_silent/cli.rs"]
mod cli;
#[path = "never_silent/language.rs"]
mod language;
