//! Human-readable state: the `Outputs:` section after apply and the resources `show` prints,
//! in Terraform's HCL-like notation, with sensitive values replaced by `(sensitive value)`
//! or `<sensitive>`; and the conversions from stored state to the JSON representations.

use serde_json::Value as Json;
use tenantform_proto::value::{AttributePath, Number, PathStep, Value};

use crate::plan::json::{StateOutput, StateResource};
use crate::state::State;

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
pub(super) fn sensitive_paths(json: &Json) -> Vec<AttributePath> {
    crate::state::sensitive::decode(json)
}

/// The state's instances as values with their sensitive paths, in address order.
pub(super) struct StateValues {
    values: Vec<(Value, Vec<AttributePath>)>,
}

impl StateValues {
    pub(super) fn of(state: &State) -> StateValues {
        let values = state
            .iter()
            .map(|(_, i)| {
                (
                    json_to_value(&i.attributes.to_json()),
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
            })
            .collect()
    }
}

/// The state's outputs as values.
pub(super) fn output_values(state: &State) -> Vec<(String, Value, bool)> {
    state
        .outputs
        .iter()
        .map(|(n, o)| (n.clone(), json_to_value(&o.value), o.sensitive))
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

/// How HCL notation lays a JSON value out: on one line, or as the elements or entries it
/// nests.
pub(super) enum HclLayout<'a> {
    /// Scalars and empty collections, as written.
    Inline(String),
    Array(&'a [Json]),
    Object(&'a serde_json::Map<String, Json>),
}

impl<'a> HclLayout<'a> {
    pub(super) fn of(json: &'a Json) -> Self {
        match json {
            Json::Null => Self::Inline("null".into()),
            Json::Bool(b) => Self::Inline(b.to_string()),
            Json::Number(n) => Self::Inline(n.to_string()),
            Json::String(s) => Self::Inline(serde_json::to_string(s).unwrap_or_default()),
            Json::Array(items) if items.is_empty() => Self::Inline("[]".into()),
            Json::Array(items) => Self::Array(items),
            Json::Object(entries) if entries.is_empty() => Self::Inline("{}".into()),
            Json::Object(entries) => Self::Object(entries),
        }
    }
}

/// A JSON value in HCL notation: nested lines indented by `step` more spaces than the
/// `indent` of the line the value starts on.
pub(super) fn hcl(json: &Json, indent: usize, step: usize) -> String {
    let pad = " ".repeat(indent + step);
    let end = " ".repeat(indent);
    match HclLayout::of(json) {
        HclLayout::Inline(text) => text,
        HclLayout::Array(items) => {
            let lines: String = items
                .iter()
                .map(|v| format!("{pad}{},\n", hcl(v, indent + step, step)))
                .collect();
            format!("[\n{lines}{end}]")
        }
        HclLayout::Object(entries) => {
            let width = entries
                .keys()
                .map(|k| quoted_key(k).chars().count())
                .max()
                .unwrap_or(0);
            let lines: String = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{pad}{:width$} = {}\n",
                        quoted_key(k),
                        hcl(v, indent + step, step)
                    )
                })
                .collect();
            format!("{{\n{lines}{end}}}")
        }
    }
}

fn quoted_key(key: &str) -> String {
    let bare = key
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        serde_json::to_string(key).unwrap_or_default()
    }
}

/// The `Outputs:` section printed after apply; empty when there are no outputs.
pub(super) fn outputs_text(state: &State) -> String {
    if state.outputs.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nOutputs:\n\n");
    for (name, output) in &state.outputs {
        let value = if output.sensitive {
            "<sensitive>".to_string()
        } else {
            hcl(&output.value, 0, 2)
        };
        out.push_str(&format!("{name} = {value}\n"));
    }
    out
}

/// `show` of a state: every resource instance, then the outputs.
pub(super) fn state_text(state: &State) -> String {
    if state.instances.is_empty() && state.outputs.is_empty() {
        return "The state file is empty. No resources are represented.\n".into();
    }
    let mut out = String::new();
    for (addr, instance) in state.iter() {
        let hidden = sensitive_paths(&instance.sensitive_attributes);
        let keyword = match addr.resource.mode {
            crate::addrs::ResourceMode::Managed => "resource",
            crate::addrs::ResourceMode::Data => "data",
        };
        out.push_str(&format!(
            "# {addr}:\n{keyword} \"{}\" \"{}\" {{\n",
            addr.resource.type_name, addr.resource.name
        ));
        let attributes = instance.attributes.to_json();
        if let Some(attributes) = attributes.as_object() {
            let shown: Vec<_> = attributes.iter().filter(|(_, v)| !v.is_null()).collect();
            let width = shown
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            for (name, value) in shown {
                let secret = hidden
                    .iter()
                    .any(|p| matches!(p.0.first(), Some(PathStep::Attribute(a)) if a == name));
                let text = if secret {
                    "(sensitive value)".to_string()
                } else {
                    hcl(value, 4, 4)
                };
                out.push_str(&format!("    {name:width$} = {text}\n"));
            }
        }
        out.push_str("}\n\n");
    }
    let outputs = outputs_text(state);
    if !outputs.is_empty() {
        out.push_str(outputs.trim_start_matches('\n'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hcl_notation() {
        assert_eq!(hcl(&json!("a\"b"), 0, 2), "\"a\\\"b\"");
        assert_eq!(hcl(&json!(["a", 1]), 0, 2), "[\n  \"a\",\n  1,\n]");
        assert_eq!(
            hcl(&json!({"b": true, "long key": null}), 0, 2),
            "{\n  b          = true\n  \"long key\" = null\n}"
        );
        assert_eq!(hcl(&json!([]), 0, 2), "[]");
    }

    #[test]
    fn terraform_sensitive_attribute_paths() {
        let paths = sensitive_paths(&json!([
            [{"type": "get_attr", "value": "password"}],
            [{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "k", "type": "string"}}],
            [{"type": "get_attr", "value": "list"}, {"type": "index", "value": {"value": 2, "type": "number"}}],
        ]));
        assert_eq!(paths[0], AttributePath::attr("password"));
        assert_eq!(paths[1].0[1], PathStep::StringKey("k".into()));
        assert_eq!(paths[2].0[1], PathStep::IntKey(2));
    }
}
