//! cty's conversion rules: primitives convert through their string forms, tuples become lists
//! or sets, objects become maps or objects; null and unknown convert to themselves. Error
//! messages follow cty's wording (`string required`, `element 0: a number is required`).

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Type, Value};

use super::types::{friendly_name, type_of, value_kind};
use super::unify::unify;

/// Converts `value` to `ty`; see the module documentation.
pub(super) fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    if matches!(value, Value::Null | Value::Unknown) {
        return Ok(value);
    }
    let kind = value_kind(&value);
    match ty {
        Type::Dynamic => Ok(value),
        Type::String => to_string(value),
        Type::Number => to_number(value),
        Type::Bool => to_bool(value),
        Type::List(element) => match value {
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => {
                Ok(Value::List(convert_elements(items, element, kind, ty)?))
            }
            _ => Err(format!("{} required", friendly_name(ty))),
        },
        Type::Set(element) => match value {
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => {
                let mut items = convert_elements(items, element, kind, ty)?;
                Value::normalize_set(&mut items);
                Ok(Value::Set(items))
            }
            _ => Err(format!("{} required", friendly_name(ty))),
        },
        Type::Map(element) => match value {
            Value::Map(entries) | Value::Object(entries) => {
                Ok(Value::Map(convert_entries(entries, element, kind, ty)?))
            }
            _ => Err(format!("{} required", friendly_name(ty))),
        },
        Type::Object(attributes) => match value {
            Value::Map(mut entries) | Value::Object(mut entries) => {
                let mut result = BTreeMap::new();
                for (name, attr_ty) in attributes {
                    let Some(item) = entries.remove(name) else {
                        return Err(format!("attribute {name:?} is required"));
                    };
                    let item =
                        convert(item, attr_ty).map_err(|e| format!("attribute {name:?}: {e}"))?;
                    result.insert(name.clone(), item);
                }
                Ok(Value::Object(result))
            }
            _ => Err("object required".into()),
        },
        Type::Tuple(types) => match value {
            Value::List(items) | Value::Tuple(items) => {
                if items.len() != types.len() {
                    return Err(format!("tuple required with {} elements", types.len()));
                }
                let items = items
                    .into_iter()
                    .zip(types)
                    .enumerate()
                    .map(|(i, (item, t))| convert(item, t).map_err(|e| format!("element {i}: {e}")))
                    .collect::<Result<_, _>>()?;
                Ok(Value::Tuple(items))
            }
            _ => Err("tuple required".into()),
        },
    }
}

fn to_string(value: Value) -> Result<Value, String> {
    match value {
        Value::String(_) => Ok(value),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        _ => Err("string required".into()),
    }
}

fn to_number(value: Value) -> Result<Value, String> {
    match value {
        Value::Number(_) => Ok(value),
        Value::String(s) => Number::parse_decimal(&s)
            .map(Value::Number)
            .ok_or_else(|| "a number is required".into()),
        _ => Err("a number is required".into()),
    }
}

fn to_bool(value: Value) -> Result<Value, String> {
    match value {
        Value::Bool(_) => Ok(value),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        _ => Err("a bool is required".into()),
    }
}

/// The element type to convert a collection's elements to: the given one, or for `any` the
/// type the elements unify to (cty's conversion of a tuple or object to a collection of
/// `any`); when they do not unify, cty's error.
fn target_element_type<'a>(
    items: impl Iterator<Item = &'a Value>,
    element: &Type,
    kind: &str,
    ty: &Type,
) -> Result<Type, String> {
    if *element != Type::Dynamic {
        return Ok(element.clone());
    }
    let types: Vec<Type> = items.map(type_of).collect();
    unify(&types).ok_or_else(|| format!("cannot convert {kind} to {}", friendly_name(ty)))
}

fn convert_elements(
    items: Vec<Value>,
    element: &Type,
    kind: &str,
    ty: &Type,
) -> Result<Vec<Value>, String> {
    let target = target_element_type(items.iter(), element, kind, ty)?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| convert(item, &target).map_err(|e| format!("element {i}: {e}")))
        .collect()
}

fn convert_entries(
    entries: BTreeMap<String, Value>,
    element: &Type,
    kind: &str,
    ty: &Type,
) -> Result<BTreeMap<String, Value>, String> {
    let target = target_element_type(entries.values(), element, kind, ty)?;
    entries
        .into_iter()
        .map(|(key, item)| {
            let item = convert(item, &target).map_err(|e| format!("element {key:?}: {e}"))?;
            Ok((key, item))
        })
        .collect()
}
