//! Type helpers over untyped value trees: the type a value implies, Terraform's friendly
//! type names for messages, and deep equality with unknown propagation.

use tenantform_proto::value::{Type, Value};

/// The type a value implies. Null and unknown imply `Dynamic` (any type).
pub(crate) fn type_of(value: &Value) -> Type {
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
pub(crate) fn friendly_name(ty: &Type) -> String {
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
pub(crate) fn value_kind(value: &Value) -> &'static str {
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

/// cty's `==`: unknown when either side is not wholly known, otherwise deep equality where
/// collections of different kinds (a tuple and a list) are different values.
pub(crate) fn equal(left: &Value, right: &Value) -> Value {
    if !left.is_wholly_known() || !right.is_wholly_known() {
        return Value::Unknown;
    }
    Value::Bool(left == right)
}

/// An object built from string keys, a common shape in tests and functions.
#[cfg(test)]
pub(crate) fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A map built from string keys.
#[cfg(test)]
pub(crate) fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}
