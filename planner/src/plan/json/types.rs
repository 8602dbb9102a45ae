//! The `type` of output values in the JSON plan and state (cty's JSON type encoding:
//! `"string"`, `["list", "number"]`, `["object", {...}]`), inferred from a known value, since
//! values carry no type: a null, or the elements of an empty collection, are `"dynamic"`
//! unless a sibling element shows their type.

use serde_json::{Map, Value as Json, json};
use tenantform_proto::value::Value;

const DYNAMIC: &str = "dynamic";

/// The type of a wholly known value.
pub(crate) fn type_json(value: &Value) -> Json {
    match value {
        Value::Null | Value::Unknown => json!(DYNAMIC),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::List(items) => json!(["list", element_type(items.iter())]),
        Value::Set(items) => json!(["set", element_type(items.iter())]),
        Value::Map(entries) => json!(["map", element_type(entries.values())]),
        Value::Tuple(items) => json!(["tuple", items.iter().map(type_json).collect::<Vec<_>>()]),
        Value::Object(entries) => {
            let attributes: Map<String, Json> = entries
                .iter()
                .map(|(name, value)| (name.clone(), type_json(value)))
                .collect();
            json!(["object", attributes])
        }
    }
}

/// The one type of a collection's elements, as precise as its elements show it.
fn element_type<'v>(items: impl Iterator<Item = &'v Value>) -> Json {
    items
        .map(type_json)
        .reduce(merged)
        .unwrap_or_else(|| json!(DYNAMIC))
}

/// Two inferred types of one element type: where one is `dynamic` (a null, or an empty
/// collection's elements) the other says more.
fn merged(left: Json, right: Json) -> Json {
    if left == right || right == json!(DYNAMIC) {
        return left;
    }
    if left == json!(DYNAMIC) {
        return right;
    }
    match (left, right) {
        (Json::Array(l), Json::Array(r)) if l.len() == 2 && r.len() == 2 && l[0] == r[0] => {
            let kind = l[0].clone();
            let (l_inner, r_inner) = (l[1].clone(), r[1].clone());
            match (l_inner, r_inner) {
                (Json::Object(la), Json::Object(ra)) if la.len() == ra.len() => {
                    let attributes: Map<String, Json> = la
                        .into_iter()
                        .map(|(name, lt)| {
                            let rt = ra.get(&name).cloned().unwrap_or_else(|| json!(DYNAMIC));
                            (name, merged(lt, rt))
                        })
                        .collect();
                    json!([kind, attributes])
                }
                (Json::Array(lt), Json::Array(rt)) if lt.len() == rt.len() => {
                    let elements: Vec<Json> =
                        lt.into_iter().zip(rt).map(|(a, b)| merged(a, b)).collect();
                    json!([kind, elements])
                }
                (lt, rt) => json!([kind, merged(lt, rt)]),
            }
        }
        (left, _) => left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn object(entries: &[(&str, Value)]) -> Value {
        Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn types_follow_the_value() {
        let value = object(&[
            ("names", Value::List(vec![Value::string("a")])),
            ("pair", Value::Tuple(vec![Value::Bool(true), Value::Null])),
            ("empty", Value::Set(vec![])),
        ]);
        assert_eq!(
            type_json(&value),
            json!(["object", {
                "names": ["list", "string"],
                "pair": ["tuple", ["bool", "dynamic"]],
                "empty": ["set", "dynamic"]
            }])
        );
    }

    #[test]
    fn sibling_elements_complete_each_other() {
        let first = object(&[("a", Value::Null), ("b", Value::List(vec![]))]);
        let second = object(&[
            ("a", Value::string("x")),
            ("b", Value::List(vec![Value::string("y")])),
        ]);
        assert_eq!(
            type_json(&Value::List(vec![first, second])),
            json!(["list", ["object", {"a": "string", "b": ["list", "string"]}]])
        );
    }
}
