//! The configuration language: one probe directory per construct under
//! `fixtures/never_silent/language/`, one row per probe in COMPATIBILITY.md's
//! "Configuration language" section (`| construct | status | probe | tested in | notes |`).
//!
//! A probe may hold `refusal.txt`: text tenantform's error must contain (for `refused`
//! rows, which must also say "not supported by tenantform"), and `both-refuse`: the
//! construct is an error in Terraform 1.15.5 too, and both must reject it. A probe is a file
//! set: its `SHARED` manifest may copy in the provider block of `fixtures/shared/`.

use super::*;

const SECTION: &str = "Configuration language";

fn probes_dir() -> PathBuf {
    workspace_root().join("acceptance-tests/fixtures/never_silent/language")
}

fn probe_names() -> BTreeSet<String> {
    std::fs::read_dir(probes_dir())
        .expect("the probe fixtures are readable")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn language_rows() -> Vec<Row> {
    compatibility_rows()
        .into_iter()
        .filter(|r| r.section == SECTION)
        .collect()
}

fn probe_of(row: &Row) -> String {
    row.cells
        .get(2)
        .map(|c| c.replace('`', ""))
        .unwrap_or_default()
}

#[test]
fn every_probe_has_exactly_one_row_and_every_row_a_probe() {
    let rows = language_rows();
    assert!(rows.len() > 30, "the {SECTION} section has its rows");
    let mut by_probe: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        *by_probe.entry(probe_of(row)).or_default() += 1;
    }
    let probes = probe_names();
    let missing: Vec<&String> = probes
        .iter()
        .filter(|p| !by_probe.contains_key(*p))
        .collect();
    let unknown: Vec<&String> = by_probe.keys().filter(|p| !probes.contains(*p)).collect();
    let doubled: Vec<&String> = by_probe
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(p, _)| p)
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty() && doubled.is_empty(),
        "probes without a row: {missing:?}; rows naming no probe: {unknown:?}; probes with \
         several rows: {doubled:?}"
    );
}

#[test]
fn supported_rows_name_where_they_are_tested() {
    let root = workspace_root();
    let mut problems = Vec::new();
    for row in language_rows().iter().filter(|r| r.status() != "refused") {
        let cell = row.cells.get(3).cloned().unwrap_or_default();
        let paths: Vec<&str> = cell.split('`').skip(1).step_by(2).collect();
        if paths.is_empty() {
            problems.push(format!("`{}` names no test", row.construct()));
        }
        for path in paths {
            if !root.join(path).exists() {
                problems.push(format!("`{}`: {path} does not exist", row.construct()));
            }
        }
    }
    assert_no_failures(problems);
}

/// Copies a probe, a file set (see [`acceptance_tests::file_set`]), into a fresh directory
/// (Terraform installs its local modules with `get`).
fn prepared(setup: &Setup, probe: &str, with_modules: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    file_set::overlay(
        &probes_dir().join(probe),
        dir.path(),
        &["refusal.txt", "both-refuse"],
    );
    let has_modules = std::fs::read_dir(probes_dir().join(probe))
        .map(|entries| entries.flatten().any(|e| e.path().is_dir()))
        .unwrap_or(false);
    if with_modules && has_modules {
        run(
            &setup.terraform.executable,
            &["get"],
            dir.path(),
            &setup.cli_config,
        );
    }
    dir
}

fn check_probe(setup: &Setup, row: &Row) -> Vec<String> {
    let probe = probe_of(row);
    let source = probes_dir().join(&probe);
    let refusal = std::fs::read_to_string(source.join("refusal.txt")).ok();
    let both_refuse = source.join("both-refuse").exists();
    let tf_dir = prepared(setup, &probe, true);
    let terraform = run(
        &setup.terraform.executable,
        &["validate", "-no-color"],
        tf_dir.path(),
        &setup.cli_config,
    );
    let tn_dir = prepared(setup, &probe, false);
    // Providers are located by `init`; its own errors are left to `validate` to report.
    let init = run(
        &setup.binaries.tenantform,
        &["init", "-input=false", "-no-color"],
        tn_dir.path(),
        &setup.cli_config,
    );
    let tenantform = run(
        &setup.binaries.tenantform,
        &["validate", "-no-color"],
        tn_dir.path(),
        &setup.cli_config,
    );
    let mut problems = Vec::new();
    let mut fail = |what: &str, out: &Output| {
        problems.push(format!(
            "`{}` (probe {probe}): {what}\n{}",
            row.construct(),
            out.describe()
        ));
    };
    for out in [&init, &tenantform] {
        if out.combined().contains("panicked") {
            fail("tenantform panicked", out);
        }
    }
    if both_refuse != (terraform.code != Some(0)) {
        fail(
            "Terraform 1.15.5 does not treat the probe as expected",
            &terraform,
        );
    }
    let refused = row.status() == "refused" || both_refuse;
    if refused != (tenantform.code != Some(0)) {
        fail(
            "tenantform's exit code does not match the row's status",
            &tenantform,
        );
    }
    if let Some(text) = refusal.as_deref().map(str::trim) {
        if !tenantform.stderr.contains(text) {
            fail(
                &format!("tenantform's error does not name {text:?}"),
                &tenantform,
            );
        }
    } else if refused {
        fail(
            "a rejected probe needs refusal.txt naming the construct",
            &tenantform,
        );
    }
    if row.status() == "refused" && !tenantform.stderr.contains("not supported by tenantform") {
        fail(
            "the error does not say \"not supported by tenantform\"",
            &tenantform,
        );
    }
    problems
}

#[test]
fn every_probe_behaves_as_its_row_says() {
    let Some(setup) = setup() else { return };
    let rows = language_rows();
    assert!(!rows.is_empty(), "the {SECTION} section has its rows");
    assert_no_failures(in_parallel(&rows, |row| check_probe(&setup, row)));
}
