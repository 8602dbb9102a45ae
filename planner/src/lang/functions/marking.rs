//! How a function call's result takes the sensitivity marks of its arguments.
//!
//! As in Terraform: most functions read their arguments whole, so any mark anywhere in an
//! argument marks the whole result; `sensitive` marks its result, `nonsensitive` removes the
//! mark of its argument's top level; `length` only sees the mark of its collection itself;
//! functions that rearrange elements (`concat`, `merge`, `element`, `lookup`, `values`,
//! `reverse`, `slice`, `flatten`, `zipmap` and the conversions) keep each element's own
//! marks, plus any mark of an argument's top level and of the arguments that select.

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Value};

use crate::lang::marks::Sensitivity;

/// The marks of `result`, the value `name` returned for `args` with marks `marks`.
pub(crate) fn result_marks(
    name: &str,
    args: &[Value],
    marks: &[Sensitivity],
    result: &Value,
) -> Sensitivity {
    let top_level = Sensitivity::whole_if(marks.iter().any(Sensitivity::is_whole));
    let any = || Sensitivity::whole_if(marks.iter().any(Sensitivity::any));
    let arg = |i: usize| marks.get(i).cloned().unwrap_or_default();
    let structural = match name {
        "sensitive" => return Sensitivity::Whole,
        "nonsensitive" => {
            return match arg(0) {
                Sensitivity::Whole => Sensitivity::None,
                inner => inner,
            };
        }
        "issensitive" | "type" => return Sensitivity::None,
        "length" => return Sensitivity::whole_if(arg(0).is_whole()),
        "tolist" | "tomap" | "toset" | "tostring" | "tonumber" | "tobool" => arg(0),
        "element" => element_marks(args, marks),
        "lookup" => lookup_marks(args, marks),
        "concat" => Sensitivity::elements(
            args.iter()
                .zip(marks)
                .flat_map(|(value, marks)| marks.element_marks(sequence_len(value)))
                .collect(),
        ),
        "merge" => {
            let mut entries = BTreeMap::new();
            for (value, marks) in args.iter().zip(marks) {
                if let Value::Map(items) | Value::Object(items) = value {
                    for name in items.keys() {
                        entries.insert(name.clone(), marks.attribute(name));
                    }
                }
            }
            Sensitivity::attributes(entries)
        }
        "values" => match args.first() {
            Some(Value::Map(items) | Value::Object(items)) => {
                Sensitivity::elements(items.keys().map(|name| arg(0).attribute(name)).collect())
            }
            _ => Sensitivity::None,
        },
        "reverse" => {
            let mut items = arg(0).element_marks(args.first().map_or(0, sequence_len));
            items.reverse();
            Sensitivity::elements(items)
        }
        "slice" => slice_marks(args, marks),
        "flatten" => {
            let mut out = Vec::new();
            if let Some(value) = args.first() {
                flatten_marks(value, &arg(0), &mut out);
            }
            Sensitivity::elements(out)
        }
        "zipmap" => zipmap_marks(args, marks),
        _ => return any(),
    };
    structural.union(top_level).fitted(result)
}

fn sequence_len(value: &Value) -> usize {
    match value {
        Value::List(items) | Value::Tuple(items) | Value::Set(items) => items.len(),
        _ => 0,
    }
}

fn index_of(value: Option<&Value>) -> Option<i64> {
    match value {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => Number::parse_decimal(s).and_then(|n| n.as_i64()),
        _ => None,
    }
}

fn element_marks(args: &[Value], marks: &[Sensitivity]) -> Sensitivity {
    let index_marks = marks.get(1).map(Sensitivity::collapsed).unwrap_or_default();
    let len = args.first().map_or(0, sequence_len);
    let chosen = match index_of(args.get(1)) {
        Some(index) if len > 0 => {
            let at = index.rem_euclid(len as i64) as usize;
            marks.first().map(|m| m.element(at)).unwrap_or_default()
        }
        _ => Sensitivity::None,
    };
    chosen.union(index_marks)
}

fn lookup_marks(args: &[Value], marks: &[Sensitivity]) -> Sensitivity {
    let key_marks = marks.get(1).map(Sensitivity::collapsed).unwrap_or_default();
    let found = match (args.first(), args.get(1)) {
        (Some(Value::Map(items) | Value::Object(items)), Some(Value::String(key)))
            if items.contains_key(key) =>
        {
            marks.first().map(|m| m.attribute(key)).unwrap_or_default()
        }
        _ => marks.get(2).cloned().unwrap_or_default(),
    };
    found.union(key_marks)
}

fn slice_marks(args: &[Value], marks: &[Sensitivity]) -> Sensitivity {
    let bounds_marks = marks
        .iter()
        .skip(1)
        .fold(Sensitivity::None, |acc, m| acc.union(m.collapsed()));
    let (Some(start), Some(end)) = (index_of(args.get(1)), index_of(args.get(2))) else {
        return bounds_marks;
    };
    let list = marks.first().cloned().unwrap_or_default();
    let items = (start.max(0)..end.max(0))
        .map(|i| list.element(i as usize))
        .collect();
    Sensitivity::elements(items).union(bounds_marks)
}

fn flatten_marks(value: &Value, marks: &Sensitivity, out: &mut Vec<Sensitivity>) {
    match value {
        Value::Set(items) => {
            let inner = marks.collapsed();
            for item in items {
                flatten_marks(item, &inner, out);
            }
        }
        Value::List(items) | Value::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_marks(item, &marks.element(i), out);
            }
        }
        _ => out.push(marks.clone()),
    }
}

fn zipmap_marks(args: &[Value], marks: &[Sensitivity]) -> Sensitivity {
    let key_marks = marks
        .first()
        .map(Sensitivity::collapsed)
        .unwrap_or_default();
    let (Some(Value::List(keys) | Value::Tuple(keys) | Value::Set(keys)), Some(values)) =
        (args.first(), marks.get(1))
    else {
        return key_marks;
    };
    let mut entries = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        let name = match key {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        entries.insert(name, values.element(i));
    }
    Sensitivity::attributes(entries).union(key_marks)
}

#[cfg(test)]
mod tests;
