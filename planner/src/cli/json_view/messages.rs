//! The payloads of the machine-readable UI's messages, and their `@message` texts, as
//! Terraform 1.15 writes them: resource addresses, planned changes and drift, change
//! summaries, the apply, refresh and provisioner hooks, and outputs.

use serde_json::{Value as Json, json};

use crate::addrs::{InstanceAddr, InstanceKey, module_instance_string};
use crate::plan::render::Counts;
use crate::plan::{Action, ActionReason, OutputChange, ResourceChange};
use crate::state::State;

/// A resource instance address as the UI describes it.
pub(in crate::cli) fn resource_addr(addr: &InstanceAddr) -> Json {
    let key = match &addr.key {
        InstanceKey::None => Json::Null,
        InstanceKey::Int(i) => json!(i),
        InstanceKey::Str(s) => json!(s),
    };
    json!({
        "addr": addr.to_string(),
        "module": module_instance_string(&addr.module),
        "resource": format!("{}{}", addr.resource, addr.key),
        "implied_provider": addr.resource.implied_provider(),
        "resource_type": addr.resource.type_name,
        "resource_name": addr.resource.name,
        "resource_key": key,
    })
}

/// A planned action's name: `create`, `update`, `delete`, `replace`, `read`, `noop`,
/// `remove`.
pub(in crate::cli) fn action_name(action: Action) -> &'static str {
    match action {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
        Action::Forget => "remove",
    }
}

fn reason_name(reason: ActionReason) -> &'static str {
    match reason {
        ActionReason::ReplaceBecauseCannotUpdate => "cannot_update",
        ActionReason::ReplaceBecauseTainted => "tainted",
        ActionReason::ReplaceByRequest => "requested",
        ActionReason::ReplaceByTriggers => "replace_triggered_by",
        ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
        ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
        ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
        ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
        ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
        ActionReason::DeleteBecauseNoMoveTarget => "delete_because_no_move_target",
        ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
        ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
        ActionReason::ReadBecauseCheckNested => "read_because_check_nested",
    }
}

/// A planned change (or drift) as `planned_change` and `resource_drift` carry it: a move
/// or an import without other change is reported as `move` or `import`.
pub(in crate::cli) fn change(change: &ResourceChange) -> Json {
    let mut action = action_name(change.action);
    let mut object = json!({ "resource": resource_addr(&change.addr) });
    if let Some(previous) = &change.previous_address {
        if action == "noop" {
            action = "move";
        }
        object["previous_resource"] = resource_addr(previous);
    }
    if let Some(importing) = &change.importing {
        if action == "noop" {
            action = "import";
        }
        object["importing"] = json!({ "id": importing.id });
    }
    object["action"] = json!(action);
    if let Some(reason) = change.action_reason {
        object["reason"] = json!(reason_name(reason));
    }
    if let Some(generated) = &change.generated_config {
        object["generated_config"] = json!(generated);
    }
    object
}

/// The `@message` of a `planned_change`: `tenant.acme: Plan to create`.
pub(in crate::cli) fn planned_change_message(change: &Json) -> String {
    format!(
        "{}: Plan to {}",
        change["resource"]["addr"].as_str().unwrap_or_default(),
        change["action"].as_str().unwrap_or_default()
    )
}

/// The `@message` of a `resource_drift`: `tenant.acme: Drift detected (update)`.
pub(in crate::cli) fn drift_message(change: &Json) -> String {
    format!(
        "{}: Drift detected ({})",
        change["resource"]["addr"].as_str().unwrap_or_default(),
        change["action"].as_str().unwrap_or_default()
    )
}

/// Which operation a change summary sums up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::cli) enum Operation {
    Plan,
    Apply,
    Destroy,
}

/// The counts of a `change_summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(in crate::cli) struct Summary {
    pub add: usize,
    pub change: usize,
    pub import: usize,
    pub remove: usize,
}

impl From<Counts> for Summary {
    fn from(counts: Counts) -> Summary {
        Summary {
            add: counts.add,
            change: counts.change,
            import: counts.import,
            remove: counts.destroy,
        }
    }
}

impl Summary {
    /// The summary line, as in the human UI: `Plan: 1 to add, 0 to change, 0 to destroy.`
    pub(in crate::cli) fn message(&self, operation: Operation) -> String {
        match operation {
            Operation::Apply => {
                let imported = match self.import {
                    0 => String::new(),
                    n => format!("{n} imported, "),
                };
                format!(
                    "Apply complete! Resources: {imported}{} added, {} changed, {} destroyed.",
                    self.add, self.change, self.remove
                )
            }
            Operation::Destroy => {
                format!("Destroy complete! Resources: {} destroyed.", self.remove)
            }
            Operation::Plan => {
                let imports = match self.import {
                    0 => String::new(),
                    n => format!("{n} to import, "),
                };
                format!(
                    "Plan: {imports}{} to add, {} to change, {} to destroy.",
                    self.add, self.change, self.remove
                )
            }
        }
    }

    /// The `changes` object of a `change_summary`.
    pub(in crate::cli) fn to_json(self, operation: Operation) -> Json {
        let operation = match operation {
            Operation::Plan => "plan",
            Operation::Apply => "apply",
            Operation::Destroy => "destroy",
        };
        json!({
            "add": self.add,
            "change": self.change,
            "import": self.import,
            "remove": self.remove,
            "action_invocation": 0,
            "operation": operation,
        })
    }
}

/// The `outputs` object of a plan: each root output's sensitivity and planned action.
pub(in crate::cli) fn planned_outputs(outputs: &[OutputChange]) -> Json {
    let mut sorted: Vec<&OutputChange> = outputs.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let object: serde_json::Map<String, Json> = sorted
        .into_iter()
        .map(|o| {
            let entry = json!({ "sensitive": o.sensitive, "action": action_name(o.action) });
            (o.name.clone(), entry)
        })
        .collect();
    Json::Object(object)
}

/// The `outputs` object after an apply or refresh: each root output's sensitivity, type
/// and (unless sensitive) value.
pub(in crate::cli) fn state_outputs(state: &State) -> Json {
    let object: serde_json::Map<String, Json> = state
        .outputs
        .iter()
        .map(|(name, output)| {
            let mut entry = json!({ "sensitive": output.sensitive, "type": output.ty });
            if !output.sensitive {
                entry["value"] = output.value.to_json();
            }
            (name.clone(), entry)
        })
        .collect();
    Json::Object(object)
}

/// The `@message` of an `outputs` message.
pub(in crate::cli) fn outputs_message(outputs: &Json) -> String {
    format!(
        "Outputs: {}",
        outputs.as_object().map_or(0, serde_json::Map::len)
    )
}

#[cfg(test)]
mod tests;
