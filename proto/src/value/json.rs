//! The JSON encoding of cty values (`DynamicValue.json`, raw state in the state file), with
//! go-cty's semantics:
//!
//! - null is JSON `null`; an unknown value cannot be encoded;
//! - numbers are JSON numbers; objects carry every attribute of their type;
//! - a value in a `dynamic` slot is `{"value": ..., "type": ...}`;
//! - decoding converts as cty does: a string holding a number or `true`/`false` is accepted
//!   for a number or a bool, and a number or bool is accepted for a string.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{Number, PathStep, Type, Value, ValueError, type_from_json, type_to_json};

/// Encodes a wholly known value; unknown values are an error.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Json, ValueError> {
    encode(value, ty, &mut Vec::new())
}

/// Decodes a value of type `ty`.
pub fn decode_json(json: &Json, ty: &Type) -> Result<Value, ValueError> {
    decode(json, ty, &mut Vec::new())
}

fn encode(value: &Value, ty: &Type, path: &mut Vec<PathStep>) -> Result<Json, ValueError> {
    let mismatch = |path: &[PathStep], problem: &str| ValueError::mismatch(ty, path, problem);
    match (ty, value) {
        (_, Value::Null) => Ok(Json::Null),
        (_, Value::Unknown) => Err(mismatch(path, "value is not known")),
        (Type::Dynamic, value) => {
            let actual = value.implied_type();
            let inner = encode(value, &actual, path)?;
            let mut wrapper = serde_json::Map::with_capacity(2);
            wrapper.insert("value".into(), inner);
            wrapper.insert("type".into(), type_to_json(&actual));
            Ok(Json::Object(wrapper))
        }
        (Type::String, Value::String(s)) => Ok(Json::String(s.clone())),
        (Type::Number, Value::Number(n)) => n
            .to_json()
            .map(Json::Number)
            .ok_or_else(|| mismatch(path, &format!("{n} cannot be written as JSON"))),
        (Type::Bool, Value::Bool(b)) => Ok(Json::Bool(*b)),
        (
            Type::List(element) | Type::Set(element),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => encode_items(items.iter().map(|item| (item, &**element)), path),
        (Type::Tuple(element_types), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != element_types.len() {
                return Err(mismatch(
                    path,
                    &format!("a tuple of length {} is required", element_types.len()),
                ));
            }
            encode_items(items.iter().zip(element_types), path)
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => {
            let mut object = serde_json::Map::with_capacity(entries.len());
            for (key, item) in entries {
                path.push(PathStep::StringKey(key.clone()));
                object.insert(key.clone(), encode(item, element, path)?);
                path.pop();
            }
            Ok(Json::Object(object))
        }
        (Type::Object(attributes), Value::Object(entries) | Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|name| !attributes.contains_key(*name)) {
                return Err(mismatch(path, &format!("unsupported attribute {extra:?}")));
            }
            let mut object = serde_json::Map::with_capacity(attributes.len());
            for (name, attribute_type) in attributes {
                path.push(PathStep::Attribute(name.clone()));
                let item = entries.get(name).unwrap_or(&Value::Null);
                object.insert(name.clone(), encode(item, attribute_type, path)?);
                path.pop();
            }
            Ok(Json::Object(object))
        }
        (_, other) => Err(mismatch(
            path,
            &format!(
                "{} is required, found {}",
                ty.friendly_name(),
                other.kind_name()
            ),
        )),
    }
}

fn encode_items<'a>(
    items: impl Iterator<Item = (&'a Value, &'a Type)>,
    path: &mut Vec<PathStep>,
) -> Result<Json, ValueError> {
    let mut array = Vec::new();
    for (index, (item, element)) in items.enumerate() {
        path.push(PathStep::IntKey(index as i64));
        array.push(encode(item, element, path)?);
        path.pop();
    }
    Ok(Json::Array(array))
}

fn decode(json: &Json, ty: &Type, path: &mut Vec<PathStep>) -> Result<Value, ValueError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::Dynamic => decode_dynamic(json, ty, path),
        Type::Bool | Type::Number | Type::String => decode_primitive(json, ty, path),
        Type::List(element) | Type::Set(element) => decode_sequence(json, ty, element, path),
        Type::Tuple(element_types) => decode_tuple(json, ty, element_types, path),
        Type::Map(element) => {
            let Json::Object(object) = json else {
                return Err(mismatch(ty, path, "need JSON object for map"));
            };
            let entries = decode_entries(object, ty, path, |key| {
                Ok((PathStep::StringKey(key.to_string()), element))
            })?;
            Ok(Value::Map(entries))
        }
        Type::Object(attributes) => decode_object(json, ty, attributes, path),
    }
}

/// A value of `ty` does not match its JSON at `path`.
fn mismatch(ty: &Type, path: &[PathStep], problem: &str) -> ValueError {
    ValueError::mismatch(ty, path, problem)
}

/// A dynamically-typed value: `{"value": ..., "type": ...}`.
fn decode_dynamic(json: &Json, ty: &Type, path: &mut Vec<PathStep>) -> Result<Value, ValueError> {
    let Json::Object(wrapper) = json else {
        return Err(mismatch(
            ty,
            path,
            "need JSON object for dynamically-typed value",
        ));
    };
    if let Some(key) = wrapper.keys().find(|key| *key != "value" && *key != "type") {
        return Err(mismatch(
            ty,
            path,
            &format!("invalid key {key:?} in dynamically-typed value"),
        ));
    }
    let type_json = wrapper
        .get("type")
        .ok_or_else(|| mismatch(ty, path, "missing type in dynamically-typed value"))?;
    let inner = wrapper
        .get("value")
        .ok_or_else(|| mismatch(ty, path, "missing value in dynamically-typed value"))?;
    decode(inner, &type_from_json(type_json)?, path)
}

/// A bool, number or string, taking the conversions cty's JSON decoding allows.
fn decode_primitive(json: &Json, ty: &Type, path: &[PathStep]) -> Result<Value, ValueError> {
    match (ty, json) {
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) if s == "true" => Ok(Value::Bool(true)),
        (Type::Bool, Json::String(s)) if s == "false" => Ok(Value::Bool(false)),
        (Type::Bool, _) => Err(mismatch(ty, path, "bool is required")),
        (Type::Number, Json::Number(n)) => Ok(Value::Number(Number::from_json(n))),
        (Type::Number, Json::String(s)) => Number::parse_decimal(s)
            .map(Value::Number)
            .ok_or_else(|| mismatch(ty, path, &format!("a number is required, found {s:?}"))),
        (Type::Number, _) => Err(mismatch(ty, path, "number is required")),
        (_, Json::String(s)) => Ok(Value::String(s.clone())),
        (_, Json::Number(n)) => Ok(Value::String(n.to_string())),
        (_, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        _ => Err(mismatch(ty, path, "string is required")),
    }
}

/// A list or a set of `element`s.
fn decode_sequence(
    json: &Json,
    ty: &Type,
    element: &Type,
    path: &mut Vec<PathStep>,
) -> Result<Value, ValueError> {
    let is_set = matches!(ty, Type::Set(_));
    let Json::Array(array) = json else {
        let kind = if is_set { "set" } else { "list" };
        return Err(mismatch(ty, path, &format!("need JSON array for {kind}")));
    };
    let items = decode_items(array.iter().map(|item| (item, element)), path)?;
    Ok(Value::list_or_set(items, is_set))
}

fn decode_tuple(
    json: &Json,
    ty: &Type,
    element_types: &[Type],
    path: &mut Vec<PathStep>,
) -> Result<Value, ValueError> {
    let Json::Array(array) = json else {
        return Err(mismatch(ty, path, "need JSON array for tuple"));
    };
    if array.len() != element_types.len() {
        return Err(mismatch(
            ty,
            path,
            &format!("a tuple of length {} is required", element_types.len()),
        ));
    }
    Ok(Value::Tuple(decode_items(
        array.iter().zip(element_types),
        path,
    )?))
}

/// An object: every attribute of its type, null where the JSON leaves it out.
fn decode_object(
    json: &Json,
    ty: &Type,
    attributes: &BTreeMap<String, Type>,
    path: &mut Vec<PathStep>,
) -> Result<Value, ValueError> {
    let Json::Object(object) = json else {
        return Err(mismatch(ty, path, "need JSON object for object"));
    };
    let entries = decode_entries(object, ty, path, |name| {
        Value::attribute_slot(attributes, name)
    })?;
    Ok(Value::object_of_type(entries, attributes))
}

/// The entries of a JSON object; `slot` gives each key's path step and type, or why the key
/// is not allowed.
fn decode_entries<'t>(
    object: &serde_json::Map<String, Json>,
    ty: &Type,
    path: &mut Vec<PathStep>,
    slot: impl Fn(&str) -> Result<(PathStep, &'t Type), String>,
) -> Result<BTreeMap<String, Value>, ValueError> {
    let mut entries = BTreeMap::new();
    for (key, item) in object {
        let (step, item_type) = slot(key).map_err(|problem| mismatch(ty, path, &problem))?;
        path.push(step);
        entries.insert(key.clone(), decode(item, item_type, path)?);
        path.pop();
    }
    Ok(entries)
}

fn decode_items<'a>(
    items: impl Iterator<Item = (&'a Json, &'a Type)>,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, ValueError> {
    let mut values = Vec::new();
    for (index, (item, element)) in items.enumerate() {
        path.push(PathStep::IntKey(index as i64));
        values.push(decode(item, element, path)?);
        path.pop();
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn objects_round_trip_with_every_attribute() {
        let ty = Type::object_of(&[
            ("id", Type::String),
            ("count", Type::Number),
            ("ratio", Type::Number),
            ("on", Type::Bool),
            ("labels", Type::Map(Box::new(Type::String))),
            ("scopes", Type::Set(Box::new(Type::String))),
            ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
            ("missing", Type::List(Box::new(Type::Number))),
        ]);
        let json = json!({
            "id": "t1", "count": 3, "ratio": 0.25, "on": true,
            "labels": {"env": "prod"}, "scopes": ["write", "read"], "pair": ["a", false],
        });
        let value = decode_json(&json, &ty).unwrap();
        assert_eq!(value.get_attr("missing"), Some(&Value::Null));
        let scopes = value.get_attr("scopes").unwrap();
        assert_eq!(
            scopes,
            &Value::Set(vec![Value::string("read"), Value::string("write")])
        );
        let encoded = encode_json(&value, &ty).unwrap();
        let expected = json!({
            "count": 3, "id": "t1", "labels": {"env": "prod"}, "missing": null, "on": true,
            "pair": ["a", false], "ratio": 0.25, "scopes": ["read", "write"],
        });
        assert_eq!(encoded.to_string(), expected.to_string());
    }

    #[test]
    fn unknown_values_cannot_be_encoded() {
        let ty = Type::object_of(&[("id", Type::String)]);
        let value = Value::Object(BTreeMap::from([("id".to_string(), Value::Unknown)]));
        let err = encode_json(&value, &ty).unwrap_err();
        assert!(err.to_string().contains("id: value is not known"), "{err}");
    }

    #[test]
    fn dynamic_values_are_wrapped_with_their_type() {
        let value = Value::List(vec![Value::string("a")]);
        let encoded = encode_json(&value, &Type::Dynamic).unwrap();
        assert_eq!(
            encoded.to_string(),
            r#"{"value":["a"],"type":["list","string"]}"#
        );
        assert_eq!(decode_json(&encoded, &Type::Dynamic).unwrap(), value);
        assert_eq!(
            decode_json(&Json::Null, &Type::Dynamic).unwrap(),
            Value::Null
        );
        assert!(decode_json(&json!({"value": 1}), &Type::Dynamic).is_err());
        assert!(
            decode_json(
                &json!({"type": "number", "value": 1, "x": 0}),
                &Type::Dynamic
            )
            .is_err()
        );
    }

    #[test]
    fn primitives_convert_like_cty() {
        assert_eq!(
            decode_json(&json!("12"), &Type::Number).unwrap(),
            Value::Number(Number::Int(12))
        );
        assert_eq!(
            decode_json(&json!("true"), &Type::Bool).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            decode_json(&json!(1.5), &Type::String).unwrap(),
            Value::string("1.5")
        );
        assert_eq!(
            decode_json(&json!(false), &Type::String).unwrap(),
            Value::string("false")
        );
        assert!(decode_json(&json!("twelve"), &Type::Number).is_err());
        assert!(decode_json(&json!([]), &Type::String).is_err());
    }

    #[test]
    fn mismatches_name_the_path() {
        let ty = Type::object_of(&[("tags", Type::List(Box::new(Type::Bool)))]);
        let err = decode_json(&json!({"tags": [true, "maybe"]}), &ty).unwrap_err();
        assert!(
            err.to_string().contains("tags[1]: bool is required"),
            "{err}"
        );
        let err = decode_json(&json!({"nope": 1}), &ty).unwrap_err();
        assert!(
            err.to_string().contains("unsupported attribute \"nope\""),
            "{err}"
        );
        let tuple = Type::Tuple(vec![Type::String]);
        assert!(decode_json(&json!(["a", "b"]), &tuple).is_err());
    }
}
