//! Human-readable state: the `Outputs:` section after apply, and the stored objects `show` and
//! `state show` print (decoded with the providers' schemas, rendered by the plan renderer
//! without action symbols); and the conversions from stored state to the JSON
//! representations.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;
use tenantform_proto::schema::{Block, ProviderSchema, Schema};
use tenantform_proto::value::{AttributePath, Number, Value};

use crate::addrs::{InstanceAddr, ResourceMode};
use crate::plan::render::{render_stored, render_stored_output};

use crate::plan::json::{StateOutput, StateResource};
use crate::state::{InstanceState, State, StoredJson};

/// An untyped value from stored JSON (objects become objects, arrays lists).
pub(super) fn json_to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(Number::from_json(n)),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(json_to_value).collect()),
        Json::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
    }
}

/// Terraform's `sensitive_attributes` (`[[{"type":"get_attr","value":"password"}]]`) as paths.
pub(super) fn sensitive_paths(stored: &StoredJson) -> Vec<AttributePath> {
    crate::state::sensitive::decode_stored(stored)
}

/// The state's instances as values with their sensitive paths, in address order.
pub(super) struct StateValues {
    values: Vec<(Value, Vec<AttributePath>)>,
}

/// Provider schemas by provider source address (`registry.terraform.io/tenantform/tenant`).
pub(super) type SchemasBySource = BTreeMap<String, Arc<ProviderSchema>>;

impl StateValues {
    /// Each instance decoded with its resource type's schema where `schemas` has it (so that
    /// attributes of dynamic type lose their stored `{value, type}` wrapper), else untyped.
    pub(super) fn of(state: &State, schemas: &SchemasBySource) -> StateValues {
        let values = state
            .iter()
            .map(|(addr, i)| {
                let block = schema_of(schemas, addr, &i.provider).map(|s| &s.block);
                (
                    decode_stored(i, block),
                    sensitive_paths(&i.sensitive_attributes),
                )
            })
            .collect();
        StateValues { values }
    }

    pub(super) fn resources<'a>(&'a self, state: &'a State) -> Vec<StateResource<'a>> {
        state
            .iter()
            .zip(&self.values)
            .map(|((addr, instance), (values, paths))| StateResource {
                addr,
                provider: &instance.provider,
                schema_version: instance.schema_version as i64,
                values,
                sensitive_paths: paths,
                unknown_collections: &[],
                depends_on: &instance.dependencies,
            })
            .collect()
    }
}

/// The state's outputs as values of the types the state records for them.
pub(super) fn output_values(state: &State) -> Vec<(String, Value, bool)> {
    state
        .outputs
        .iter()
        .map(|(n, o)| {
            (
                n.clone(),
                super::output_command::typed_value(o).0,
                o.sensitive,
            )
        })
        .collect()
}

pub(super) fn state_outputs(
    outputs: &[(String, Value, bool)],
) -> impl Iterator<Item = StateOutput<'_>> {
    outputs.iter().map(|(name, value, sensitive)| StateOutput {
        name,
        value,
        sensitive: *sensitive,
    })
}

/// The `Outputs:` section printed after apply; empty when there are no outputs.
pub(super) fn outputs_text(state: &State) -> String {
    if state.outputs.is_empty() {
        return String::new();
    }
    format!(
        "\nOutputs:\n\n{}",
        super::output_command::human_outputs(&state.outputs)
    )
}

/// `show` of a state, as Terraform renders it: every resource instance (as `values` decoded
/// it, laid out by its schema's blocks), a blank line between them, then the outputs.
pub(super) fn state_text(state: &State, values: &StateValues, schemas: &SchemasBySource) -> String {
    if state.instances.is_empty() && state.outputs.is_empty() {
        return "The state file is empty. No resources are represented.\n".into();
    }
    let objects: Vec<String> = state
        .iter()
        .zip(&values.values)
        .map(|((addr, instance), (value, sensitive))| {
            let block = schema_of(schemas, addr, &instance.provider).map(|s| &s.block);
            object_text(addr, instance.tainted, value, sensitive, block)
        })
        .collect();
    let mut out = objects.join("\n");
    if !state.outputs.is_empty() {
        out.push_str("\n\nOutputs:\n\n");
        for (name, output) in &state.outputs {
            let value = super::output_command::typed_value(output).0;
            out.push_str(&render_stored_output(name, &value, output.sensitive));
            out.push('\n');
        }
    }
    out
}

/// One stored object decoded with its resource type's schema `block` (so that attributes of
/// dynamic type lose their stored `{value, type}` wrapper); untyped without one.
pub(super) fn decode_stored(instance: &InstanceState, block: Option<&Block>) -> Value {
    block
        .and_then(|block| instance.attributes.decode(&block.implied_type()).ok())
        .unwrap_or_else(|| json_to_value(&instance.attributes.to_json()))
}

/// `# ADDR:` and the object, as `show` and `state show` print one stored object.
pub(super) fn stored_object_text(
    addr: &InstanceAddr,
    instance: &InstanceState,
    block: Option<&Block>,
) -> String {
    let value = decode_stored(instance, block);
    let sensitive = sensitive_paths(&instance.sensitive_attributes);
    object_text(addr, instance.tainted, &value, &sensitive, block)
}

fn object_text(
    addr: &InstanceAddr,
    tainted: bool,
    value: &Value,
    sensitive: &[AttributePath],
    block: Option<&Block>,
) -> String {
    let keyword = match addr.resource.mode {
        ResourceMode::Managed => "resource",
        ResourceMode::Data => "data",
    };
    let tainted = if tainted { " (tainted)" } else { "" };
    let header = format!(
        "{keyword} \"{}\" \"{}\"",
        addr.resource.type_name, addr.resource.name
    );
    let body = render_stored(&header, value, block, sensitive);
    format!("# {addr}:{tainted}\n{body}\n")
}

/// The schemas of the configuration's providers by source address, to decode stored objects
/// with, as Terraform loads them for `show` and `state show`; none without a configuration.
pub(super) async fn stored_schemas() -> Result<SchemasBySource, super::Failure> {
    let Ok(config) = super::common::load_config() else {
        return Ok(SchemasBySource::new());
    };
    let providers = super::common::start_providers(&config).await?;
    let by_source = providers
        .sources
        .iter()
        .filter_map(|(local, source)| {
            let schema = providers.schemas.get(local)?;
            Some((source.clone(), schema.clone()))
        })
        .collect();
    super::common::close_providers(&providers).await;
    Ok(by_source)
}

/// The schema of a stored object's resource type, where its provider's schema is known.
pub(super) fn schema_of<'s>(
    schemas: &'s SchemasBySource,
    addr: &InstanceAddr,
    provider: &str,
) -> Option<&'s Schema> {
    let schema = schemas.get(provider)?;
    match addr.resource.mode {
        ResourceMode::Managed => schema.resources.get(&addr.resource.type_name),
        ResourceMode::Data => schema.data_sources.get(&addr.resource.type_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tenantform_proto::value::PathStep;

    #[test]
    fn terraform_sensitive_attribute_paths() {
        let paths = sensitive_paths(&StoredJson::from_json(&json!([
            [{"type": "get_attr", "value": "password"}],
            [{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "k", "type": "string"}}],
            [{"type": "get_attr", "value": "list"}, {"type": "index", "value": {"value": 2, "type": "number"}}],
        ])));
        assert_eq!(paths[0], AttributePath::attr("password"));
        assert_eq!(paths[1].0[1], PathStep::StringKey("k".into()));
        assert_eq!(paths[2].0[1], PathStep::IntKey(2));
    }
}
