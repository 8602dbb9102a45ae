//! The machine-readable plan and state of `show -json`, in Terraform's formats (plan format
//! 1.2, state values format 1.0), so that tools that read Terraform plans (checkov,
//! terraform-compliance, OPA policies) read ours.
//!
//! As in Terraform: `after` omits unknown values (null inside sequences, absent in objects),
//! `after_unknown` mirrors `after` with `true` at unknown leaves and known object attributes
//! left out, and `before_sensitive` / `after_sensitive` do the same for sensitive leaves.
//! Sensitive values themselves are present, as in Terraform's JSON output.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};
use tenantform_proto::value::{AttributePath, PathStep, Value};

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceMode, module_instance_string};
use crate::plan::shapes::UnknownCollection;
use crate::plan::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};

mod configuration;
mod document;
mod expressions;
mod sensitive;
mod types;
mod version_constraints;
pub(crate) use configuration::configuration_json;
pub(crate) use document::saved_plan_json;
pub(crate) use sensitive::sensitive_as_bool;

/// The plan format version this module writes.
pub(crate) const PLAN_FORMAT_VERSION: &str = "1.2";
/// The state values format version this module writes.
pub(crate) const STATE_FORMAT_VERSION: &str = "1.0";
/// The `terraform_version` of `show -json`: the Terraform version whose formats and
/// behaviour tenantform follows (tools that read JSON plans, such as terraform-compliance,
/// check it).
pub(crate) use crate::config::version_constraint::COMPATIBLE_TERRAFORM_VERSION as TERRAFORM_VERSION;

/// One resource instance of a state, as the JSON state representation needs it.
pub(crate) struct StateResource<'a> {
    pub addr: &'a InstanceAddr,
    /// Fully qualified provider source address.
    pub provider: &'a str,
    pub schema_version: i64,
    pub values: &'a Value,
    pub sensitive_paths: &'a [AttributePath],
    /// Where `values` holds unknown collections (planned values only).
    pub unknown_collections: &'a [UnknownCollection],
    /// The resources it depends on, as the state records them (`depends_on` of a state's
    /// JSON; planned values have none).
    pub depends_on: &'a [String],
}

/// One root module output of a state.
pub(crate) struct StateOutput<'a> {
    pub name: &'a str,
    pub value: &'a Value,
    pub sensitive: bool,
}

impl<'a> StateResource<'a> {
    /// The object `change` plans, with its unknown collections.
    pub(crate) fn planned_of(change: &'a ResourceChange) -> Self {
        StateResource {
            values: &change.planned,
            unknown_collections: &change.unknown_collections,
            depends_on: &[],
            ..Self::prior_of(change)
        }
    }

    /// The object `change` starts from.
    pub(crate) fn prior_of(change: &'a ResourceChange) -> Self {
        StateResource {
            addr: &change.addr,
            provider: &change.provider,
            schema_version: change.schema_version,
            values: &change.prior,
            sensitive_paths: &change.sensitive_paths,
            unknown_collections: &[],
            depends_on: &change.dependencies,
        }
    }
}

impl<'a> StateOutput<'a> {
    /// The value `output` has in the state the plan was made against, as Terraform's plan
    /// records it: the planned value when it is wholly known (planning evaluates outputs),
    /// else the stored one. `None` when that is null (no such output).
    pub(crate) fn refreshed(output: &'a OutputChange) -> Option<Self> {
        let planned = output.action != Action::Delete && output.after.is_wholly_known();
        let state = if planned {
            Self::of(output, false)
        } else {
            Self::of(output, true)
        };
        (!state.value.is_null()).then_some(state)
    }

    /// The value `output` has before the plan (`before`) or after it.
    pub(crate) fn of(output: &'a OutputChange, before: bool) -> Self {
        StateOutput {
            name: &output.name,
            value: if before {
                &output.before
            } else {
                &output.after
            },
            sensitive: output.sensitive,
        }
    }
}

/// Terraform's action list for an action.
pub(crate) fn action_names(action: Action) -> &'static [&'static str] {
    match action {
        Action::NoOp => &["no-op"],
        Action::Create => &["create"],
        Action::Read => &["read"],
        Action::Update => &["update"],
        Action::DeleteThenCreate => &["delete", "create"],
        Action::CreateThenDelete => &["create", "delete"],
        Action::Delete => &["delete"],
        Action::Forget => &["forget"],
    }
}

/// Terraform's name for an action reason.
pub(crate) fn reason_name(reason: ActionReason) -> &'static str {
    match reason {
        ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
        ActionReason::ReplaceBecauseTainted => "replace_because_tainted",
        ActionReason::ReplaceByRequest => "replace_by_request",
        ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
        ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
        ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
        ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
        ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
        ActionReason::ReplaceByTriggers => "replace_by_triggers",
        ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
        ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
        ActionReason::ReadBecauseCheckNested => "read_because_check_nested",
        ActionReason::DeleteBecauseNoMoveTarget => "delete_because_no_move_target",
    }
}

/// The JSON of a value with unknowns left out: `None` for an unknown value, absent object
/// attributes and map entries, null elements of sequences.
pub(crate) fn known_json(value: &Value) -> Option<Json> {
    let sequence = |items: &[Value]| {
        Json::Array(
            items
                .iter()
                .map(|v| known_json(v).unwrap_or(Json::Null))
                .collect(),
        )
    };
    Some(match value {
        Value::Unknown => return None,
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => n.to_json().map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => sequence(items),
        Value::Map(entries) | Value::Object(entries) => Json::Object(
            entries
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), known_json(v)?)))
                .collect(),
        ),
    })
}

/// Terraform's `unknownAsBool`: `true` where unknown, `false` at known leaves, sequences
/// element by element, objects without their `false` attributes.
pub(crate) fn unknown_as_bool(value: &Value) -> Json {
    match value {
        Value::Unknown => Json::Bool(true),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            Json::Array(items.iter().map(unknown_as_bool).collect())
        }
        Value::Map(entries) | Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), unknown_as_bool(v)))
                .filter(|(_, b)| *b != Json::Bool(false))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}

fn key_json(key: &InstanceKey) -> Option<Json> {
    match key {
        InstanceKey::None => None,
        InstanceKey::Int(i) => Some(json!(i)),
        InstanceKey::Str(s) => Some(json!(s)),
    }
}

fn mode_name(mode: ResourceMode) -> &'static str {
    match mode {
        ResourceMode::Managed => "managed",
        ResourceMode::Data => "data",
    }
}

/// The common head of a resource object: address, mode, type, name, index, provider.
fn resource_head(addr: &InstanceAddr, provider: &str) -> Map<String, Json> {
    let mut object = Map::new();
    object.insert("address".into(), json!(addr.to_string()));
    if !addr.module.is_empty() {
        object.insert(
            "module_address".into(),
            json!(module_instance_string(&addr.module)),
        );
    }
    object.insert("mode".into(), json!(mode_name(addr.resource.mode)));
    object.insert("type".into(), json!(addr.resource.type_name));
    object.insert("name".into(), json!(addr.resource.name));
    if let Some(index) = key_json(&addr.key) {
        object.insert("index".into(), index);
    }
    object.insert("provider_name".into(), json!(provider));
    object
}

/// A resource in a values representation (`planned_values`, `prior_state`, `show -json`).
fn value_resource(resource: &StateResource<'_>) -> (Vec<ModuleStep>, Json) {
    let mut object = resource_head(resource.addr, resource.provider);
    object.remove("module_address");
    object.insert("schema_version".into(), json!(resource.schema_version));
    object.insert(
        "values".into(),
        known_json(resource.values).unwrap_or(Json::Null),
    );
    object.insert(
        "sensitive_values".into(),
        match sensitive_as_bool(
            resource.values,
            resource.sensitive_paths,
            resource.unknown_collections,
        ) {
            Json::Bool(false) => json!({}),
            other => other,
        },
    );
    if !resource.depends_on.is_empty() {
        object.insert("depends_on".into(), json!(resource.depends_on));
    }
    (resource.addr.module.clone(), Json::Object(object))
}

/// Nests resources into `root_module` with `child_modules`, as Terraform does.
fn module_tree(resources: Vec<(Vec<ModuleStep>, Json)>) -> Json {
    let mut by_module: BTreeMap<Vec<ModuleStep>, Vec<Json>> = BTreeMap::new();
    for (module, resource) in resources {
        by_module.entry(module).or_default().push(resource);
    }
    let paths: Vec<Vec<ModuleStep>> = by_module.keys().cloned().collect();
    let mut all: BTreeSet<Vec<ModuleStep>> = BTreeSet::new();
    for path in paths {
        for len in 0..=path.len() {
            all.insert(path[..len].to_vec());
        }
    }
    build_module(&[], &all, &mut by_module)
}

fn build_module(
    prefix: &[ModuleStep],
    all: &BTreeSet<Vec<ModuleStep>>,
    by_module: &mut BTreeMap<Vec<ModuleStep>, Vec<Json>>,
) -> Json {
    let mut object = Map::new();
    if !prefix.is_empty() {
        object.insert("address".into(), json!(module_instance_string(prefix)));
    }
    let resources = by_module.remove(prefix).unwrap_or_default();
    if !resources.is_empty() {
        object.insert("resources".into(), Json::Array(resources));
    }
    let mut children: Vec<Vec<ModuleStep>> = all
        .range(prefix.to_vec()..)
        .skip(1)
        .take_while(|p| p.starts_with(prefix))
        .filter(|p| p.len() == prefix.len() + 1)
        .cloned()
        .collect();
    // Terraform orders child modules by their address text.
    children.sort_by_cached_key(|child| module_instance_string(child));
    if !children.is_empty() {
        let modules = children
            .iter()
            .map(|c| build_module(c, all, by_module))
            .collect();
        object.insert("child_modules".into(), Json::Array(modules));
    }
    Json::Object(object)
}

fn outputs_json<'a>(outputs: impl Iterator<Item = StateOutput<'a>>) -> Json {
    let mut map = Map::new();
    for output in outputs {
        let mut object = Map::new();
        object.insert("sensitive".into(), json!(output.sensitive));
        // As Terraform: a value with unknown parts is left out whole.
        if output.value.is_wholly_known()
            && let Some(value) = known_json(output.value)
        {
            object.insert("value".into(), value);
            object.insert("type".into(), types::type_json(output.value));
        }
        map.insert(output.name.to_string(), Json::Object(object));
    }
    Json::Object(map)
}

/// How a values representation orders each module's resources, as Terraform does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResourceOrder {
    /// Planned values: by address text.
    Address,
    /// States: data sources first, then by type, name and instance key.
    State,
}

/// The values representation of a state: `{outputs, root_module}`.
pub(crate) fn state_values<'a>(
    resources: &[StateResource<'a>],
    outputs: impl Iterator<Item = StateOutput<'a>>,
    order: ResourceOrder,
) -> Json {
    let mut object = Map::new();
    let outputs = outputs_json(outputs);
    if outputs.as_object().is_some_and(|o| !o.is_empty()) {
        object.insert("outputs".into(), outputs);
    }
    let mut sorted: Vec<&StateResource<'a>> = resources.iter().collect();
    match order {
        ResourceOrder::Address => sorted.sort_by_cached_key(|r| r.addr.to_string()),
        ResourceOrder::State => sorted.sort_by(|a, b| {
            let key = |r: &StateResource<'_>| {
                let resource = &r.addr.resource;
                (
                    resource.mode != ResourceMode::Data,
                    resource.type_name.clone(),
                    resource.name.clone(),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.addr.key.cmp(&b.addr.key))
        }),
    }
    object.insert(
        "root_module".into(),
        module_tree(sorted.into_iter().map(value_resource).collect()),
    );
    Json::Object(object)
}

/// `show -json` of a state.
pub(crate) fn state_json<'a>(
    version: &str,
    resources: &[StateResource<'a>],
    outputs: impl Iterator<Item = StateOutput<'a>>,
) -> Json {
    let outputs: Vec<StateOutput<'a>> = outputs.collect();
    if resources.is_empty() && outputs.is_empty() {
        return json!({ "format_version": STATE_FORMAT_VERSION });
    }
    json!({
        "format_version": STATE_FORMAT_VERSION,
        "terraform_version": version,
        "values": state_values(resources, outputs.into_iter(), ResourceOrder::State),
    })
}

fn resource_change_json(change: &ResourceChange) -> Json {
    let mut object = resource_head(&change.addr, &change.provider);
    if let Some(previous) = &change.previous_address {
        object.insert("previous_address".into(), json!(previous.to_string()));
    }
    if let Some(key) = &change.deposed {
        object.insert("deposed".into(), json!(key));
    }
    let mut body = Map::new();
    let names: Vec<Json> = action_names(change.action)
        .iter()
        .map(|a| json!(a))
        .collect();
    body.insert("actions".into(), Json::Array(names));
    let before = known_json(&change.prior).unwrap_or(Json::Null);
    body.insert("before".into(), before);
    if let Some(after) = known_json(&change.planned) {
        body.insert("after".into(), after);
    }
    let after_unknown = if change.planned.is_wholly_known() {
        json!({})
    } else {
        unknown_as_bool(&change.planned)
    };
    body.insert("after_unknown".into(), after_unknown);
    body.insert(
        "before_sensitive".into(),
        sensitive_as_bool(&change.prior, &change.sensitive_paths, &[]),
    );
    body.insert(
        "after_sensitive".into(),
        sensitive_as_bool(
            &change.planned,
            &change.sensitive_paths,
            &change.unknown_collections,
        ),
    );
    if !change.requires_replace.is_empty() && change.action != Action::Update {
        let paths = change.requires_replace.iter().map(path_json).collect();
        body.insert("replace_paths".into(), Json::Array(paths));
    }
    if let Some(importing) = &change.importing {
        body.insert("importing".into(), json!({ "id": importing.id }));
    }
    if let Some(generated) = &change.generated_config {
        body.insert("generated_config".into(), json!(generated));
    }
    object.insert("change".into(), Json::Object(body));
    if let Some(reason) = change.action_reason {
        object.insert("action_reason".into(), json!(reason_name(reason)));
    }
    Json::Object(object)
}

fn path_json(path: &AttributePath) -> Json {
    Json::Array(
        path.0
            .iter()
            .map(|step| match step {
                PathStep::Attribute(name) | PathStep::StringKey(name) => json!(name),
                PathStep::IntKey(index) => json!(index),
            })
            .collect(),
    )
}

/// `show -json PLANFILE`: Terraform's JSON plan. `prior` is the state the plan was made
/// against; `configuration` the configuration's JSON ([`configuration_json`]).
pub(crate) fn plan_json<'a>(
    version: &str,
    plan: &Plan,
    configuration: Json,
    prior: &[StateResource<'a>],
    prior_outputs: impl Iterator<Item = StateOutput<'a>>,
) -> Json {
    let mut top = Map::new();
    top.insert("format_version".into(), json!(PLAN_FORMAT_VERSION));
    top.insert("terraform_version".into(), json!(version));
    if !plan.variables.is_empty() {
        let variables: Map<String, Json> = plan
            .variables
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!({ "value": known_json(v).unwrap_or(Json::Null) }),
                )
            })
            .collect();
        top.insert("variables".into(), Json::Object(variables));
    }
    let survivors: Vec<StateResource<'_>> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Delete | Action::Forget) && !c.planned.is_null())
        // As in Terraform, a data source read while planning is no planned change.
        .filter(|c| !(c.addr.resource.mode == ResourceMode::Data && c.action == Action::NoOp))
        .map(StateResource::planned_of)
        .collect();
    let planned_outputs = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::Delete)
        .map(|o| StateOutput::of(o, false));
    top.insert(
        "planned_values".into(),
        state_values(&survivors, planned_outputs, ResourceOrder::Address),
    );
    let visible = plan.changes.iter().filter(|c| {
        !(c.addr.resource.mode == ResourceMode::Data
            && matches!(c.action, Action::Delete | Action::NoOp))
    });
    // A refresh-only plan proposes no resource changes: only the drift it would record.
    let changes: Vec<Json> = match plan.mode {
        PlanMode::RefreshOnly => Vec::new(),
        _ => visible
            .map(|c| resource_change_json(&c.as_shown(plan.mode)))
            .collect(),
    };
    let drift: Vec<Json> = plan.drift.iter().map(resource_change_json).collect();
    if !drift.is_empty() {
        top.insert("resource_drift".into(), Json::Array(drift));
    }
    if !changes.is_empty() {
        top.insert("resource_changes".into(), Json::Array(changes));
    }
    if !plan.outputs.is_empty() {
        top.insert("output_changes".into(), output_changes_json(plan));
    }
    let prior_state = state_json(version, prior, prior_outputs);
    if prior_state.get("values").is_some() {
        top.insert("prior_state".into(), prior_state);
    }
    top.insert("configuration".into(), configuration);
    if !plan.relevant_attributes.is_empty() {
        let relevant = plan
            .relevant_attributes
            .iter()
            .map(|r| json!({"resource": r.resource.to_string(), "attribute": path_json(&r.attribute)}))
            .collect();
        top.insert("relevant_attributes".into(), Json::Array(relevant));
    }
    if !plan.checks.is_empty() {
        top.insert(
            "checks".into(),
            crate::plan::checks::checks_json(&plan.checks),
        );
    }
    if !plan.timestamp.is_empty() {
        top.insert("timestamp".into(), json!(plan.timestamp));
    } else if let Ok(now) =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339)
    {
        top.insert("timestamp".into(), json!(now));
    }
    top.insert("applyable".into(), json!(!plan.is_empty()));
    top.insert("complete".into(), json!(true));
    top.insert("errored".into(), json!(false));
    Json::Object(top)
}

fn output_changes_json(plan: &Plan) -> Json {
    let mut map = Map::new();
    for output in &plan.outputs {
        let names: Vec<Json> = action_names(output.action)
            .iter()
            .map(|a| json!(a))
            .collect();
        let mut body = Map::new();
        body.insert("actions".into(), Json::Array(names));
        body.insert(
            "before".into(),
            known_json(&output.before).unwrap_or(Json::Null),
        );
        if let Some(after) = known_json(&output.after) {
            body.insert("after".into(), after);
        }
        let after_unknown = if output.after.is_wholly_known() {
            json!(false)
        } else {
            unknown_as_bool(&output.after)
        };
        body.insert("after_unknown".into(), after_unknown);
        body.insert("before_sensitive".into(), json!(output.sensitive));
        body.insert("after_sensitive".into(), json!(output.sensitive));
        map.insert(output.name.clone(), Json::Object(body));
    }
    Json::Object(map)
}

#[cfg(test)]
mod tests;
