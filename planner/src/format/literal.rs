//! Values written as HCL literal expressions: `null`, numbers, bools, strings quoted by the
//! caller's rule, `[...]` sequences and `{ ... }` objects with one entry a line.

use tenantform_proto::value::Value;

/// `value` as an HCL literal; strings and keys that are not identifiers go through `quote`.
pub(crate) fn value_literal(value: &Value, quote: fn(&str) -> String) -> String {
    match value {
        Value::Null | Value::Unknown => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let items: Vec<String> = items.iter().map(|i| value_literal(i, quote)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(entries) | Value::Object(entries) if entries.is_empty() => "{}".into(),
        Value::Map(entries) | Value::Object(entries) => {
            let mut text = String::from("{\n");
            for (key, item) in entries {
                let key = if is_identifier(key) {
                    key.clone()
                } else {
                    quote(key)
                };
                text.push_str(&format!("{key} = {}\n", value_literal(item, quote)));
            }
            text.push('}');
            text
        }
    }
}

/// Whether `name` is an HCL identifier (hclsyntax's `ValidIdentifier`): a letter or
/// underscore, then letters, digits, `_` or `-`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}
