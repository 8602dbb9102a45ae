//! The policy tools that read JSON plans, checkov and terraform-compliance, run on a plan file
//! and reduced to their verdicts: which check passed or failed on which resource, and which
//! feature and scenario failed with which message. `scripts/test.sh` installs both into
//! `.venv-test/` and names the directory in `TENANTFORM_POLICY_BIN`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::binaries::workspace_root;
use crate::process::{CommandSpec, Output};

/// Where `scripts/test.sh` says the tools are.
pub const POLICY_BIN_VARIABLE: &str = "TENANTFORM_POLICY_BIN";
const TOOL_TIMEOUT: Duration = Duration::from_secs(120);

/// The two installed tools.
pub struct PolicyTools {
    checkov: PathBuf,
    terraform_compliance: PathBuf,
}

/// One checkov result: check id, resource address, passed.
pub type CheckResult = (String, String, bool);

/// What terraform-compliance concluded: its exit code, and the lines that carry its verdict
/// (features, scenarios, failures and the totals), without paths or run ids.
#[derive(Debug, PartialEq, Eq)]
pub struct ComplianceVerdict {
    pub code: Option<i32>,
    pub lines: Vec<String>,
}

impl PolicyTools {
    /// The tools of `TENANTFORM_POLICY_BIN`, else of the workspace's `.venv-test/bin`; `None`
    /// when they are not installed there.
    pub fn find() -> Option<PolicyTools> {
        let dir = std::env::var_os(POLICY_BIN_VARIABLE)
            .filter(|dir| !dir.is_empty())
            .map_or_else(|| workspace_root().join(".venv-test/bin"), PathBuf::from);
        let tools = PolicyTools {
            checkov: dir.join("checkov"),
            terraform_compliance: dir.join("terraform-compliance"),
        };
        (tools.checkov.is_file() && tools.terraform_compliance.is_file()).then_some(tools)
    }

    /// `checkov -f PLAN --framework terraform_plan` with the custom checks of `checks_dir`
    /// and the built-in ones, offline: every check result.
    pub fn checkov(&self, plan: &Path, checks_dir: &Path) -> Result<BTreeSet<CheckResult>, String> {
        let output = run(
            &self.checkov,
            &[
                "-f",
                &plan.display().to_string(),
                "--framework",
                "terraform_plan",
                "--external-checks-dir",
                &checks_dir.display().to_string(),
                "--skip-download",
                "-o",
                "json",
            ],
            plan_dir(plan),
        );
        // checkov exits with 1 when a check failed.
        if !matches!(output.code, Some(0 | 1)) {
            return Err(output.describe());
        }
        let report: Value = serde_json::from_str(&output.stdout)
            .map_err(|error| format!("checkov printed no JSON ({error})\n{}", output.describe()))?;
        Ok(checkov_results(&report))
    }

    /// `terraform-compliance -p PLAN -f FEATURES`: the verdict.
    pub fn terraform_compliance(&self, plan: &Path, features: &Path) -> ComplianceVerdict {
        let output = run(
            &self.terraform_compliance,
            &[
                "-p",
                &plan.display().to_string(),
                "-f",
                &features.display().to_string(),
                "--no-ansi",
            ],
            plan_dir(plan),
        );
        ComplianceVerdict {
            code: output.code,
            lines: compliance_lines(&output.stdout),
        }
    }
}

fn plan_dir(plan: &Path) -> &Path {
    plan.parent().unwrap_or(Path::new("."))
}

/// Runs a tool with a minimal environment that keeps checkov off the network.
fn run(program: &Path, args: &[&str], cwd: &Path) -> Output {
    let mut env = vec![
        ("HOME".to_string(), cwd.display().to_string()),
        ("BC_SKIP_MAPPING".to_string(), "TRUE".to_string()),
        (
            "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2".to_string(),
            "false".to_string(),
        ),
        ("LOG_LEVEL".to_string(), "WARNING".to_string()),
        // The custom checks are imported from the fixtures: leave no bytecode there.
        ("PYTHONDONTWRITEBYTECODE".to_string(), "1".to_string()),
    ];
    env.extend(std::env::var("PATH").map(|path| ("PATH".to_string(), path)));
    CommandSpec {
        program: program.to_path_buf(),
        args: args.iter().map(|arg| (*arg).to_string()).collect(),
        cwd: cwd.to_path_buf(),
        env,
    }
    .run(TOOL_TIMEOUT)
}

/// The passed and failed checks of a checkov JSON report (one framework's object, or a list
/// of them).
pub fn checkov_results(report: &Value) -> BTreeSet<CheckResult> {
    let reports: Vec<&Value> = match report {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut results = BTreeSet::new();
    for report in reports {
        for (list, passed) in [("passed_checks", true), ("failed_checks", false)] {
            for check in report["results"][list].as_array().into_iter().flatten() {
                results.insert((
                    check["check_id"].as_str().unwrap_or_default().to_string(),
                    check["resource"].as_str().unwrap_or_default().to_string(),
                    passed,
                ));
            }
        }
    }
    results
}

/// The verdict lines of terraform-compliance's output: `Feature:` and `Scenario:` titles
/// (without the feature file's path), `Failure:` messages and the totals.
pub fn compliance_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            if line.starts_with("Feature:") {
                Some(line.split("  #").next().unwrap_or(line).trim().to_string())
            } else if line.starts_with("Scenario:")
                || line.starts_with("Failure:")
                || is_total(line)
            {
                Some(line.to_string())
            } else {
                None
            }
        })
        .collect()
}

/// `3 features (1 passed, 2 failed)` and the like.
fn is_total(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next().is_some_and(|n| n.parse::<u32>().is_ok())
        && words
            .next()
            .is_some_and(|w| ["features", "scenarios", "steps"].contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkov_results_are_read_from_one_or_many_reports() {
        let report = serde_json::json!({"results": {
            "passed_checks": [{"check_id": "CKV_TENANT_1", "resource": "tenant.a"}],
            "failed_checks": [{"check_id": "CKV_TENANT_2", "resource": "tenant.a"}]
        }});
        let expected = BTreeSet::from([
            ("CKV_TENANT_1".to_string(), "tenant.a".to_string(), true),
            ("CKV_TENANT_2".to_string(), "tenant.a".to_string(), false),
        ]);
        assert_eq!(checkov_results(&report), expected);
        assert_eq!(
            checkov_results(&Value::Array(vec![report.clone()])),
            expected
        );
        assert!(checkov_results(&serde_json::json!({"passed": 0})).is_empty());
    }

    #[test]
    fn compliance_lines_keep_the_verdict_only() {
        let stdout = "terraform_compliance v1.16.0 initiated\n> Plan File\t: /tmp/x/plan.json\n\
            Feature: Tiers  # /tmp/features/a.feature\n\n    Scenario: Enterprise\n        \
            Given I have tenant defined\n\t\tFailure: tier property in tenant.a resource\n\
            1 features (0 passed, 1 failed)\n2 steps (1 passed, 1 failed)\nRun 1234 finished\n";
        assert_eq!(
            compliance_lines(stdout),
            [
                "Feature: Tiers",
                "Scenario: Enterprise",
                "Failure: tier property in tenant.a resource",
                "1 features (0 passed, 1 failed)",
                "2 steps (1 passed, 1 failed)"
            ]
        );
    }
}
