//! `tenantform policy test DIR...` (the policies' unit tests, as `opa test` runs them), and
//! the checks `plan`, `apply` and `destroy` run on a plan before saving or applying it: the
//! policy gate (`-policy=DIR`, `-policy-namespace=NS`) and the blast-radius guard
//! (`-max-destroy=N` or `TENANTFORM_MAX_DESTROY`, `-allow-destroy=ADDRESS`).

use super::args::Parsed;
use super::commands::Command;
use super::flag_defs;
use super::{CommandResult, Failure, Ui};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::plan::Plan;
use crate::plan::json::{configuration_json, saved_plan_json};
use crate::plan::render::Schemas;
use crate::policy::conftest::{self, Finding, Verdict};
use crate::policy::destroy_guard::{self, AllowedAddr, DestroyLimit, LimitSource};
use crate::policy::secrets::Redactor;
use crate::policy::{Policies, PolicyError, opa_test};

/// The environment variable giving the destroy limit when `-max-destroy` is not set.
pub(super) const MAX_DESTROY_VARIABLE: &str = "TENANTFORM_MAX_DESTROY";

pub(super) static TEST_COMMAND: Command = Command::new(
    "policy test",
    "[options] DIR...",
    "  Runs the unit tests of the Rego policies in the given directories (or .rego
  files), as \"opa test\" does: every rule named test_* passes when it is
  defined and not false. JSON files in the directories are loaded as data at
  the path of their directory. Exits 1 when a test fails or cannot be
  evaluated.",
    &[flag_defs::NO_COLOR],
);

/// `tenantform policy SUBCOMMAND`: only `test` exists.
pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    match args.split_first() {
        Some((sub, rest)) if sub == "test" => run_test(ui, rest),
        _ => Err(TEST_COMMAND.usage_error("expected the subcommand \"test\"")),
    }
}

fn run_test(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = TEST_COMMAND.parse(args)?;
    if parsed.positional.is_empty() {
        return Err(TEST_COMMAND.usage_error("expected at least one policy directory"));
    }
    let mut policies = Policies::load(&parsed.positional, true)
        .map_err(|e| Failure::error("Failed to load policies", e.to_string()))?;
    let results = opa_test::run_tests(&mut policies);
    if results.is_empty() {
        return Err(Failure::error(
            "No policy tests",
            format!(
                "No rule named test_* was found in {}.",
                parsed.positional.join(", ")
            ),
        ));
    }
    ui.out(&opa_test::report(&results));
    Ok(i32::from(!opa_test::all_passed(&results)))
}

/// What the gate and guard flags select for one run.
pub(super) struct Gate {
    policy_dirs: Vec<String>,
    namespaces: Vec<String>,
    limit: Option<DestroyLimit>,
    allowed: Vec<AllowedAddr>,
}

impl Gate {
    /// Reads the flags, and the destroy limit from the environment when no flag sets it.
    pub(super) fn from(parsed: &Parsed, command: &'static Command) -> Result<Gate, Failure> {
        Gate::with_environment(parsed, command, std::env::var(MAX_DESTROY_VARIABLE).ok())
    }

    fn with_environment(
        parsed: &Parsed,
        command: &'static Command,
        environment: Option<String>,
    ) -> Result<Gate, Failure> {
        let limit = match (parsed.last("max-destroy"), environment) {
            (Some(text), _) => Some(DestroyLimit {
                max: destroy_guard::parse_limit(text)
                    .map_err(|e| command.usage_error(format!("Invalid -max-destroy: {e}")))?,
                source: LimitSource::Flag,
            }),
            (None, Some(text)) if !text.trim().is_empty() => Some(DestroyLimit {
                max: destroy_guard::parse_limit(&text)
                    .map_err(|e| Failure::error(format!("Invalid {MAX_DESTROY_VARIABLE}"), e))?,
                source: LimitSource::Environment,
            }),
            (None, _) => None,
        };
        let allowed = parsed
            .all("allow-destroy")
            .iter()
            .map(|text| {
                text.parse::<AllowedAddr>()
                    .map_err(|e| command.usage_error(format!("Invalid -allow-destroy: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut namespaces = parsed.all("policy-namespace").to_vec();
        if namespaces.is_empty() {
            namespaces.push(conftest::DEFAULT_NAMESPACE.to_string());
        } else if parsed.all("policy").is_empty() {
            return Err(command.usage_error("-policy-namespace requires -policy=DIR"));
        }
        Ok(Gate {
            policy_dirs: parsed.all("policy").to_vec(),
            namespaces,
            limit,
            allowed,
        })
    }

    /// Whether the gate reads the plan's JSON document (policies are given).
    pub(super) fn reads_plan_document(&self) -> bool {
        !self.policy_dirs.is_empty()
    }

    /// Checks `plan` against the destroy limit and the policies: warnings are shown and
    /// the run goes on; a denial or an exceeded limit fails it with every message.
    /// The policies read the document `show -json` prints for the saved plan, whose
    /// `configuration` comes from `config` and the providers' `schemas`.
    pub(super) fn check(
        &self,
        ui: &Ui,
        plan: &Plan,
        config: &Config,
        schemas: &Schemas,
    ) -> Result<(), Failure> {
        let mut diags = Diagnostics::new();
        if let Some(limit) = self.limit
            && let Err(detail) = destroy_guard::check(plan, limit, &self.allowed)
        {
            diags.push(Diagnostic::error(
                "Too many resource instances to destroy",
                detail,
            ));
        }
        if !self.policy_dirs.is_empty() {
            let document = saved_plan_json(plan, configuration_json(config, schemas));
            diags.extend(self.evaluate(ui, &document));
        }
        if diags.has_errors() {
            return Err(Failure::Diags(diags, Sources::default()));
        }
        ui.diags(&diags, &Sources::default());
        Ok(())
    }

    /// Evaluates the policies against the plan's JSON document: one error per failure and
    /// one warning per warning, or one error when the policies cannot be loaded or
    /// evaluated; what `print` wrote and the exceptions are shown on standard output.
    /// Whatever the policies say passes through the redactor of the document's sensitive
    /// values.
    fn evaluate(&self, ui: &Ui, document: &serde_json::Value) -> Diagnostics {
        let redactor = Redactor::of_plan_document(document);
        let failure = |summary: &str, e: PolicyError| {
            Diagnostics::from(Diagnostic::error(summary, redactor.redact(&e.to_string())))
        };
        let mut policies = match Policies::load(&self.policy_dirs, false) {
            Ok(policies) => policies,
            Err(e) => return failure("Failed to load policies", e),
        };
        let verdict =
            match conftest::evaluate(&mut policies, &document.to_string(), &self.namespaces) {
                Ok(verdict) => verdict,
                Err(e) => return failure("Policy evaluation failed", e),
            };
        for line in &verdict.prints {
            notice(ui, &format!("{}\n", redactor.redact(line)));
        }
        for excepted in &verdict.exceptions {
            notice(
                ui,
                &format!(
                    "\nPolicy exception: {} is excepted by {}\n",
                    excepted.rule,
                    redactor.redact(&excepted.query)
                ),
            );
        }
        policy_diagnostics(&verdict, &redactor)
    }
}

/// What the policies printed, or an exception they granted: text on standard output, or a
/// `log` message of the `-json` stream.
fn notice(ui: &Ui, text: &str) {
    if ui.view.is_json() {
        ui.view.log(text);
    } else {
        ui.out(text);
    }
}

/// One error per failure and one warning per warning, naming the rule and its files.
fn policy_diagnostics(verdict: &Verdict, redactor: &Redactor) -> Diagnostics {
    let detail = |finding: &Finding| {
        format!(
            "{}\n\nRule {} in {}.",
            redactor.redact(&finding.message),
            finding.rule,
            finding.files.join(", ")
        )
    };
    let mut diags = Diagnostics::new();
    for finding in &verdict.failures {
        diags.push(Diagnostic::error("Policy denied the plan", detail(finding)));
    }
    for finding in &verdict.warnings {
        diags.push(Diagnostic::warning("Policy warning", detail(finding)));
    }
    diags
}

#[cfg(test)]
mod tests;
