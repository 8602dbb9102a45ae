//! `UpgradeResourceState`: raw state JSON from a state file, decoded with the current schema.
//!
//! All schemas are at version 0, so upgrading means decoding. Attributes the schema no longer
//! has are dropped and attributes it gained read as null, at every depth of nested blocks.

use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::value::{Type, Value, decode_json};

use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The schema version every resource type is at.
pub(super) const CURRENT_SCHEMA_VERSION: i64 = 0;

pub(super) fn upgrade(
    version: i64,
    raw_state: Option<&wire::RawState>,
    ty: &Type,
) -> Result<Value, Diagnostics> {
    if version != CURRENT_SCHEMA_VERSION {
        return Err(Diagnostic::error(
            "Unsupported resource state version",
            format!(
                "The state was written with schema version {version}, but this provider only \
                 knows version {CURRENT_SCHEMA_VERSION}. Use the provider version that wrote it."
            ),
        )
        .into());
    }
    let Some(raw_state) = raw_state else {
        return Ok(Value::Null);
    };
    if raw_state.json.is_empty() {
        if raw_state.flatmap.is_empty() {
            return Ok(Value::Null);
        }
        return Err(Diagnostic::error(
            "Unsupported legacy state",
            "The state is in the legacy flatmap format, which this provider never wrote.",
        )
        .into());
    }
    let json: serde_json::Value = serde_json::from_slice(&raw_state.json).map_err(|error| {
        Diagnostics::from(Diagnostic::error(
            "Invalid resource state",
            format!("The stored state is not valid JSON: {error}"),
        ))
    })?;
    decode_json(&conform(json, ty), ty).map_err(|error| {
        Diagnostic::error(
            "Invalid resource state",
            format!("The stored state does not match the resource schema: {error}"),
        )
        .into()
    })
}

/// Drops object attributes `ty` does not have and adds missing ones as null.
fn conform(json: serde_json::Value, ty: &Type) -> serde_json::Value {
    use serde_json::Value as Json;
    match (json, ty) {
        (Json::Object(mut entries), Type::Object(attributes)) => {
            entries.retain(|name, _| attributes.contains_key(name));
            let mut conformed = serde_json::Map::with_capacity(attributes.len());
            for (name, attribute_type) in attributes {
                let value = entries.remove(name).unwrap_or(Json::Null);
                conformed.insert(name.clone(), conform(value, attribute_type));
            }
            Json::Object(conformed)
        }
        (Json::Array(items), Type::List(element) | Type::Set(element)) => Json::Array(
            items
                .into_iter()
                .map(|item| conform(item, element))
                .collect(),
        ),
        (Json::Object(entries), Type::Map(element)) => Json::Object(
            entries
                .into_iter()
                .map(|(key, item)| (key, conform(item, element)))
                .collect(),
        ),
        (other, _) => other,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn object_type() -> Type {
        Type::Object(BTreeMap::from([
            ("id".to_string(), Type::String),
            (
                "contact".to_string(),
                Type::List(Box::new(Type::Object(BTreeMap::from([
                    ("name".to_string(), Type::String),
                    ("kind".to_string(), Type::String),
                ])))),
            ),
        ]))
    }

    fn raw(json: &str) -> wire::RawState {
        wire::RawState {
            json: json.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn version_zero_decodes_with_dropped_and_added_attributes() {
        let state = upgrade(
            0,
            Some(&raw(
                r#"{"id":"t1","gone":1,"contact":[{"name":"Ops","old":true}]}"#,
            )),
            &object_type(),
        )
        .unwrap();
        assert_eq!(state.get_attr("id"), Some(&Value::string("t1")));
        let Some(Value::List(contacts)) = state.get_attr("contact") else {
            panic!("{state:?}")
        };
        assert_eq!(contacts[0].get_attr("kind"), Some(&Value::Null));
    }

    #[test]
    fn other_versions_and_flatmap_are_refused() {
        assert!(upgrade(1, Some(&raw("{}")), &object_type()).is_err());
        let flatmap = wire::RawState {
            flatmap: [("id".to_string(), "t1".to_string())].into(),
            ..Default::default()
        };
        assert!(upgrade(0, Some(&flatmap), &object_type()).is_err());
        assert!(upgrade(0, Some(&raw("not json")), &object_type()).is_err());
    }
}
