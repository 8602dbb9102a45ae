//! Collection functions: `length`, `lookup`, `merge`, `concat`, `contains`, `keys`,
//! `values`, `coalesce`, `element`, `flatten`, `distinct`, `sort`.

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Type, Value};

use super::{FunctionError, integer_arg, sequence_arg, string_arg, unified_elements};
use crate::lang::convert::convert;
use crate::lang::types::{equal, value_kind};

/// Length of a string (in characters) or a collection. A collection's length is known even
/// when its elements are not.
pub(super) fn length(args: Vec<Value>) -> Result<Value, FunctionError> {
    let count = match &args[0] {
        Value::Unknown => return Ok(Value::Unknown),
        Value::String(s) => super::unicode::graphemes(s).len(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.len(),
        Value::Map(entries) | Value::Object(entries) => entries.len(),
        Value::Number(_) | Value::Bool(_) => match convert(args[0].clone(), &Type::String) {
            Ok(Value::String(s)) => super::unicode::graphemes(&s).len(),
            _ => return Err(FunctionError::arg(0, "collection or string required")),
        },
        Value::Null => return Err(FunctionError::arg(0, "argument must not be null")),
    };
    Ok(Value::Number(Number::Int(count as i64)))
}

fn entries_arg(args: &[Value], index: usize) -> Result<BTreeMap<String, Value>, FunctionError> {
    match &args[index] {
        Value::Map(entries) | Value::Object(entries) => Ok(entries.clone()),
        other => Err(FunctionError::arg(
            index,
            format!("map or object required, got {}", value_kind(other)),
        )),
    }
}

/// `lookup(map, key, default)`: the default may be null; an unknown map or key makes the result unknown, but a known
/// map with unknown values still finds its known ones, and an unknown default is returned as is.
pub(super) fn lookup(args: Vec<Value>) -> Result<Value, FunctionError> {
    if args.len() > 3 {
        return Err(FunctionError::Call(
            "lookup() takes no more than three arguments".into(),
        ));
    }
    // Only the default may be null.
    if let Some(index) = args[..2].iter().position(|a| matches!(a, Value::Null)) {
        return Err(FunctionError::arg(index, "argument must not be null"));
    }
    if args[..2].iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let entries = entries_arg(&args, 0)?;
    let key = string_arg(&args, 1)?;
    match (entries.get(&key), args.get(2)) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(FunctionError::arg(
            0,
            match args[0] {
                Value::Map(_) => format!("the given map has no key {key:?}"),
                _ => format!("the given object has no attribute {key:?}"),
            },
        )),
    }
}

/// Later arguments win; the result is a map when every argument is one, else an object.
pub(super) fn merge(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut merged = BTreeMap::new();
    let mut all_maps = true;
    for (index, arg) in args.iter().enumerate() {
        match arg {
            Value::Null => {}
            Value::Unknown => return Ok(Value::Unknown),
            Value::Map(entries) => merged.extend(entries.clone()),
            Value::Object(entries) => {
                all_maps = false;
                merged.extend(entries.clone());
            }
            other => {
                return Err(FunctionError::arg(
                    index,
                    format!("map or object required, got {}", value_kind(other)),
                ));
            }
        }
    }
    Ok(if all_maps && !args.is_empty() {
        Value::Map(merged)
    } else {
        Value::Object(merged)
    })
}

/// The elements of every argument in order: a list when all arguments are lists.
pub(super) fn concat(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut items = Vec::new();
    for index in 0..args.len() {
        items.extend(sequence_arg(&args, index)?);
    }
    let all_lists = args.iter().all(|a| matches!(a, Value::List(_)));
    Ok(if all_lists {
        Value::List(items)
    } else {
        Value::Tuple(items)
    })
}

/// True when an element equals the value; unknown when none does but some element could.
pub(super) fn contains(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = sequence_arg(&args, 0)?;
    let needle = &args[1];
    let mut undecided = false;
    for item in &items {
        match equal(item, needle) {
            Value::Bool(true) => return Ok(Value::Bool(true)),
            Value::Unknown => undecided = true,
            _ => {}
        }
    }
    Ok(if undecided {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

/// Keys in lexical order: a list for a map, a tuple for an object.
pub(super) fn keys(args: Vec<Value>) -> Result<Value, FunctionError> {
    let is_map = matches!(args[0], Value::Map(_));
    let keys = entries_arg(&args, 0)?
        .into_keys()
        .map(Value::String)
        .collect();
    Ok(if is_map {
        Value::List(keys)
    } else {
        Value::Tuple(keys)
    })
}

/// Values in the lexical order of their keys: a list for a map, a tuple for an object.
pub(super) fn values(args: Vec<Value>) -> Result<Value, FunctionError> {
    let is_map = matches!(args[0], Value::Map(_));
    let values = entries_arg(&args, 0)?.into_values().collect();
    Ok(if is_map {
        Value::List(values)
    } else {
        Value::Tuple(values)
    })
}

/// The first argument that is neither null nor an empty string, converted to the type
/// all arguments unify to (mixed primitives become strings, tuples of several lengths a
/// list). An unknown argument reached before such a value makes the result unknown.
pub(super) fn coalesce(args: Vec<Value>) -> Result<Value, FunctionError> {
    let types: Vec<Type> = args.iter().map(crate::lang::types::type_of).collect();
    let unified = crate::lang::unify::unify(&types);
    for arg in args {
        match arg {
            Value::Null => {}
            Value::Unknown => return Ok(Value::Unknown),
            Value::String(ref s) if s.is_empty() => {}
            other => {
                return Ok(match &unified {
                    Some(ty) => convert(other.clone(), ty).unwrap_or(other),
                    None => other,
                });
            }
        }
    }
    Err(FunctionError::Call(
        "no non-null, non-empty-string arguments".into(),
    ))
}

/// `element(list, index)`: the index wraps around the list's length.
pub(super) fn element(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = sequence_arg(&args, 0)?;
    if matches!(args[0], Value::Set(_)) {
        return Err(FunctionError::arg(
            0,
            "cannot use element function with a set",
        ));
    }
    let index = integer_arg(&args, 1)?;
    if items.is_empty() {
        return Err(FunctionError::Call(
            "cannot use element function with an empty list".into(),
        ));
    }
    Ok(items[index.rem_euclid(items.len() as i64) as usize].clone())
}

/// Replaces nested lists, tuples and sets with their elements, recursively.
pub(super) fn flatten(args: Vec<Value>) -> Result<Value, FunctionError> {
    fn walk(items: Vec<Value>, out: &mut Vec<Value>) {
        for item in items {
            match item {
                Value::List(inner) | Value::Tuple(inner) | Value::Set(inner) => walk(inner, out),
                other => out.push(other),
            }
        }
    }
    let mut out = Vec::new();
    walk(sequence_arg(&args, 0)?, &mut out);
    Ok(Value::Tuple(out))
}

/// The list without duplicates, keeping first occurrences in order.
pub(super) fn distinct(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut out: Vec<Value> = Vec::new();
    for item in unified_elements(&args, 0, "list")? {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(Value::List(out))
}

/// Strings in lexical order (numbers are sorted by their string form, as Terraform does).
/// While some element is unknown the order is not, but the length is: the result is then a
/// list of as many unknowns.
pub(super) fn sort(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = sequence_arg(&args, 0)?;
    if !items.iter().all(Value::is_wholly_known) {
        return Ok(Value::List(vec![Value::Unknown; items.len()]));
    }
    let mut strings = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match convert(item, &Type::String) {
            Ok(Value::String(s)) => strings.push(s),
            _ => {
                return Err(FunctionError::arg(
                    0,
                    format!("element {i}: string required"),
                ));
            }
        }
    }
    strings.sort();
    Ok(Value::List(
        strings.into_iter().map(Value::String).collect(),
    ))
}
