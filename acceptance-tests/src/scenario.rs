//! Multi-step differential scenarios: a fixture directory under `fixtures/scenarios/` holds a
//! `steps.txt` script and the file sets it copies in. Each step runs under tenantform and
//! under Terraform, each in its own copy of the directory, and the two must agree: exit codes
//! always, and the JSON plans of `plan` steps (see [`crate::plan_compare::SCENARIO`]).
//!
//! Steps, one per line (`#` starts a comment line; arguments split on whitespace, single
//! quotes group):
//! - `files DIR`: copy the file set `DIR/` over the working directory (see
//!   [`crate::file_set`]: `DIR/DELETE` lists paths to remove, `DIR/SHARED` names files of
//!   `fixtures/shared/` to copy in).
//! - `init`: `tenantform init`, and `terraform get` (under `dev_overrides` Terraform needs no
//!   `init`, and its `init` would ask the registry).
//! - `plan ARGS...`: `plan -input=false -no-color -detailed-exitcode -out=tfplan ARGS`, then
//!   `show -json tfplan` when it succeeded.
//! - `apply ARGS...`: `apply -input=false -no-color -auto-approve ARGS`.
//! - `apply-plan`: `apply -input=false -no-color tfplan`.
//! - `run ARGS...`: the command as given.
//! - `expect CODE`: the previous step exited with CODE.
//! - `stdout-has TEXT`: the previous step's standard output contains TEXT, on both sides.
//! - `stdout-has-file NAME`: the previous step's standard output contains the text of the
//!   scenario's file NAME (several lines, indentation kept), on both sides.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::file_set;
use crate::plan_compare::{SCENARIO, compare_plans, indent};
use crate::process::{CommandSpec, DEFAULT_TIMEOUT};
use crate::script_lines::script_lines;
use crate::{Output, Project, Terraform, plan_json};

/// The script of a scenario.
pub const STEPS_FILE: &str = "steps.txt";
const PLAN_FILE: &str = "tfplan";

/// One line of a scenario script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Files(String),
    Init,
    Plan(Vec<String>),
    Apply(Vec<String>),
    ApplyPlan,
    Run(Vec<String>),
    Expect(i32),
    StdoutHas(String),
    StdoutHasFile(String),
}

/// Parses a scenario script; the error names the line.
pub fn parse_steps(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (number, line) in script_lines(text) {
        let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let args = split_arguments(rest);
        let step = match verb {
            "files" if args.len() == 1 => Step::Files(args[0].clone()),
            "init" if args.is_empty() => Step::Init,
            "plan" => Step::Plan(args),
            "apply" => Step::Apply(args),
            "apply-plan" if args.is_empty() => Step::ApplyPlan,
            "run" if !args.is_empty() => Step::Run(args),
            "expect" => Step::Expect(
                rest.parse()
                    .map_err(|_| format!("line {number}: expect takes an exit code"))?,
            ),
            "stdout-has" if !rest.is_empty() => Step::StdoutHas(rest.to_string()),
            "stdout-has-file" if args.len() == 1 => Step::StdoutHasFile(args[0].clone()),
            _ => {
                return Err(format!("line {number}: unknown or malformed step {line:?}"));
            }
        };
        steps.push(step);
    }
    Ok(steps)
}

/// Splits on whitespace; single quotes group and are removed.
fn split_arguments(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut has_token = false;
    for c in text.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                has_token = true;
            }
            c if c.is_whitespace() && !quoted => {
                if has_token {
                    args.push(std::mem::take(&mut current));
                    has_token = false;
                }
            }
            c => {
                current.push(c);
                has_token = true;
            }
        }
    }
    if has_token {
        args.push(current);
    }
    args
}

/// Which program drives one copy of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Tenantform,
    Terraform,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Tenantform => "tenantform",
            Tool::Terraform => "terraform",
        }
    }

    /// The command line that runs `args` with this tool in `project`.
    pub fn command(self, project: &Project, terraform: &Terraform, args: &[&str]) -> CommandSpec {
        match self {
            Tool::Tenantform => project.tenantform_command(args),
            Tool::Terraform => project.terraform_command(terraform, args),
        }
    }
}

/// A scenario fixture: its directory and script.
pub struct Scenario {
    pub name: String,
    pub dir: PathBuf,
    pub steps: Vec<Step>,
}

impl Scenario {
    pub fn load(dir: &Path) -> Scenario {
        let name = dir
            .file_name()
            .expect("a scenario directory has a name")
            .to_string_lossy()
            .into_owned();
        let script = std::fs::read_to_string(dir.join(STEPS_FILE)).unwrap_or_else(|error| {
            panic!("scenario {name} has no readable {STEPS_FILE}: {error}")
        });
        let steps = parse_steps(&script).unwrap_or_else(|error| panic!("scenario {name}: {error}"));
        Scenario {
            name,
            dir: dir.to_path_buf(),
            steps,
        }
    }

    /// Runs every step under both tools; `Err` is the report of the first disagreement.
    pub fn run(&self, terraform: &Terraform) -> Result<(), String> {
        let ours = Side::new(Tool::Tenantform, terraform);
        let theirs = Side::new(Tool::Terraform, terraform);
        let mut last: Option<(Output, Output)> = None;
        for (number, step) in self.steps.iter().enumerate() {
            let context = format!("  step {} ({step:?})", number + 1);
            match self.run_step(step, &ours, &theirs, &mut last) {
                Ok(()) => {}
                Err(report) => return Err(format!("{context}: {report}")),
            }
        }
        Ok(())
    }

    fn run_step(
        &self,
        step: &Step,
        ours: &Side,
        theirs: &Side,
        last: &mut Option<(Output, Output)>,
    ) -> Result<(), String> {
        match step {
            Step::Files(dir) => {
                for side in [ours, theirs] {
                    side.overlay(&self.dir.join(dir));
                }
                Ok(())
            }
            Step::Init => {
                let our_output = ours.run(&["init", "-input=false", "-no-color"]);
                let their_output = theirs.run(&["get", "-no-color", "-update=false"]);
                for output in [&our_output, &their_output] {
                    if output.code != Some(0) {
                        return Err(format!("init failed\n{}", indent(&output.describe())));
                    }
                }
                *last = Some((our_output, their_output));
                Ok(())
            }
            Step::Expect(code) => expect_code(last.as_ref(), *code),
            Step::StdoutHas(text) => stdout_has(last.as_ref(), text),
            Step::StdoutHasFile(name) => {
                let path = self.dir.join(name);
                let text = std::fs::read_to_string(&path)
                    .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
                stdout_has(last.as_ref(), &text)
            }
            Step::Plan(args) => {
                let outputs = both(ours, theirs, &plan_args(args))?;
                let result = compare_plan_outputs(&outputs, ours, theirs);
                *last = Some(outputs);
                result
            }
            Step::Apply(args) => {
                let mut full = vec!["apply", "-input=false", "-no-color", "-auto-approve"];
                full.extend(args.iter().map(String::as_str));
                *last = Some(both(ours, theirs, &full)?);
                Ok(())
            }
            Step::ApplyPlan => {
                let full = ["apply", "-input=false", "-no-color", PLAN_FILE];
                *last = Some(both(ours, theirs, &full)?);
                Ok(())
            }
            Step::Run(args) => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                *last = Some(both(ours, theirs, &args)?);
                Ok(())
            }
        }
    }
}

fn plan_args(args: &[String]) -> Vec<&str> {
    let mut full = vec![
        "plan",
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
        "-out=tfplan",
    ];
    full.extend(args.iter().map(String::as_str));
    full
}

/// Runs the same command on both sides; their exit codes must agree.
fn both(ours: &Side, theirs: &Side, args: &[&str]) -> Result<(Output, Output), String> {
    let our_output = ours.run(args);
    let their_output = theirs.run(args);
    if our_output.code != their_output.code {
        return Err(format!(
            "exit codes differ (tenantform {:?}, terraform {:?})\n{}\n{}",
            our_output.code,
            their_output.code,
            indent(&our_output.describe()),
            indent(&their_output.describe())
        ));
    }
    Ok((our_output, their_output))
}

/// After a successful plan on both sides, their JSON plans must agree.
fn compare_plan_outputs(
    outputs: &(Output, Output),
    ours: &Side,
    theirs: &Side,
) -> Result<(), String> {
    if !matches!(outputs.0.code, Some(0 | 2)) {
        return Ok(());
    }
    let our_plan = ours.show_plan()?;
    let their_plan = theirs.show_plan()?;
    let report = compare_plans(&our_plan, &their_plan, SCENARIO);
    if report.is_empty() {
        Ok(())
    } else {
        Err(format!("the plans differ\n{}", report.join("\n")))
    }
}

fn expect_code(last: Option<&(Output, Output)>, code: i32) -> Result<(), String> {
    let (ours, _) = last.ok_or("expect needs a command before it")?;
    if ours.code == Some(code) {
        Ok(())
    } else {
        Err(format!(
            "both exited with {:?}, the scenario expects {code}\n{}",
            ours.code,
            indent(&ours.describe())
        ))
    }
}

fn stdout_has(last: Option<&(Output, Output)>, text: &str) -> Result<(), String> {
    let (ours, theirs) = last.ok_or("stdout-has needs a command before it")?;
    for (tool, output) in [(Tool::Tenantform, ours), (Tool::Terraform, theirs)] {
        if !output.stdout.contains(text) {
            return Err(format!(
                "{} printed no {text:?}\n{}",
                tool.name(),
                indent(&output.describe())
            ));
        }
    }
    Ok(())
}

/// One tool's copy of the scenario.
struct Side<'a> {
    tool: Tool,
    project: Project,
    terraform: &'a Terraform,
}

impl<'a> Side<'a> {
    fn new(tool: Tool, terraform: &'a Terraform) -> Side<'a> {
        let project = Project::from_config("");
        std::fs::remove_file(project.path("main.tf")).expect("remove the placeholder main.tf");
        Side {
            tool,
            project,
            terraform,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.tool
            .command(&self.project, self.terraform, args)
            .run(DEFAULT_TIMEOUT)
    }

    /// Copies a file set in (see [`file_set::overlay`]).
    fn overlay(&self, files: &Path) {
        file_set::overlay(files, &self.project.work_dir(), &[]);
    }

    fn show_plan(&self) -> Result<Value, String> {
        let shown = self.run(&["show", "-json", PLAN_FILE]);
        if shown.code != Some(0) {
            return Err(format!(
                "{} show -json failed\n{}",
                self.tool.name(),
                indent(&shown.describe())
            ));
        }
        Ok(plan_json::parse(&shown.stdout, self.tool.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_parse_with_quotes_and_comments() {
        let steps = parse_steps(
            "# a comment\nfiles 1\ninit\nplan '-target=module.t[\"a\"]' -refresh=false\nexpect 2\n\
             apply\napply-plan\nrun state list\nstdout-has has moved to\n",
        )
        .unwrap();
        assert_eq!(
            steps,
            vec![
                Step::Files("1".into()),
                Step::Init,
                Step::Plan(vec![
                    "-target=module.t[\"a\"]".into(),
                    "-refresh=false".into()
                ]),
                Step::Expect(2),
                Step::Apply(vec![]),
                Step::ApplyPlan,
                Step::Run(vec!["state".into(), "list".into()]),
                Step::StdoutHas("has moved to".into()),
            ]
        );
    }

    #[test]
    fn malformed_steps_name_their_line() {
        assert_eq!(
            parse_steps("plan\nfrobnicate x\n").unwrap_err(),
            "line 2: unknown or malformed step \"frobnicate x\""
        );
        assert!(parse_steps("expect two").unwrap_err().contains("line 1"));
        assert!(parse_steps("files").is_err());
    }
}
