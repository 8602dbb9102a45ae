//! More collection functions: `alltrue`, `anytrue`, `chunklist`, `coalescelist`, `compact`,
//! `index`, `matchkeys`, `one`, `range`, `reverse`, `slice`, `sum`, `transpose`, `zipmap`
//! and the set functions `setintersection`, `setproduct`, `setsubtract`, `setunion`.

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Type, Value};

use super::{FunctionError, integer_arg, number_arg, sequence_arg, unified_elements};
use crate::lang::convert::convert;
use crate::lang::types::{equal, value_kind};

/// The elements as bools: `Some(None)` for null, `None` for unknown.
fn bools(args: &[Value]) -> Result<Vec<Option<Option<bool>>>, FunctionError> {
    sequence_arg(args, 0)?
        .into_iter()
        .enumerate()
        .map(|(i, item)| match convert(item, &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(Some(Some(b))),
            Ok(Value::Unknown) => Ok(None),
            Ok(_) => Ok(Some(None)),
            Err(_) => Err(FunctionError::arg(0, format!("element {i}: bool required"))),
        })
        .collect()
}

/// True when every element is true; null elements count as false. Elements are read in
/// order: an unknown one before any false or null one makes the result unknown.
pub(super) fn alltrue(args: Vec<Value>) -> Result<Value, FunctionError> {
    for item in bools(&args)? {
        match item {
            None => return Ok(Value::Unknown),
            Some(Some(true)) => {}
            Some(_) => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

/// True when some element is true; otherwise unknown when some element is unknown.
pub(super) fn anytrue(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = bools(&args)?;
    if items.contains(&Some(Some(true))) {
        Ok(Value::Bool(true))
    } else if items.contains(&None) {
        Ok(Value::Unknown)
    } else {
        Ok(Value::Bool(false))
    }
}

pub(super) fn chunklist(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = unified_elements(&args, 0, "list")?;
    let size = integer_arg(&args, 1)?;
    if size < 0 {
        return Err(FunctionError::Call(
            "the size argument must be positive".into(),
        ));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items)]));
    }
    Ok(Value::List(
        items
            .chunks(size as usize)
            .map(|chunk| Value::List(chunk.to_vec()))
            .collect(),
    ))
}

/// The first argument that is a non-empty list; an unknown argument reached before one makes
/// the result unknown.
pub(super) fn coalescelist(args: Vec<Value>) -> Result<Value, FunctionError> {
    for (index, arg) in args.iter().enumerate() {
        match arg {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(items) | Value::Tuple(items) if !items.is_empty() => {
                return Ok(arg.clone());
            }
            Value::List(_) | Value::Tuple(_) | Value::Null => {}
            other => {
                return Err(FunctionError::arg(
                    index,
                    format!("a list or tuple is required, got {}", value_kind(other)),
                ));
            }
        }
    }
    Err(FunctionError::Call("no non-null arguments".into()))
}

/// The list without empty strings and nulls.
pub(super) fn compact(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut out = Vec::new();
    for (i, item) in sequence_arg(&args, 0)?.into_iter().enumerate() {
        match convert(item, &Type::String) {
            Ok(Value::String(s)) if s.is_empty() => {}
            Ok(Value::Null) => {}
            Ok(value) => out.push(value),
            Err(_) => {
                return Err(FunctionError::arg(
                    0,
                    format!("element {i}: string required"),
                ));
            }
        }
    }
    Ok(Value::List(out))
}

/// Position of the first element equal to the value; unknown when an element before it
/// cannot be compared yet.
pub(super) fn index(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = sequence_arg(&args, 0)?;
    if matches!(args[0], Value::Set(_)) {
        return Err(FunctionError::arg(0, "argument must be a list or tuple"));
    }
    if items.is_empty() {
        return Err(FunctionError::Call("cannot search an empty list".into()));
    }
    for (position, item) in items.iter().enumerate() {
        match equal(item, &args[1]) {
            Value::Bool(true) => return Ok(Value::Number(Number::Int(position as i64))),
            Value::Unknown => return Ok(Value::Unknown),
            _ => {}
        }
    }
    Err(FunctionError::Call("item not found".into()))
}

/// Elements of `values` whose corresponding `keys` element is in `searchset`. An empty
/// search set matches nothing even among unknowns; otherwise unknown values or keys make the
/// result unknown, and an unknown search element matches nothing yet (an empty list).
pub(super) fn matchkeys(args: Vec<Value>) -> Result<Value, FunctionError> {
    let values = unified_elements(&args, 0, "list")?;
    let keys = unified_elements(&args, 1, "list")?;
    let search = unified_elements(&args, 2, "list")?;
    if values.len() != keys.len() {
        return Err(FunctionError::Call(
            "length of keys and values should be equal".into(),
        ));
    }
    if search.is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    if !values.iter().chain(&keys).all(Value::is_wholly_known) {
        return Ok(Value::Unknown);
    }
    if !search.iter().all(Value::is_wholly_known) {
        return Ok(Value::List(Vec::new()));
    }
    let found = |key: &Value| {
        search
            .iter()
            .any(|s| equal(s, key) == Value::Bool(true) || to_text(s) == to_text(key))
    };
    Ok(Value::List(
        values
            .into_iter()
            .zip(keys.iter())
            .filter(|(_, key)| found(key))
            .map(|(value, _)| value)
            .collect(),
    ))
}

fn to_text(value: &Value) -> Option<String> {
    match convert(value.clone(), &Type::String) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The only element of a collection of zero or one elements, or null when it is empty.
pub(super) fn one(args: Vec<Value>) -> Result<Value, FunctionError> {
    match &args[0] {
        Value::List(items) | Value::Tuple(items) | Value::Set(items) if items.len() <= 1 => {
            Ok(items.first().cloned().unwrap_or(Value::Null))
        }
        Value::List(_) | Value::Tuple(_) | Value::Set(_) => Err(FunctionError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )),
        _ => Err(FunctionError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )),
    }
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
pub(super) fn range(args: Vec<Value>) -> Result<Value, FunctionError> {
    let numbers: Vec<Number> = (0..args.len())
        .map(|i| number_arg(&args, i))
        .collect::<Result<_, _>>()?;
    let zero = Number::from_f64(0.0);
    let unit = |down: bool| Number::from_i64(if down { -1 } else { 1 });
    let (start, limit, step) = match numbers.as_slice() {
        [limit] => (
            zero.clone(),
            limit.clone(),
            unit(limit.compare(&zero).is_lt()),
        ),
        [start, limit] => (
            start.clone(),
            limit.clone(),
            unit(limit.compare(start).is_lt()),
        ),
        [start, limit, step] => (start.clone(), limit.clone(), step.clone()),
        _ => {
            return Err(FunctionError::Call(
                "must have one, two, or three arguments".into(),
            ));
        }
    };
    let down = step.signum() < 0;
    if (down && start.compare(&limit).is_lt())
        || (step.signum() > 0 && start.compare(&limit).is_gt())
    {
        let direction = if down { "greater" } else { "less" };
        return Err(FunctionError::arg(
            0,
            format!(
                "start must be {direction} than or equal to limit when step is {}",
                if down { "negative" } else { "positive" }
            ),
        ));
    }
    let mut items = Vec::new();
    let mut current = start;
    while (!down && current.compare(&limit).is_lt()) || (down && current.compare(&limit).is_gt()) {
        if items.len() >= 1024 {
            return Err(FunctionError::Call(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into(),
            ));
        }
        let next = current
            .add(&step)
            .map_err(|_| FunctionError::Call("can't compute sum of opposing infinities".into()))?;
        items.push(Value::Number(std::mem::replace(&mut current, next)));
    }
    Ok(Value::List(items))
}

pub(super) fn reverse(args: Vec<Value>) -> Result<Value, FunctionError> {
    match args.into_iter().next() {
        Some(Value::List(mut items)) => {
            items.reverse();
            Ok(Value::List(items))
        }
        Some(Value::Tuple(mut items)) => {
            items.reverse();
            Ok(Value::Tuple(items))
        }
        Some(Value::Set(mut items)) => {
            items.reverse();
            Ok(Value::List(items))
        }
        Some(other) => Err(FunctionError::arg(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                value_kind(&other)
            ),
        )),
        None => Err(FunctionError::arg(0, "list required")),
    }
}

pub(super) fn slice(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = sequence_arg(&args, 0)?;
    let start = integer_arg(&args, 1)?;
    let end = integer_arg(&args, 2)?;
    if start < 0 {
        return Err(FunctionError::arg(
            1,
            "start index must not be less than zero",
        ));
    }
    if end > items.len() as i64 {
        return Err(FunctionError::arg(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(FunctionError::arg(
            1,
            "start index must not be greater than end index",
        ));
    }
    let part = items[start as usize..end as usize].to_vec();
    Ok(match args[0] {
        Value::Tuple(_) => Value::Tuple(part),
        _ => Value::List(part),
    })
}

pub(super) fn sum(args: Vec<Value>) -> Result<Value, FunctionError> {
    let items = sequence_arg(&args, 0)?;
    if items.is_empty() {
        return Err(FunctionError::arg(0, "cannot sum an empty list"));
    }
    let mut total: Option<Number> = None;
    for (i, item) in items.into_iter().enumerate() {
        let Ok(Value::Number(n)) = convert(item, &Type::Number) else {
            return Err(FunctionError::arg(
                0,
                format!("element {i}: number required"),
            ));
        };
        total = Some(match total {
            None => n,
            Some(sum) => sum.add(&n).map_err(|_| {
                FunctionError::Call("can't compute sum of opposing infinities".into())
            })?,
        });
    }
    Ok(total.map_or(Value::Null, Value::Number))
}

/// Swaps the keys and values of a map of lists of strings.
pub(super) fn transpose(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (Value::Map(entries) | Value::Object(entries)) = &args[0] else {
        return Err(FunctionError::arg(0, "map of list of string required"));
    };
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, list) in entries {
        let (Value::List(items) | Value::Tuple(items) | Value::Set(items)) = list else {
            return Err(FunctionError::arg(0, "map of list of string required"));
        };
        for item in items {
            let Some(name) = to_text(item) else {
                return Err(FunctionError::arg(0, "map of list of string required"));
            };
            out.entry(name)
                .or_default()
                .push(Value::string(key.clone()));
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

/// A map from `keys` to `values`; keys that are not all known make the whole map unknown,
/// unknown values are kept under their keys.
pub(super) fn zipmap(args: Vec<Value>) -> Result<Value, FunctionError> {
    let keys = sequence_arg(&args, 0)?;
    if !keys.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown);
    }
    let values = sequence_arg(&args, 1)?;
    if keys.len() != values.len() {
        return Err(FunctionError::Call(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut entries = BTreeMap::new();
    for (i, (key, value)) in keys.iter().zip(values).enumerate() {
        let Some(name) = to_text(key) else {
            return Err(FunctionError::arg(
                0,
                format!("element {i}: string required"),
            ));
        };
        entries.insert(name, value);
    }
    Ok(match args[1] {
        Value::Tuple(_) => Value::Object(entries),
        _ => Value::Map(entries),
    })
}

fn set_elements(args: &[Value], index: usize) -> Result<Vec<Value>, FunctionError> {
    let mut items = unified_elements(args, index, "set")?;
    normalize_set_keeping_unknowns(&mut items);
    Ok(items)
}

/// Orders a set's elements canonically and removes duplicates among the known ones. Unknown
/// elements are never equal to anything, so each is kept, after the known elements.
pub(super) fn normalize_set_keeping_unknowns(items: &mut Vec<Value>) {
    let (unknowns, mut known): (Vec<Value>, Vec<Value>) = std::mem::take(items)
        .into_iter()
        .partition(Value::is_unknown);
    Value::normalize_set(&mut known);
    known.extend(unknowns);
    *items = known;
}

/// Elements of every argument, as one set; unknown elements are kept.
pub(super) fn setunion(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut all = Vec::new();
    for index in 0..args.len() {
        all.extend(set_elements(&args, index)?);
    }
    let types: Vec<Type> = all.iter().map(crate::lang::types::type_of).collect();
    let Some(ty) = crate::lang::unify::unify(&types) else {
        return Err(FunctionError::Call(
            "given sets must all have compatible element types".into(),
        ));
    };
    all = all
        .into_iter()
        .map(|item| convert(item.clone(), &ty).unwrap_or(item))
        .collect();
    normalize_set_keeping_unknowns(&mut all);
    Ok(Value::Set(all))
}

pub(super) fn setintersection(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut result = set_elements(&args, 0)?;
    for index in 1..args.len() {
        let other = set_elements(&args, index)?;
        result.retain(|item| other.contains(item));
    }
    Ok(Value::Set(result))
}

pub(super) fn setsubtract(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut result = set_elements(&args, 0)?;
    let other = set_elements(&args, 1)?;
    result.retain(|item| !other.contains(item));
    Ok(Value::Set(result))
}

/// Every combination of one element from each argument, as tuples: a set when every
/// argument is a set, else a list.
pub(super) fn setproduct(args: Vec<Value>) -> Result<Value, FunctionError> {
    if args.len() < 2 {
        return Err(FunctionError::Call(
            "at least two arguments are required".into(),
        ));
    }
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for index in 0..args.len() {
        let items = unified_elements(&args, index, "set")?;
        product = product
            .into_iter()
            .flat_map(|prefix| {
                items.iter().map(move |item| {
                    let mut row = prefix.clone();
                    row.push(item.clone());
                    row
                })
            })
            .collect();
    }
    let rows: Vec<Value> = product.into_iter().map(Value::Tuple).collect();
    if args.iter().all(|a| matches!(a, Value::Set(_))) {
        let mut rows = rows;
        Value::normalize_set(&mut rows);
        Ok(Value::Set(rows))
    } else {
        Ok(Value::List(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::n;

    #[test]
    fn range_counts_in_either_direction_and_refuses_zero_steps() {
        assert_eq!(range(vec![n(3)]), Ok(Value::List(vec![n(0), n(1), n(2)])));
        assert_eq!(range(vec![n(3), n(1)]), Ok(Value::List(vec![n(3), n(2)])));
        assert!(range(vec![n(1), n(3), n(0)]).is_err());
        assert!(range(vec![n(5000)]).is_err());
    }

    #[test]
    fn slicing_chunking_and_lookups() {
        let list = Value::List(vec![n(1), n(2), n(3)]);
        assert_eq!(
            slice(vec![list.clone(), n(1), n(3)]),
            Ok(Value::List(vec![n(2), n(3)]))
        );
        assert!(slice(vec![list.clone(), n(2), n(1)]).is_err());
        assert_eq!(index(vec![list.clone(), n(2)]), Ok(n(1)));
        assert!(index(vec![list.clone(), n(9)]).is_err());
        assert_eq!(one(vec![Value::List(vec![])]), Ok(Value::Null));
        assert!(one(vec![list.clone()]).is_err());
        assert_eq!(sum(vec![list]), Ok(n(6)));
    }

    #[test]
    fn sets_combine() {
        let a = Value::Tuple(vec![n(1), n(2)]);
        let b = Value::Tuple(vec![n(2), n(3)]);
        assert_eq!(
            setintersection(vec![a.clone(), b.clone()]),
            Ok(Value::Set(vec![n(2)]))
        );
        assert_eq!(
            setsubtract(vec![a.clone(), b.clone()]),
            Ok(Value::Set(vec![n(1)]))
        );
        assert_eq!(setunion(vec![a, b]), Ok(Value::Set(vec![n(1), n(2), n(3)])));
    }
}
