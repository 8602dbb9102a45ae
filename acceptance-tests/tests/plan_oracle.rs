//! The Terraform language against Terraform 1.15.5, through JSON plans: every configuration
//! under `fixtures/plans/` is planned by `tenantform` and by Terraform, each in its own copy,
//! against the same provider binary, and the two `show -json` plans must agree for every
//! resource instance (the set of addresses, `change.actions`, `after`, `after_unknown`,
//! `before_sensitive`, `after_sensitive`) and for every planned output (`actions`, `after`,
//! `after_unknown`, `after_sensitive`).
//!
//! Then both sides apply their saved plan, the configuration's optional `edit/` overlay is
//! copied over the files, and both plan again. The fixture directory and `edit/` are file sets
//! (see [`acceptance_tests::file_set`]): a `SHARED` manifest copies in files of
//! `fixtures/shared/`. The second plans start from different prior
//! states: ids, timestamps and passwords are random, so every value the provider generated
//! (found in each side's own `prior_state`) is replaced by a placeholder before comparing.
//!
//! A fixture directory may hold `oracle.args` (extra command-line arguments for `plan`, one
//! per line) and `oracle.env` (`NAME=value` lines added to both tools' environments). Set
//! `PLAN_ORACLE_FILTER` to a substring of fixture names to run only those fixtures.
//!
//! `fixtures/plans/known_divergences.txt` names the fixtures that still differ, each with the
//! reason (`NAME: reason`). Their reports are printed without failing the test; a listed
//! fixture that agrees fails it, so that the list only shrinks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use acceptance_tests::file_set;
use acceptance_tests::fixtures::{fixture_dir, fixture_dirs, fixture_name};
use acceptance_tests::oracle_run;
use acceptance_tests::plan_compare::{self, compare_plans, indent};
use acceptance_tests::process::DEFAULT_TIMEOUT;
use acceptance_tests::scenario::Tool;
use acceptance_tests::{Output, Project, Terraform, TerraformVersion, plan_json, plan_text};
use serde_json::Value;

const MINIMUM_FIXTURES: usize = 25;
const PLANS: &str = "plans";
const FILTER_VARIABLE: &str = "PLAN_ORACLE_FILTER";
const EDIT_DIR: &str = "edit";
const ARGS_FILE: &str = "oracle.args";
const ENV_FILE: &str = "oracle.env";
const PLAN_FILE: &str = "tfplan";
/// Fixtures whose second plans show values that depend on timing on both sides, so their
/// texts are not compared: in `18-depends-on` a data source lists the tenants that exist when
/// it is read, and which of two created in parallel exist by then varies.
const RENDER_TIMING_DEPENDENT: [&str; 1] = ["18-depends-on"];
/// The fixtures whose human-readable plans still differ from Terraform's, with the reason.
const KNOWN_RENDER_DIVERGENCES_FILE: &str = "known_render_divergences.txt";

/// One configuration directory of `fixtures/plans/`.
struct Fixture {
    name: String,
    dir: PathBuf,
    plan_args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Fixture {
    fn load(dir: PathBuf) -> Fixture {
        let name = fixture_name(&dir);
        let read_lines = |file: &str| -> Vec<String> {
            std::fs::read_to_string(dir.join(file))
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_string)
                .collect()
        };
        let env = read_lines(ENV_FILE)
            .into_iter()
            .map(|line| {
                let (name, value) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{ENV_FILE} lines are NAME=value: {line}"));
                (name.to_string(), value.to_string())
            })
            .collect();
        Fixture {
            plan_args: read_lines(ARGS_FILE),
            env,
            name,
            dir,
        }
    }

    fn edit_dir(&self) -> Option<PathBuf> {
        let dir = self.dir.join(EDIT_DIR);
        dir.is_dir().then_some(dir)
    }
}

/// A fixture copied into a project, driven by one tool.
struct Side<'a> {
    tool: Tool,
    project: Project,
    fixture: &'a Fixture,
    terraform: &'a Terraform,
}

impl Side<'_> {
    fn run(&self, args: &[&str]) -> Output {
        let mut command = self.tool.command(&self.project, self.terraform, args);
        command.env.extend(self.fixture.env.iter().cloned());
        command.run(DEFAULT_TIMEOUT)
    }

    /// `plan -out` then `show -json`: the JSON plan and the plan's human output, or what
    /// went wrong.
    fn plan(&self) -> Result<(Value, String), String> {
        let mut args = vec!["plan", "-input=false", "-no-color", "-out", PLAN_FILE];
        args.extend(self.fixture.plan_args.iter().map(String::as_str));
        let planned = self.run(&args);
        if planned.code != Some(0) {
            return Err(planned.describe());
        }
        let shown = self.run(&["show", "-json", PLAN_FILE]);
        if shown.code != Some(0) {
            return Err(shown.describe());
        }
        Ok((
            plan_json::parse(&shown.stdout, self.tool.name()),
            planned.stdout,
        ))
    }

    fn apply_saved_plan(&self) -> Result<(), String> {
        let applied = self.run(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            PLAN_FILE,
        ]);
        match applied.code {
            Some(0) => Ok(()),
            _ => Err(applied.describe()),
        }
    }
}

fn new_side<'a>(tool: Tool, fixture: &'a Fixture, terraform: &'a Terraform) -> Side<'a> {
    let project = Project::from_config("");
    std::fs::remove_file(project.path("main.tf")).expect("remove the placeholder main.tf");
    file_set::overlay(
        &fixture.dir,
        &project.work_dir(),
        &[EDIT_DIR, ARGS_FILE, ENV_FILE],
    );
    Side {
        tool,
        project,
        fixture,
        terraform,
    }
}

/// Where the human-readable plans of each fixture first differed, by fixture name.
type RenderReports = Mutex<BTreeMap<String, String>>;

/// Plans both sides and compares; `Err` holds the report of a failure or a mismatch of the
/// JSON plans. A mismatch of the human-readable plans is noted in `rendered`.
fn plan_and_compare(
    phase: &str,
    ours: &Side,
    theirs: &Side,
    rendered: &RenderReports,
) -> Result<(), String> {
    let (our_plan, their_plan) = (ours.plan(), theirs.plan());
    match (our_plan, their_plan) {
        (Ok((our_plan, our_text)), Ok((their_plan, their_text))) => {
            note_render_mismatch(phase, ours.fixture, &our_text, &their_text, rendered);
            let report = compare_plans(&our_plan, &their_plan, plan_compare::LANGUAGE);
            if report.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "  {phase}: the plans differ\n{}",
                    report.join("\n")
                ))
            }
        }
        (Err(ours), Err(theirs)) => Err(format!(
            "  {phase}: both plans failed\n{}\n{}",
            indent(&ours),
            indent(&theirs)
        )),
        (Err(ours), Ok(_)) => Err(format!(
            "  {phase}: only tenantform failed\n{}",
            indent(&ours)
        )),
        (Ok(_), Err(theirs)) => Err(format!(
            "  {phase}: only terraform failed\n{}",
            indent(&theirs)
        )),
    }
}

/// Notes the first line where the two human-readable plans differ, once per fixture.
fn note_render_mismatch(
    phase: &str,
    fixture: &Fixture,
    ours: &str,
    theirs: &str,
    rendered: &RenderReports,
) {
    let (ours, theirs) = (plan_text::normalized(ours), plan_text::normalized(theirs));
    if ours == theirs || RENDER_TIMING_DEPENDENT.contains(&fixture.name.as_str()) {
        return;
    }
    let (our_lines, their_lines): (Vec<&str>, Vec<&str>) =
        (ours.lines().collect(), theirs.lines().collect());
    let line = our_lines
        .iter()
        .zip(&their_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(our_lines.len().min(their_lines.len()));
    let around =
        |lines: &[&str]| lines[line.saturating_sub(3)..(line + 4).min(lines.len())].join("\n");
    let report = format!(
        "  {phase}: the human-readable plans differ at line {}\n  tenantform:\n{}\n  terraform:\n{}",
        line + 1,
        indent(&around(&our_lines)),
        indent(&around(&their_lines))
    );
    let mut reports = rendered
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    reports.entry(fixture.name.clone()).or_insert(report);
}

/// Runs both phases of one fixture; `Err` is the mismatch report.
fn check_fixture(
    fixture: &Fixture,
    terraform: &Terraform,
    rendered: &RenderReports,
) -> Result<(), String> {
    let ours = new_side(Tool::Tenantform, fixture, terraform);
    let theirs = new_side(Tool::Terraform, fixture, terraform);
    // Terraform needs no `init` for a provider under dev_overrides, but `get` for modules.
    for (side, args) in [
        (&ours, ["init", "-input=false", "-no-color"]),
        (&theirs, ["get", "-no-color", "-update=false"]),
    ] {
        let prepared = side.run(&args);
        if prepared.code != Some(0) {
            return Err(format!(
                "  {} {} failed\n{}",
                side.tool.name(),
                args[0],
                indent(&prepared.describe())
            ));
        }
    }
    plan_and_compare("first plan", &ours, &theirs, rendered)?;
    for side in [&ours, &theirs] {
        side.apply_saved_plan().map_err(|failure| {
            format!("  {} apply failed\n{}", side.tool.name(), indent(&failure))
        })?;
    }
    if let Some(edit) = fixture.edit_dir() {
        for side in [&ours, &theirs] {
            file_set::overlay(&edit, &side.project.work_dir(), &[]);
        }
    }
    plan_and_compare("plan after apply and edit", &ours, &theirs, rendered)
}

#[test]
fn tenantform_plans_every_configuration_as_terraform_does() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let all: Vec<Fixture> = fixture_dirs(PLANS).into_iter().map(Fixture::load).collect();
    let filter = std::env::var(FILTER_VARIABLE).unwrap_or_default();
    assert!(
        !filter.is_empty() || all.len() >= MINIMUM_FIXTURES,
        "fixtures/plans must hold at least {MINIMUM_FIXTURES} configurations, found {}",
        all.len()
    );
    let selected =
        oracle_run::select_by_env(&all, |fixture| fixture.name.as_str(), FILTER_VARIABLE);
    let rendered = RenderReports::default();
    let failures = oracle_run::check_all(&selected, |fixture| {
        check_fixture(fixture, &terraform, &rendered)
    });
    let names: Vec<&str> = selected.iter().map(|(name, _)| *name).collect();
    let dir = fixture_dir(PLANS);
    let known = |file: &str| oracle_run::known_divergences(&dir.join(file));
    oracle_run::judge(
        "configurations",
        &names,
        &failures,
        &known(oracle_run::KNOWN_DIVERGENCES_FILE),
        oracle_run::KNOWN_DIVERGENCES_FILE,
    );
    let rendered = rendered
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    oracle_run::judge(
        "human-readable plans",
        &names,
        &rendered,
        &known(KNOWN_RENDER_DIVERGENCES_FILE),
        KNOWN_RENDER_DIVERGENCES_FILE,
    );
}
