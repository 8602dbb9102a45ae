//! Policy unit tests as `opa test` runs them: every rule named `test_*` (not a function) in
//! any package is evaluated with no input; it passes when its value is defined and not
//! `false`, fails otherwise, and is an error when evaluation fails. `todo_test_*` rules are
//! skipped. The report has `opa test -v`'s lines and summary.

use std::time::{Duration, Instant};

use regorus::Value;
use regorus::unstable::{Rule, RuleHead};
use regorus::utils::get_path_string;

use super::Policies;

/// How one test ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pass,
    Fail,
    Skip,
    Error(String),
}

/// One test's result: its full name (`data.main.test_deny`), outcome and duration.
#[derive(Clone, Debug)]
pub(crate) struct TestResult {
    pub name: String,
    pub outcome: Outcome,
    pub duration: Duration,
    /// What the test's `print` calls wrote, `FILE:LINE: message` each.
    pub output: Vec<String>,
}

/// Runs every test rule of the loaded policies, in order of appearance.
pub(crate) fn run_tests(policies: &mut Policies) -> Vec<TestResult> {
    let mut names: Vec<(String, bool)> = Vec::new();
    for module in policies.modules() {
        let Ok(package) = get_path_string(&module.package.refr, Some("data")) else {
            continue;
        };
        for rule in &module.policy {
            let Some(name) = test_name(rule) else {
                continue;
            };
            let skipped = name.starts_with("todo_test_");
            let full = format!("{package}.{name}");
            if !names.iter().any(|(known, _)| *known == full) {
                names.push((full, skipped));
            }
        }
    }
    names
        .into_iter()
        .map(|(name, skipped)| {
            let started = Instant::now();
            let outcome = if skipped {
                Outcome::Skip
            } else {
                match policies.eval_rule(&name) {
                    Ok(Value::Undefined | Value::Bool(false)) => Outcome::Fail,
                    Ok(_) => Outcome::Pass,
                    Err(err) => Outcome::Error(err.to_string()),
                }
            };
            TestResult {
                name,
                outcome,
                duration: started.elapsed(),
                output: policies.take_prints(),
            }
        })
        .collect()
}

/// The name of a test rule: a rule (not a function) named `test_*` or `todo_test_*`.
fn test_name(rule: &Rule) -> Option<String> {
    let Rule::Spec {
        head: RuleHead::Compr { refr, .. },
        ..
    } = rule
    else {
        return None;
    };
    let name = get_path_string(refr, None).ok()?;
    (name.starts_with("test_") || name.starts_with("todo_test_")).then_some(name)
}

/// The report `opa test -v` prints: one line per test, what its `print` calls wrote and
/// an error's message indented below it, a rule of dashes, then the counts of each outcome.
pub(crate) fn report(results: &[TestResult]) -> String {
    let mut text = String::new();
    for result in results {
        let outcome = match &result.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIPPED",
            Outcome::Error(_) => "ERROR",
        };
        text.push_str(&format!(
            "{}: {outcome} ({})\n",
            result.name,
            go_duration(result.duration)
        ));
        if !result.output.is_empty() {
            text.push('\n');
            for line in &result.output {
                text.push_str(&format!("  {line}\n"));
            }
            text.push('\n');
        }
        if let Outcome::Error(message) = &result.outcome {
            text.push_str(&format!("  {message}\n"));
        }
    }
    if !results.is_empty() {
        text.push_str(&"-".repeat(80));
        text.push('\n');
    }
    let total = results.len();
    let count =
        |wanted: fn(&Outcome) -> bool| results.iter().filter(|r| wanted(&r.outcome)).count();
    for (label, n) in [
        ("PASS", count(|o| *o == Outcome::Pass)),
        ("FAIL", count(|o| *o == Outcome::Fail)),
        ("SKIPPED", count(|o| *o == Outcome::Skip)),
        ("ERROR", count(|o| matches!(o, Outcome::Error(_)))),
    ] {
        if n != 0 {
            text.push_str(&format!("{label}: {n}/{total}\n"));
        }
    }
    text
}

/// True when every test passed or was skipped (and there was at least one test).
pub(crate) fn all_passed(results: &[TestResult]) -> bool {
    !results.is_empty()
        && results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Pass | Outcome::Skip))
}

/// A duration as Go's `time.Duration.String` writes it (`436.542µs`, `1.5ms`, `2s`).
pub(crate) fn go_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    let (unit, scale) = match nanos {
        0 => return "0s".to_string(),
        1..1_000 => return format!("{nanos}ns"),
        1_000..1_000_000 => ("µs", 1_000),
        1_000_000..1_000_000_000 => ("ms", 1_000_000),
        _ => ("s", 1_000_000_000),
    };
    let whole = nanos / scale;
    let fraction = format!("{:0width$}", nanos % scale, width = scale.ilog10() as usize);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{whole}{unit}")
    } else {
        format!("{whole}.{fraction}{unit}")
    }
}
