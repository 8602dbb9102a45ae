//! Encoding functions: `jsonencode`, `jsondecode`.

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Value};

use super::{FunctionError, string_arg};

/// A known value as JSON: objects with their keys sorted, sets and tuples as arrays, and
/// `<`, `>`, `&` escaped as Terraform's encoder does.
pub fn to_json_text(value: &Value) -> String {
    let text = serde_json::to_string(&to_json(value)).unwrap_or_default();
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::Null | Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => n.to_json().map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            Json::Array(items.iter().map(to_json).collect())
        }
        Value::Map(entries) | Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
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

pub fn jsonencode(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(to_json_text(&args[0])))
}

pub fn jsondecode(args: Vec<Value>) -> Result<Value, FunctionError> {
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
