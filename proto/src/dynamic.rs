//! Values and attribute paths on the wire: [`Value`] <-> `tfplugin6::DynamicValue` (msgpack
//! out; msgpack or JSON in) and [`AttributePath`] <-> `tfplugin6::AttributePath`.

use crate::tfplugin6 as wire;
use crate::tfplugin6::attribute_path::step::Selector;
use crate::value::{
    AttributePath, PathStep, Type, Value, ValueError, decode_json, decode_msgpack, encode_msgpack,
};

/// Encodes `value` (of type `ty`) as a msgpack `DynamicValue`.
pub fn to_dynamic(value: &Value, ty: &Type) -> Result<wire::DynamicValue, ValueError> {
    Ok(wire::DynamicValue {
        msgpack: encode_msgpack(value, ty)?,
        json: Vec::new(),
    })
}

/// Decodes a `DynamicValue` of type `ty`: msgpack when present, else JSON when present,
/// else null.
pub fn from_dynamic(dynamic: &wire::DynamicValue, ty: &Type) -> Result<Value, ValueError> {
    if !dynamic.msgpack.is_empty() {
        return decode_msgpack(&dynamic.msgpack, ty);
    }
    if !dynamic.json.is_empty() {
        let json: serde_json::Value = serde_json::from_slice(&dynamic.json)
            .map_err(|error| ValueError::Json(error.to_string()))?;
        return decode_json(&json, ty);
    }
    Ok(Value::Null)
}

/// Like [`from_dynamic`], for the optional `DynamicValue` fields of generated messages:
/// an absent value is null.
pub fn from_optional_dynamic(
    dynamic: Option<&wire::DynamicValue>,
    ty: &Type,
) -> Result<Value, ValueError> {
    match dynamic {
        Some(dynamic) => from_dynamic(dynamic, ty),
        None => Ok(Value::Null),
    }
}

pub fn path_to_wire(path: &AttributePath) -> wire::AttributePath {
    let steps = path
        .0
        .iter()
        .map(|step| wire::attribute_path::Step {
            selector: Some(match step {
                PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                PathStep::StringKey(key) => Selector::ElementKeyString(key.clone()),
                PathStep::IntKey(index) => Selector::ElementKeyInt(*index),
            }),
        })
        .collect();
    wire::AttributePath { steps }
}

/// The path a wire `AttributePath` names; steps without a selector are skipped.
pub fn path_from_wire(path: &wire::AttributePath) -> AttributePath {
    let steps = path
        .steps
        .iter()
        .filter_map(|step| {
            Some(match step.selector.as_ref()? {
                Selector::AttributeName(name) => PathStep::Attribute(name.clone()),
                Selector::ElementKeyString(key) => PathStep::StringKey(key.clone()),
                Selector::ElementKeyInt(index) => PathStep::IntKey(*index),
            })
        })
        .collect();
    AttributePath(steps)
}

impl From<&AttributePath> for wire::AttributePath {
    fn from(path: &AttributePath) -> Self {
        path_to_wire(path)
    }
}

impl From<&wire::AttributePath> for AttributePath {
    fn from(path: &wire::AttributePath) -> Self {
        path_from_wire(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_paths_round_trip() {
        let path = AttributePath(vec![
            PathStep::Attribute("contact".into()),
            PathStep::IntKey(2),
            PathStep::StringKey("env".into()),
        ]);
        let wire_path = path_to_wire(&path);
        assert_eq!(wire_path.steps.len(), 3);
        assert_eq!(
            wire_path.steps[0].selector,
            Some(Selector::AttributeName("contact".into()))
        );
        assert_eq!(path_from_wire(&wire_path), path);
    }

    #[test]
    fn empty_dynamic_value_is_null() {
        let value = from_dynamic(&wire::DynamicValue::default(), &Type::String).expect("decodes");
        assert_eq!(value, Value::Null);
        assert_eq!(
            from_optional_dynamic(None, &Type::Bool).expect("decodes"),
            Value::Null
        );
    }

    #[test]
    fn malformed_json_is_an_error() {
        let dynamic = wire::DynamicValue {
            msgpack: Vec::new(),
            json: b"{not json".to_vec(),
        };
        assert!(matches!(
            from_dynamic(&dynamic, &Type::String),
            Err(ValueError::Json(_))
        ));
    }

    #[test]
    fn values_round_trip_through_msgpack_and_json() {
        let ty = Type::Object(
            [
                ("name".to_string(), Type::String),
                ("id".to_string(), Type::String),
            ]
            .into(),
        );
        let value = Value::Object(
            [
                ("name".to_string(), Value::string("acme")),
                ("id".to_string(), Value::Unknown),
            ]
            .into(),
        );
        let dynamic = to_dynamic(&value, &ty).expect("encodes");
        assert!(dynamic.json.is_empty());
        assert_eq!(from_dynamic(&dynamic, &ty).expect("decodes"), value);

        let json = wire::DynamicValue {
            msgpack: Vec::new(),
            json: br#"{"name":"acme","id":null}"#.to_vec(),
        };
        let decoded = from_dynamic(&json, &ty).expect("decodes");
        assert_eq!(decoded.get_attr("name"), Some(&Value::string("acme")));
        assert_eq!(decoded.get_attr("id"), Some(&Value::Null));
    }
}
