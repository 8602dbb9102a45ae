//! Terraform's machine-readable UI against Terraform 1.15.5: on configurations of
//! `fixtures/plans/` (modules, module `for_each`, `count`, data sources, `check` blocks,
//! sensitive values), `init -json`, `plan -json`, `apply -json -auto-approve`,
//! `refresh -json` and `destroy -json -auto-approve` run with `tenantform` and with
//! Terraform, each in its own copy of the directory, against the same provider binary.
//!
//! Every line of both must be one JSON object with `@level`, `@message`, `@module`
//! (`terraform.ui`) and `@timestamp`, and the first a `version` message. Per command the
//! streams must agree on the set of message types, the `(address, action)` pairs of
//! `planned_change`, `apply_start` and `apply_complete`, the addresses of `refresh_start`,
//! the `change_summary` counts, the output names, and for `init` the `message_code`s.
//! Left out of the comparison: Terraform's own warning that the provider comes from
//! `dev_overrides`; during applies, failed `check` assertions (a check's nested data source
//! is read concurrently with the resources it looks for, in both tools, so whether it finds
//! them depends on timing); and in destroy plans (`destroy`, `-destroy`), Terraform's data
//! source reads (of the refresh it runs first), which tenantform does not make (see
//! docs/COMPATIBILITY.md), with the check assertions that depend on them.
//!
//! A second test applies a resource whose provisioner sleeps eleven seconds with both tools
//! and compares the `apply_progress` messages and the human `Still creating... [00m10s
//! elapsed]` line; a third one a resource whose provisioner fails, whose streams must agree
//! message for message (`provision_errored`, `apply_errored`, the error).
//!
//! Set `JSON_UI_ORACLE_FILTER` to a substring of fixture names to run only those fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use acceptance_tests::file_set;
use acceptance_tests::fixtures::fixture_dir;
use acceptance_tests::oracle_run;
use acceptance_tests::plan_compare::indent;
use acceptance_tests::process::DEFAULT_TIMEOUT;
use acceptance_tests::scenario::Tool;
use acceptance_tests::{Project, Terraform, TerraformVersion};
use serde_json::Value;

const PLANS: &str = "plans";
const FILTER_VARIABLE: &str = "JSON_UI_ORACLE_FILTER";
const DEV_OVERRIDES_WARNING: &str = "Provider development overrides are in effect";
const CHECK_ASSERTION_FAILED: &str = "Check block assertion failed";

/// The configurations compared, covering what the UI reports differently.
const FIXTURES: &[&str] = &[
    "01-single-tenant",
    "04-sensitive",
    "05-count",
    "06-for-each-map",
    "14-module-inputs-outputs",
    "16-module-for-each",
    "17-nested-modules",
    "18-depends-on",
    "24-check-blocks",
    "25-data-sources",
    "31-sensitive-module-outputs",
    "32-sensitive-resource-attributes",
];

/// The messages of one command's run, each checked to be a well-formed line.
struct Stream {
    messages: Vec<Value>,
}

impl Stream {
    /// Parses stdout; `Err` names the first line that is not a well-formed message.
    fn parse(stdout: &str, tool: &str) -> Result<Stream, String> {
        let mut messages = Vec::new();
        for line in stdout.lines() {
            let message: Value = serde_json::from_str(line)
                .map_err(|e| format!("{tool}: a line is not JSON ({e}): {line}"))?;
            for field in ["@level", "@message", "@module", "@timestamp", "type"] {
                if !message[field].is_string() {
                    return Err(format!("{tool}: a line has no string {field}: {line}"));
                }
            }
            if message["@module"] != "terraform.ui" {
                return Err(format!("{tool}: @module is not terraform.ui: {line}"));
            }
            let dev_warning = message["diagnostic"]["summary"] == DEV_OVERRIDES_WARNING;
            if !dev_warning {
                messages.push(message);
            }
        }
        match messages.first() {
            Some(first) if first["type"] == "version" && first["ui"].is_string() => {
                Ok(Stream { messages })
            }
            _ => Err(format!(
                "{tool}: the first line is not a version message:\n{stdout}"
            )),
        }
    }

    /// The stream without the messages `unwanted` picks.
    fn without(self, unwanted: impl Fn(&Value) -> bool) -> Stream {
        let messages = self.messages.into_iter().filter(|m| !unwanted(m)).collect();
        Stream { messages }
    }

    fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.messages.iter().filter(move |m| m["type"] == kind)
    }

    fn types(&self) -> BTreeSet<String> {
        self.messages
            .iter()
            .map(|m| m["type"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// `(address, action)` of every message of `kind` whose payload sits under `field`.
    fn addressed(&self, kind: &str, field: &str) -> BTreeSet<(String, String)> {
        self.of_type(kind)
            .map(|m| {
                let payload = &m[field];
                (
                    payload["resource"]["addr"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    payload["action"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn summaries(&self) -> Vec<(String, Value)> {
        self.of_type("change_summary")
            .map(|m| {
                (
                    m["@message"].as_str().unwrap_or_default().to_string(),
                    m["changes"].clone(),
                )
            })
            .collect()
    }

    fn output_names(&self) -> Vec<BTreeSet<String>> {
        self.of_type("outputs")
            .map(|m| {
                m["outputs"]
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn init_codes(&self) -> BTreeSet<String> {
        self.of_type("init_output")
            .map(|m| m["message_code"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Every sensitive output carries no value.
    fn sensitive_outputs_hidden(&self) -> bool {
        self.of_type("outputs")
            .flat_map(|m| {
                m["outputs"]
                    .as_object()
                    .into_iter()
                    .flat_map(|o| o.values())
            })
            .all(|o| o["sensitive"] != true || o.get("value").is_none())
    }
}

/// A fixture copied into a project, driven by one tool.
struct Side {
    tool: Tool,
    project: Project,
}

impl Side {
    fn new(tool: Tool, fixture: &Path) -> Side {
        let project = Project::from_config("");
        std::fs::remove_file(project.path("main.tf")).expect("remove the placeholder main.tf");
        file_set::overlay(
            fixture,
            &project.work_dir(),
            &["edit", "oracle.args", "oracle.env"],
        );
        Side { tool, project }
    }

    /// Runs `args` and parses the stream; `Err` when the exit code is not `expected` or a
    /// line is malformed.
    fn run(&self, terraform: &Terraform, args: &[&str], expected: i32) -> Result<Stream, String> {
        let output = self
            .tool
            .command(&self.project, terraform, args)
            .run(DEFAULT_TIMEOUT);
        if output.code != Some(expected) {
            return Err(format!(
                "{} {args:?} exited with {:?}\n{}",
                self.tool.name(),
                output.code,
                indent(&output.describe())
            ));
        }
        Stream::parse(&output.stdout, self.tool.name())
    }
}

/// The differences between two streams of the same command, as report lines.
fn compare(command: &str, ours: &Stream, theirs: &Stream) -> Vec<String> {
    let mut report = Vec::new();
    let mut differ = |what: &str, our: String, their: String| {
        if our != their {
            report.push(format!(
                "  {command}: {what} differ\n    tenantform: {our}\n    terraform:  {their}"
            ));
        }
    };
    differ(
        "message types",
        format!("{:?}", ours.types()),
        format!("{:?}", theirs.types()),
    );
    for (kind, field) in [
        ("planned_change", "change"),
        ("resource_drift", "change"),
        ("apply_start", "hook"),
        ("apply_complete", "hook"),
        ("apply_errored", "hook"),
        ("refresh_start", "hook"),
        ("refresh_complete", "hook"),
    ] {
        differ(
            &format!("{kind} (address, action) pairs"),
            format!("{:?}", ours.addressed(kind, field)),
            format!("{:?}", theirs.addressed(kind, field)),
        );
    }
    differ(
        "change summaries",
        format!("{:?}", ours.summaries()),
        format!("{:?}", theirs.summaries()),
    );
    differ(
        "output names",
        format!("{:?}", ours.output_names()),
        format!("{:?}", theirs.output_names()),
    );
    differ(
        "init message codes",
        format!("{:?}", ours.init_codes()),
        format!("{:?}", theirs.init_codes()),
    );
    if !ours.sensitive_outputs_hidden() {
        report.push(format!(
            "  {command}: tenantform shows a sensitive output's value"
        ));
    }
    report
}

/// The entries of the compact warnings block of a human `plan -compact-warnings` (the lines
/// between `Warnings:` and the closing hint), without Terraform's `dev_overrides` warning.
fn compact_entries(stdout: &str) -> Vec<String> {
    let mut entries = Vec::new();
    let mut inside = false;
    for line in stdout.lines() {
        if line.trim() == "Warnings:" {
            inside = true;
        } else if line.starts_with("To see the full warning notes") {
            inside = false;
        } else if inside && !line.trim().is_empty() {
            entries.push(line.to_string());
        }
    }
    entries.retain(|e| e != &format!("- {DEV_OVERRIDES_WARNING}"));
    entries
}

/// `plan -compact-warnings` by both tools must list the same warnings.
fn compare_compact_warnings(ours: &Side, theirs: &Side, terraform: &Terraform) -> Vec<String> {
    let args = ["plan", "-compact-warnings", "-no-color", "-input=false"];
    let [our, their] = [ours, theirs].map(|side| {
        let output = side
            .tool
            .command(&side.project, terraform, &args)
            .run(DEFAULT_TIMEOUT);
        (output.code, compact_entries(&output.stdout))
    });
    if our == their {
        Vec::new()
    } else {
        vec![format!(
            "  plan -compact-warnings: differ\n    tenantform: {our:?}\n    terraform:  {their:?}"
        )]
    }
}

/// Runs every command on both sides and compares; `Err` is the mismatch report.
fn check_fixture(fixture: &Path, terraform: &Terraform) -> Result<(), String> {
    let ours = Side::new(Tool::Tenantform, fixture);
    let theirs = Side::new(Tool::Terraform, fixture);
    let commands: [&[&str]; 9] = [
        &["init", "-json"],
        &["plan", "-json"],
        &["apply", "-json", "-auto-approve"],
        &["plan", "-json", "-refresh-only"],
        &["plan", "-json", "-out=tfplan"],
        &["apply", "-json", "tfplan"],
        &["refresh", "-json"],
        &["plan", "-json", "-destroy"],
        &["destroy", "-json", "-auto-approve"],
    ];
    let mut report = Vec::new();
    for args in commands {
        let (our, their) = (
            ours.run(terraform, args, 0)?,
            theirs.run(terraform, args, 0)?,
        );
        let applies = matches!(args[0], "apply" | "refresh" | "destroy");
        let rereads_data = args[0] == "destroy" || args.contains(&"-destroy");
        let check_warning = |m: &Value| {
            (applies || rereads_data) && m["diagnostic"]["summary"] == CHECK_ASSERTION_FAILED
        };
        let data_read = |m: &Value| rereads_data && m["hook"]["action"] == "read";
        let our = our.without(check_warning);
        let their = their.without(check_warning).without(data_read);
        report.extend(compare(&args.join(" "), &our, &their));
    }
    report.extend(compare_compact_warnings(&ours, &theirs, terraform));
    let refused = ours.run(terraform, &["apply", "-json"], 1)?;
    let their_refusal = theirs.run(terraform, &["apply", "-json"], 1)?;
    report.extend(compare(
        "apply -json without approval",
        &refused,
        &their_refusal,
    ));
    let summary = |s: &Stream| {
        s.of_type("diagnostic")
            .map(|m| m["diagnostic"]["summary"].clone())
            .collect::<Vec<_>>()
    };
    if summary(&refused) != summary(&their_refusal) {
        report.push(format!(
            "  apply -json without approval: diagnostics differ: {:?} vs {:?}",
            summary(&refused),
            summary(&their_refusal)
        ));
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report.join("\n"))
    }
}

#[test]
fn json_ui_streams_agree_with_terraform() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let dirs: Vec<PathBuf> = FIXTURES
        .iter()
        .map(|name| fixture_dir(PLANS).join(name))
        .collect();
    for dir in &dirs {
        assert!(dir.is_dir(), "missing fixture {}", dir.display());
    }
    let selected = oracle_run::select_by_env(
        &dirs,
        |dir| dir.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        FILTER_VARIABLE,
    );
    let names: Vec<&str> = selected.iter().map(|(name, _)| *name).collect();
    let failures = oracle_run::check_all(&selected, |dir| check_fixture(dir, &terraform));
    oracle_run::judge(
        "configurations",
        &names,
        &failures,
        &Default::default(),
        "this test",
    );
}

/// A resource whose creation lasts over ten seconds: its provisioner sleeps.
const SLOW_CONFIG: &str = r#"resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 11"
  }
}
"#;

/// `apply` with `args` in a new directory holding [`SLOW_CONFIG`], by `tool`.
fn apply_slow(tool: Tool, terraform: &Terraform, args: &[&str]) -> acceptance_tests::Output {
    let project = Project::from_config(SLOW_CONFIG);
    let output = tool.command(&project, terraform, args).run(DEFAULT_TIMEOUT);
    assert_eq!(output.code, Some(0), "{}", output.describe());
    output
}

#[test]
fn a_long_operation_reports_progress_every_ten_seconds_as_terraform_does() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let json_args = ["apply", "-json", "-auto-approve"];
    let human_args = ["apply", "-auto-approve", "-no-color"];
    let runs: Vec<(Tool, &[&str])> = vec![
        (Tool::Tenantform, &json_args),
        (Tool::Terraform, &json_args),
        (Tool::Tenantform, &human_args),
        (Tool::Terraform, &human_args),
    ];
    let outputs: Vec<acceptance_tests::Output> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(tool, args)| scope.spawn(|| apply_slow(*tool, &terraform, args)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an apply"))
            .collect()
    });
    let progress = |stdout: &str, tool: &str| -> Vec<(String, Value)> {
        let stream = Stream::parse(stdout, tool).unwrap_or_else(|e| panic!("{e}"));
        stream
            .of_type("apply_progress")
            .map(|m| {
                (
                    m["@message"].as_str().unwrap_or_default().to_string(),
                    m["hook"].clone(),
                )
            })
            .collect()
    };
    let ours = progress(&outputs[0].stdout, "tenantform");
    let theirs = progress(&outputs[1].stdout, "terraform");
    assert_eq!(
        ours.first().map(|(message, _)| message.as_str()),
        Some("terraform_data.slow: Still creating... [10s elapsed]"),
        "{}",
        outputs[0].stdout
    );
    assert_eq!(
        ours.first(),
        theirs.first(),
        "the first apply_progress messages"
    );
    let still = "terraform_data.slow: Still creating... [00m10s elapsed]";
    for output in &outputs[2..] {
        assert!(output.stdout.contains(still), "{}", output.stdout);
    }
    let (our_stream, their_stream) = (
        Stream::parse(&outputs[0].stdout, "tenantform").expect("parsed above"),
        Stream::parse(&outputs[1].stdout, "terraform").expect("parsed above"),
    );
    let report = compare("apply -json (slow)", &our_stream, &their_stream);
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// A resource whose provisioner fails.
const FAILING_CONFIG: &str = r#"resource "terraform_data" "broken" {
  provisioner "local-exec" {
    command = "echo going; exit 3"
  }
}
"#;

#[test]
fn a_failed_operation_is_reported_message_for_message_as_terraform_does() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let args = ["apply", "-json", "-auto-approve"];
    let [ours, theirs] = [Tool::Tenantform, Tool::Terraform].map(|tool| {
        let project = Project::from_config(FAILING_CONFIG);
        let output = tool
            .command(&project, &terraform, &args)
            .run(DEFAULT_TIMEOUT);
        assert_eq!(output.code, Some(1), "{}", output.describe());
        let stream = Stream::parse(&output.stdout, tool.name()).unwrap_or_else(|e| panic!("{e}"));
        // Everything but the version line, which names each program, and the timestamps.
        let messages: Vec<(String, String, Value)> = stream.messages[1..]
            .iter()
            .map(|m| {
                let kind = m["type"].as_str().unwrap_or_default().to_string();
                let text = m["@message"].as_str().unwrap_or_default().to_string();
                (kind, text, m["hook"].clone())
            })
            .collect();
        messages
    });
    assert_eq!(ours, theirs);
    let kinds: Vec<&str> = ours.iter().map(|(kind, _, _)| kind.as_str()).collect();
    assert!(
        kinds.contains(&"provision_errored") && kinds.contains(&"apply_errored"),
        "{kinds:?}"
    );
}
