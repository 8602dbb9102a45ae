//! Helpers to read typed attributes out of cty object values and to build them back.
//!
//! Readers return `Unknown` distinctly from "absent" so callers can skip validation and
//! adoption lookups for values not known until apply.

use std::collections::{BTreeMap, BTreeSet};

use tenantform_proto::value::{Number, Value};

/// What an attribute holds, seen through one expected primitive type.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    Null,
    Unknown,
    Known(T),
}

impl<T> Field<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }
}

/// The attribute `name` of `object`; a missing attribute reads as null.
pub fn attr<'a>(object: &'a Value, name: &str) -> &'a Value {
    object.get_attr(name).unwrap_or(&Value::Null)
}

pub fn string_field(object: &Value, name: &str) -> Field<String> {
    match attr(object, name) {
        Value::Unknown => Field::Unknown,
        Value::String(s) => Field::Known(s.clone()),
        _ => Field::Null,
    }
}

pub fn bool_field(object: &Value, name: &str) -> Field<bool> {
    match attr(object, name) {
        Value::Unknown => Field::Unknown,
        Value::Bool(b) => Field::Known(*b),
        _ => Field::Null,
    }
}

/// A number attribute; a number that is not a whole `i64` reads as `Known(None)`.
pub fn integer_field(object: &Value, name: &str) -> Field<Option<i64>> {
    match attr(object, name) {
        Value::Unknown => Field::Unknown,
        Value::Number(n) => Field::Known(n.as_i64()),
        _ => Field::Null,
    }
}

/// A string attribute that must be present and known (planned or applied values).
pub fn required_string(object: &Value, name: &str) -> Result<String, String> {
    string_field(object, name)
        .known()
        .ok_or_else(|| format!("attribute {name:?} is not a known string"))
}

/// A wholly known map of strings; `None` when null.
pub fn string_map(value: &Value) -> Option<BTreeMap<String, String>> {
    match value {
        Value::Map(entries) | Value::Object(entries) => Some(
            entries
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
        ),
        _ => None,
    }
}

/// The known strings of a set or list value.
pub fn string_set(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Set(items) | Value::List(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => BTreeSet::new(),
    }
}

pub fn int_value(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

pub fn optional_string_value(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::string)
}

pub fn string_map_value(map: Option<&BTreeMap<String, String>>) -> Value {
    match map {
        None => Value::Null,
        Some(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), Value::string(v)))
                .collect(),
        ),
    }
}

pub fn string_set_value(items: &BTreeSet<String>) -> Value {
    let mut values: Vec<Value> = items.iter().map(Value::string).collect();
    Value::normalize_set(&mut values);
    Value::Set(values)
}

/// Builds an object value from `(name, value)` pairs.
pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
    )
}

/// Compares two values, treating sets as sets.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().all(|item| y.iter().any(|o| values_equal(item, o)))
        }
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_distinguish_null_unknown_and_known() {
        let value = object([
            ("a", Value::string("x")),
            ("b", Value::Unknown),
            ("n", int_value(7)),
            ("f", Value::Number(Number::Float(1.5))),
        ]);
        assert_eq!(string_field(&value, "a"), Field::Known("x".into()));
        assert_eq!(string_field(&value, "b"), Field::Unknown);
        assert_eq!(string_field(&value, "missing"), Field::Null);
        assert_eq!(integer_field(&value, "n"), Field::Known(Some(7)));
        assert_eq!(integer_field(&value, "f"), Field::Known(None));
    }

    #[test]
    fn sets_compare_as_sets() {
        let a = Value::Set(vec![Value::string("read"), Value::string("write")]);
        let b = Value::Set(vec![Value::string("write"), Value::string("read")]);
        assert!(values_equal(&a, &b));
        assert!(!values_equal(&a, &Value::Set(vec![Value::string("read")])));
    }

    #[test]
    fn string_collections_round_trip() {
        let set: BTreeSet<String> = ["write".to_string(), "read".to_string()].into();
        assert_eq!(string_set(&string_set_value(&set)), set);
        let map: BTreeMap<String, String> = [("env".to_string(), "prod".to_string())].into();
        assert_eq!(string_map(&string_map_value(Some(&map))), Some(map));
        assert_eq!(string_map(&string_map_value(None)), None);
    }
}
