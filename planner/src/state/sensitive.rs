//! The `sensitive_attributes` of a stored instance: the paths of its sensitive parts, in
//! Terraform's state encoding (`[[{"type":"get_attr","value":"password"}]]`, with `index`
//! steps for list indices and map keys).

use serde_json::{Value as Json, json};
use tenantform_proto::value::{AttributePath, PathStep};

use super::StoredJson;

/// Paths as the state file stores them.
pub(crate) fn encode(paths: &[AttributePath]) -> Json {
    Json::Array(
        paths
            .iter()
            .map(|path| Json::Array(path.0.iter().map(encode_step).collect()))
            .collect(),
    )
}

fn encode_step(step: &PathStep) -> Json {
    match step {
        PathStep::Attribute(name) => json!({"type": "get_attr", "value": name}),
        PathStep::StringKey(key) => json!({
            "type": "index",
            "value": {"value": key, "type": "string"}
        }),
        PathStep::IntKey(index) => json!({
            "type": "index",
            "value": {"value": index, "type": "number"}
        }),
    }
}

/// Paths as a stored instance keeps them.
pub(crate) fn encode_stored(paths: &[AttributePath]) -> StoredJson {
    StoredJson::from_json(&encode(paths))
}

/// The paths a stored instance keeps; steps it cannot read drop their path.
pub(crate) fn decode_stored(stored: &StoredJson) -> Vec<AttributePath> {
    decode(&stored.to_json())
}

/// The paths a state file stores; steps it cannot read drop their path.
pub(crate) fn decode(json: &Json) -> Vec<AttributePath> {
    let Some(paths) = json.as_array() else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(|path| {
            let steps = path.as_array()?;
            steps
                .iter()
                .map(decode_step)
                .collect::<Option<Vec<_>>>()
                .map(AttributePath)
        })
        .collect()
}

fn decode_step(step: &Json) -> Option<PathStep> {
    let value = step.get("value")?;
    match step.get("type")?.as_str()? {
        "get_attr" => Some(PathStep::Attribute(value.as_str()?.to_string())),
        "index" => match value.get("value")? {
            Json::String(key) => Some(PathStep::StringKey(key.clone())),
            Json::Number(n) => Some(PathStep::IntKey(n.as_i64()?)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests;
