//! Type conversion functions: `tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`.
//! Each passes null through and otherwise applies cty's conversion rules.

use tenantform_proto::value::{Type, Value};

use super::FunctionError;
use super::sequences::normalize_set_keeping_unknowns;
use crate::lang::convert::convert;
use crate::lang::types::value_kind;

fn convert_arg(
    args: Vec<Value>,
    ty: Type,
    refusal: impl Fn(&Value) -> String,
) -> Result<Value, FunctionError> {
    let value = args.into_iter().next().unwrap_or(Value::Null);
    let message = refusal(&value);
    convert(value, &ty).map_err(|_| FunctionError::arg(0, message))
}

pub(super) fn tostring(args: Vec<Value>) -> Result<Value, FunctionError> {
    convert_arg(args, Type::String, |v| {
        format!("cannot convert {} to string", value_kind(v))
    })
}

pub(super) fn tonumber(args: Vec<Value>) -> Result<Value, FunctionError> {
    convert_arg(args, Type::Number, |v| match v {
        Value::String(s) => format!(
            "cannot convert {s:?} to number; given string must be a decimal representation of a number"
        ),
        other => format!("cannot convert {} to number", value_kind(other)),
    })
}

pub(super) fn tobool(args: Vec<Value>) -> Result<Value, FunctionError> {
    convert_arg(args, Type::Bool, |v| match v {
        Value::String(s) => format!(
            "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
        ),
        other => format!("cannot convert {} to bool", value_kind(other)),
    })
}

pub(super) fn tolist(args: Vec<Value>) -> Result<Value, FunctionError> {
    convert_arg(args, Type::List(Box::new(Type::Dynamic)), |v| {
        format!(
            "cannot convert {} to list of any single type",
            value_kind(v)
        )
    })
}

/// Unknown elements stay distinct from each other and from the known ones, as in cty.
pub(super) fn toset(args: Vec<Value>) -> Result<Value, FunctionError> {
    let refusal = |v: &Value| format!("cannot convert {} to set of any single type", value_kind(v));
    if !matches!(
        args.first(),
        Some(Value::List(_) | Value::Tuple(_) | Value::Set(_))
    ) {
        return convert_arg(args, Type::Set(Box::new(Type::Dynamic)), refusal);
    }
    match convert_arg(args, Type::List(Box::new(Type::Dynamic)), refusal)? {
        Value::List(mut items) => {
            normalize_set_keeping_unknowns(&mut items);
            Ok(Value::Set(items))
        }
        other => Ok(other),
    }
}

pub(super) fn tomap(args: Vec<Value>) -> Result<Value, FunctionError> {
    convert_arg(args, Type::Map(Box::new(Type::Dynamic)), |v| {
        format!("cannot convert {} to map of any single type", value_kind(v))
    })
}

/// The argument unchanged: `sensitive`, `nonsensitive` and `ephemeralasnull` only change
/// marks, which are tracked beside values (see [`super::marks`]).
pub(super) fn identity(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(args.into_iter().next().unwrap_or(Value::Null))
}
