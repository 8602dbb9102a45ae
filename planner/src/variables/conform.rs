//! Conversion of a value to a type constraint, as Terraform converts input variables: cty's
//! unsafe conversions (number and bool to and from string, tuple to list or set, object to
//! map or object), `optional(T, default)` attributes filled in, extra object attributes
//! dropped, and collections of `any` unified to one element type. Error messages use cty's
//! wording (`attribute "name" is required`, `element 0: string required, but have tuple`).

use std::collections::BTreeMap;
use std::fmt;

use tenantform_proto::value::{Number, Type, Value};

use super::constraint::TypeConstraint;
use crate::lang;
use crate::lang::unify::unify;

/// Why a value does not conform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConformError {
    /// The value's type cannot convert: the message grows a path prefix (`element 0: `) when
    /// the mismatch is nested.
    Type(String),
    /// The type converts, but not this value (`"abc"` to a number); no path is added, as cty
    /// reports it.
    Value(String),
}

impl fmt::Display for ConformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConformError::Type(message) | ConformError::Value(message) => f.write_str(message),
        }
    }
}

impl ConformError {
    fn nested(self, prefix: impl fmt::Display) -> ConformError {
        match self {
            ConformError::Type(message) => ConformError::Type(format!("{prefix}: {message}")),
            value @ ConformError::Value(_) => value,
        }
    }
}

type Conformed = Result<Value, ConformError>;

/// Converts `value` to `constraint`; see the module documentation. Null and unknown values
/// conform to every constraint.
pub(crate) fn conform(value: Value, constraint: &TypeConstraint) -> Conformed {
    if matches!(value, Value::Null | Value::Unknown) {
        return Ok(value);
    }
    match constraint {
        TypeConstraint::Any => Ok(value),
        TypeConstraint::String | TypeConstraint::Number | TypeConstraint::Bool => {
            primitive(value, constraint)
        }
        TypeConstraint::List(element) => match value {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                sequence(items, element, "list").map(Value::List)
            }
            other => Err(kind_mismatch(&other, constraint)),
        },
        TypeConstraint::Set(element) => match value {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                let mut items = sequence(items, element, "set")?;
                Value::normalize_set(&mut items);
                Ok(Value::Set(items))
            }
            other => Err(kind_mismatch(&other, constraint)),
        },
        TypeConstraint::Map(element) => match value {
            Value::Map(entries) | Value::Object(entries) => {
                mapping(entries, element).map(Value::Map)
            }
            other => Err(kind_mismatch(&other, constraint)),
        },
        TypeConstraint::Object(attributes) => match value {
            Value::Map(entries) | Value::Object(entries) => object(entries, attributes),
            other => Err(kind_mismatch(&other, constraint)),
        },
        TypeConstraint::Tuple(elements) => match value {
            Value::List(items) | Value::Tuple(items) => {
                if items.len() != elements.len() {
                    return Err(ConformError::Type("tuple required".into()));
                }
                items
                    .into_iter()
                    .zip(elements)
                    .enumerate()
                    .map(|(i, (item, c))| {
                        conform(item, c).map_err(|e| e.nested(format!("element {i}")))
                    })
                    .collect::<Result<_, _>>()
                    .map(Value::Tuple)
            }
            other => Err(kind_mismatch(&other, constraint)),
        },
    }
}

fn primitive(value: Value, want: &TypeConstraint) -> Conformed {
    let got = lang::types::type_of(&value);
    match (want, value) {
        (TypeConstraint::String, Value::String(s)) => Ok(Value::String(s)),
        (TypeConstraint::String, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (TypeConstraint::String, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (TypeConstraint::Number, Value::Number(n)) => Ok(Value::Number(n)),
        (TypeConstraint::Number, Value::String(s)) => Number::parse_decimal(&s)
            .map(Value::Number)
            .ok_or_else(|| ConformError::Value("a number is required".into())),
        (TypeConstraint::Bool, Value::Bool(b)) => Ok(Value::Bool(b)),
        (TypeConstraint::Bool, Value::String(s)) => match s.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(ConformError::Value("a bool is required".into())),
        },
        _ => Err(ConformError::Type(format!(
            "{} required, but have {}",
            want.friendly_name(),
            type_name(&got)
        ))),
    }
}

/// The message for a value of the wrong kind altogether.
fn kind_mismatch(got: &Value, want: &TypeConstraint) -> ConformError {
    let got_type = lang::types::type_of(got);
    let got_primitive = matches!(got_type, Type::String | Type::Number | Type::Bool);
    let structural_for_object =
        matches!(want, TypeConstraint::Object(_)) && matches!(got, Value::Tuple(_));
    let message = if got_primitive || structural_for_object {
        format!(
            "{} required, but have {}",
            want.friendly_name(),
            type_name(&got_type)
        )
    } else {
        format!("{} required", want.constraint_name())
    };
    ConformError::Type(message)
}

/// cty's friendly name of a concrete type.
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Dynamic => "dynamic".into(),
        Type::List(e) => format!("list of {}", type_name(e)),
        Type::Set(e) => format!("set of {}", type_name(e)),
        Type::Map(e) => format!("map of {}", type_name(e)),
        other => other.friendly_name(),
    }
}

/// The elements of a list or set, converted to `element` and, when it holds `any`, unified
/// to a single type.
fn sequence(
    items: Vec<Value>,
    element: &TypeConstraint,
    kind: &str,
) -> Result<Vec<Value>, ConformError> {
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| conform(item, element).map_err(|e| e.nested(format!("element {i}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if !element.has_any() {
        return Ok(items);
    }
    unify_elements(items, kind)
}

fn mapping(
    entries: BTreeMap<String, Value>,
    element: &TypeConstraint,
) -> Result<BTreeMap<String, Value>, ConformError> {
    let mut converted = BTreeMap::new();
    for (key, item) in entries {
        let item = conform(item, element).map_err(|e| e.nested(format!("element {key:?}")))?;
        converted.insert(key, item);
    }
    if !element.has_any() {
        return Ok(converted);
    }
    let keys: Vec<String> = converted.keys().cloned().collect();
    let values = unify_elements(converted.into_values().collect(), "map")?;
    Ok(keys.into_iter().zip(values).collect())
}

/// Converts every item to the type all of them unify to.
fn unify_elements(items: Vec<Value>, kind: &str) -> Result<Vec<Value>, ConformError> {
    let same_type = || ConformError::Type(format!("all {kind} elements must have the same type"));
    let types: Vec<Type> = items.iter().map(lang::types::type_of).collect();
    let Some(target) = unify(&types) else {
        return Err(same_type());
    };
    items
        .into_iter()
        .map(|item| lang::convert(item, &target).map_err(|_| same_type()))
        .collect()
}

/// Converts an object (or map) to an object constraint: missing optional attributes take
/// their default (or null), null optional attributes too; extra attributes are dropped.
fn object(
    mut entries: BTreeMap<String, Value>,
    attributes: &BTreeMap<String, super::constraint::ObjectAttribute>,
) -> Conformed {
    let missing: Vec<&String> = attributes
        .iter()
        .filter(|(name, attr)| !attr.optional && !entries.contains_key(*name))
        .map(|(name, _)| name)
        .collect();
    match missing.as_slice() {
        [] => {}
        [one] => {
            return Err(ConformError::Type(format!("attribute {one:?} is required")));
        }
        [a, b] => {
            return Err(ConformError::Type(format!(
                "attributes {a:?} and {b:?} are required"
            )));
        }
        [init @ .., last] => {
            let listed: Vec<String> = init.iter().map(|n| format!("{n:?}")).collect();
            return Err(ConformError::Type(format!(
                "attributes {}, and {last:?} are required",
                listed.join(", ")
            )));
        }
    }
    let mut result = BTreeMap::new();
    for (name, attr) in attributes {
        let given = entries.remove(name).unwrap_or(Value::Null);
        let value = match (given, &attr.default) {
            (Value::Null, Some(default)) if attr.optional => default.clone(),
            (given, _) => given,
        };
        let value = conform(value, &attr.constraint)
            .map_err(|e| e.nested(format!("attribute {name:?}")))?;
        result.insert(name.clone(), value);
    }
    Ok(Value::Object(result))
}
