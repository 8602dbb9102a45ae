//! Type helpers over untyped value trees: the type a value implies, Terraform's friendly
//! type names for messages, and deep equality with unknown propagation.

use std::collections::BTreeMap;

use tenantform_proto::value::{Type, Value};

/// The type a value implies. Null and unknown imply `Dynamic` (any type).
pub fn type_of(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::List(Box::new(element_type(items))),
        Value::Set(items) => Type::Set(Box::new(element_type(items))),
        Value::Map(entries) => Type::Map(Box::new(element_type(entries.values()))),
        Value::Tuple(items) => Type::Tuple(items.iter().map(type_of).collect()),
        Value::Object(entries) => Type::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), type_of(v)))
                .collect(),
        ),
    }
}

/// The type of the first element whose type is known, or `Dynamic`.
fn element_type<'a>(items: impl IntoIterator<Item = &'a Value>) -> Type {
    items
        .into_iter()
        .map(type_of)
        .find(|t| *t != Type::Dynamic)
        .unwrap_or(Type::Dynamic)
}

/// Terraform's wording for a type in messages: `string`, `list of number`, `object`.
pub fn friendly_name(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "any".into(),
        Type::List(inner) => format!("list of {}", friendly_name(inner)),
        Type::Set(inner) => format!("set of {}", friendly_name(inner)),
        Type::Map(inner) => format!("map of {}", friendly_name(inner)),
        Type::Object(_) => "object".into(),
        Type::Tuple(_) => "tuple".into(),
    }
}

/// The kind of a value as Terraform names it in messages ("string", "tuple", "null").
pub fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Tuple(_) => "tuple",
        Value::Object(_) => "object",
    }
}

/// The primitive type that all of `types` convert to, if they are primitives: the type
/// itself when they agree, `string` when they mix with a string. As in cty, the result is one
/// of the given types, so numbers and bools alone do not unify.
pub fn unify_primitives(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Dynamic).collect();
    let first = known.first()?;
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let all_primitive = known
        .iter()
        .all(|t| matches!(t, Type::String | Type::Number | Type::Bool));
    let has_string = known.iter().any(|t| **t == Type::String);
    (all_primitive && has_string).then_some(Type::String)
}

/// cty's `==`: unknown when either side is not wholly known, otherwise deep equality where
/// collections of different kinds (a tuple and a list) are different values.
pub fn equal(left: &Value, right: &Value) -> Value {
    if !left.is_wholly_known() || !right.is_wholly_known() {
        return Value::Unknown;
    }
    Value::Bool(left == right)
}

/// An object built from string keys, a common shape in tests and functions.
pub fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A map built from string keys.
pub fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}
