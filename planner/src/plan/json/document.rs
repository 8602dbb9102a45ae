//! The whole JSON plan document of a plan: its prior state as the plan saw it, and the
//! planned changes, values and configuration ([`super::plan_json`]).

use serde_json::Value as Json;

use super::{StateOutput, StateResource, TERRAFORM_VERSION, plan_json};
use crate::plan::{ActionReason, Plan};

/// The JSON plan `show -json` prints for `plan` once saved (and the policy gate's input),
/// with the JSON of its configuration ([`super::configuration_json`]).
pub(crate) fn saved_plan_json(plan: &Plan, configuration: Json) -> Json {
    let mut prior_changes: Vec<_> = plan.changes.iter().chain(&plan.untouched).collect();
    prior_changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    let prior: Vec<StateResource<'_>> = prior_changes
        .into_iter()
        .filter_map(|c| {
            // A check block's data source is read while planning too, into the state the
            // plan starts from, as Terraform does.
            let read_for_check = c.action_reason == Some(ActionReason::ReadBecauseCheckNested)
                && c.planned.is_wholly_known();
            if read_for_check {
                Some(StateResource::planned_of(c))
            } else {
                (!c.prior.is_null()).then(|| StateResource::prior_of(c))
            }
        })
        .collect();
    let prior_outputs = plan.outputs.iter().filter_map(StateOutput::refreshed);
    plan_json(
        TERRAFORM_VERSION,
        plan,
        configuration,
        &prior,
        prior_outputs,
    )
}
