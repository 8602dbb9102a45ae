//! Encoding functions: `jsonencode`, `jsondecode`.

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Value};

use super::{FunctionError, string_arg};

/// A known value as JSON: objects with their keys sorted, sets and tuples as arrays, and
/// `<`, `>`, `&` escaped as Terraform's encoder does.
pub(super) fn to_json_text(value: &Value) -> String {
    let mut text = String::new();
    write_json(value, &mut text);
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Writes compact JSON; numbers with all their digits, as cty's JSON encoder writes them.
fn write_json(value: &Value, out: &mut String) {
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    match value {
        Value::Null | Value::Unknown => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_infinite() => out.push_str("null"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&quoted(s)),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Map(entries) | Value::Object(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quoted(key));
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn from_json(json: serde_json::Value) -> Value {
    use serde_json::Value as Json;
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => Value::Number(Number::from_json(&n)),
        Json::String(s) => Value::String(s),
        Json::Array(items) => Value::Tuple(items.into_iter().map(from_json).collect()),
        Json::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, from_json(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

pub(super) fn jsonencode(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(to_json_text(&args[0])))
}

pub(super) fn jsondecode(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| FunctionError::Call(json_error(&e)))?;
    Ok(from_json(json))
}

/// A JSON syntax error in the words Terraform uses.
fn json_error(error: &serde_json::Error) -> String {
    if error.is_eof() {
        "EOF".into()
    } else {
        error.to_string()
    }
}
