//! Postconditions after apply: as Terraform does, a managed resource's postconditions are
//! evaluated again against the object an apply produced (what was unknown while planning is
//! known now), after the object is recorded. A failure is an error: what depends on the
//! instance does not start, and the next plan shows the condition failing until it holds.

use tenantform_proto::value::Value;

use crate::diags::{Diagnostic, Diagnostics};
use crate::graph::NodeId;
use crate::lang::EvalContext;
use crate::plan::ResourceChange;
use crate::plan::checks::CheckResult;

use super::applier::InstanceApplier;
use super::modules::{check_status, evaluate_condition};

impl InstanceApplier<'_> {
    /// Evaluates the postconditions of `change`'s resource with `self` the applied object,
    /// recording each result; the failures as errors.
    pub(super) fn check_applied_postconditions(
        &self,
        id: NodeId,
        change: &ResourceChange,
        applied: &Value,
        ctx: &EvalContext,
    ) -> Result<(), Diagnostics> {
        let config = self.scope.module_config(id);
        let Some(resource) = config.resource(&change.addr.resource) else {
            return Ok(());
        };
        let conditions = &resource.lifecycle_rules.postconditions;
        if conditions.is_empty() {
            return Ok(());
        }
        let mut ctx = ctx.clone();
        ctx.self_value = Some(applied.clone());
        let mut diags = Diagnostics::new();
        for condition in conditions {
            let outcome = evaluate_condition(condition, &ctx, config);
            let (status, problem) = check_status(&outcome, condition, &ctx, config);
            self.scope
                .record_check(CheckResult::resource(&change.addr, status, problem));
            match outcome {
                Ok(None) => {}
                Ok(Some(failure)) => {
                    for note in failure.notes.0 {
                        self.scope.report_one(note);
                    }
                    diags.push(
                        Diagnostic::error("Resource postcondition failed", failure.message)
                            .with_range(Some(condition.range.clone())),
                    );
                }
                Err(errors) => diags.extend(errors),
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }
}
