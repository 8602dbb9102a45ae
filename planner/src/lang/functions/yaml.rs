//! YAML: `yamldecode` with YAML 1.1 scalar resolution as Terraform's decoder does (`yes`,
//! `on`, `y` are true; `0x1F` is a number; `~` is null), and `yamlencode` in Terraform's
//! block layout with quoted strings and keys.

use std::collections::BTreeMap;

use tenantform_proto::value::{Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use super::{FunctionError, string_arg};

/// A plain scalar's value under YAML 1.1's resolution rules.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Number(Number::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Number(Number::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let unsigned = text.trim_start_matches(['-', '+']);
    let negative = text.starts_with('-');
    if let Some(hex) = unsigned.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Number(Number::Int(if negative { -i } else { i }));
    }
    if let Some(binary) = unsigned.strip_prefix("0b")
        && let Ok(i) = i64::from_str_radix(binary, 2)
    {
        return Value::Number(Number::Int(if negative { -i } else { i }));
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
        && text.chars().any(|c| c.is_ascii_digit());
    if numeric && let Some(n) = Number::parse_decimal(text) {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

enum Frame {
    Sequence(Vec<Value>),
    Mapping(BTreeMap<String, Value>, Option<String>),
}

fn decode_error(message: impl std::fmt::Display) -> FunctionError {
    FunctionError::Call(message.to_string())
}

pub(super) fn yamldecode(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let mut parser = Parser::new_from_str(&text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: BTreeMap<usize, Value> = BTreeMap::new();
    let mut anchor_stack: Vec<usize> = Vec::new();
    let mut result: Option<Value> = None;
    let mut documents = 0;
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            let m = e.marker();
            decode_error(format!(
                "on line {}, column {}: {}",
                m.line(),
                m.col() + 1,
                e.info()
            ))
        })?;
        let mut finished: Option<(Value, usize)> = None;
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => documents += 1,
            Event::Scalar(value, style, anchor, tag) => {
                let resolved = match (style, tag) {
                    (_, Some(tag)) if tag.suffix == "str" => Value::String(value),
                    (TScalarStyle::Plain, _) => resolve_plain(&value),
                    _ => Value::String(value),
                };
                finished = Some((resolved, anchor));
            }
            Event::Alias(id) => {
                let value = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| decode_error("unknown anchor"))?;
                finished = Some((value, 0));
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Sequence(Vec::new()));
                anchor_stack.push(anchor);
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Mapping(BTreeMap::new(), None));
                anchor_stack.push(anchor);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let anchor = anchor_stack.pop().unwrap_or(0);
                finished = match stack.pop() {
                    Some(Frame::Sequence(items)) => Some((Value::Tuple(items), anchor)),
                    Some(Frame::Mapping(entries, _)) => Some((Value::Object(entries), anchor)),
                    None => None,
                };
            }
            _ => {}
        }
        let _ = marker;
        if let Some((value, anchor)) = finished {
            if anchor != 0 {
                anchors.insert(anchor, value.clone());
            }
            match stack.last_mut() {
                Some(Frame::Sequence(items)) => items.push(value),
                Some(Frame::Mapping(entries, key)) => match key.take() {
                    Some(name) => {
                        entries.insert(name, value);
                    }
                    None => {
                        let name = match value {
                            Value::String(s) => s,
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Null => "null".into(),
                            _ => return Err(decode_error("only string keys are supported")),
                        };
                        *key = Some(name);
                    }
                },
                None => result = Some(value),
            }
        }
    }
    if documents == 0 {
        return Err(decode_error(
            "on line 1, column 1: missing start of document",
        ));
    }
    Ok(result.unwrap_or(Value::Null))
}

/// Appends `value` in block layout at `indent`; `inline` tells whether it follows a key or
/// a dash on the same line.
fn encode(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                let mut nested = String::new();
                encode(item, indent + 2, &mut nested);
                out.push_str(nested.trim_start());
            }
        }
        Value::Map(entries) | Value::Object(entries) if !entries.is_empty() => {
            for (key, item) in entries {
                out.push_str(&pad);
                out.push_str(&super::encoding::to_json_text(&Value::string(key.clone())));
                out.push(':');
                let nested_block = matches!(
                    item,
                    Value::List(i) | Value::Set(i) | Value::Tuple(i) if !i.is_empty()
                ) || matches!(item, Value::Map(e) | Value::Object(e) if !e.is_empty());
                if nested_block {
                    out.push('\n');
                    let child_indent = if matches!(item, Value::Map(_) | Value::Object(_)) {
                        indent + 2
                    } else {
                        indent
                    };
                    encode(item, child_indent, out);
                } else {
                    out.push(' ');
                    encode(item, indent + 2, out);
                }
            }
        }
        Value::String(s) if s.contains('\n') => {
            let pad = " ".repeat(indent.max(2));
            let chomping = if s.ends_with('\n') { "" } else { "-" };
            out.push_str(&format!("|{chomping}\n"));
            for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                if !line.is_empty() {
                    out.push_str(&pad);
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        other => {
            let scalar = match other {
                Value::Null | Value::Unknown => "null".to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::String(s) => super::encoding::to_json_text(&Value::string(s.clone())),
                Value::Map(_) | Value::Object(_) => "{}".into(),
                _ => "[]".into(),
            };
            out.push_str(&scalar);
            out.push('\n');
        }
    }
}

pub(super) fn yamlencode(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut out = String::new();
    encode(&args[0], 0, &mut out);
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::s;

    #[test]
    fn decoding_follows_yaml_1_1_scalars() {
        let decoded =
            yamldecode(vec![s("a: yes\nb: Off\nc: 0x1F\nd: ~\ne: '5'\nf: 1_000")]).expect("yaml");
        assert_eq!(decoded.get_attr("a"), Some(&Value::Bool(true)));
        assert_eq!(decoded.get_attr("b"), Some(&Value::Bool(false)));
        assert_eq!(decoded.get_attr("c"), Some(&Value::Number(Number::Int(31))));
        assert_eq!(decoded.get_attr("d"), Some(&Value::Null));
        assert_eq!(decoded.get_attr("e"), Some(&s("5")));
        assert_eq!(decoded.get_attr("f"), Some(&s("1_000")));
        assert!(yamldecode(vec![s("")]).is_err());
        assert!(yamldecode(vec![s("a: [")]).is_err());
    }

    #[test]
    fn encoding_uses_block_layout_with_quoted_strings() {
        let value = crate::lang::types::object([
            ("a", Value::Number(Number::Int(1))),
            ("c", Value::Tuple(vec![Value::Bool(true), Value::Null])),
            (
                "j",
                Value::Tuple(vec![crate::lang::types::object([("x", s("y"))])]),
            ),
            ("f", s("a\nb")),
        ]);
        assert_eq!(
            yamlencode(vec![value]),
            Ok(s(
                "\"a\": 1\n\"c\":\n- true\n- null\n\"f\": |-\n  a\n  b\n\"j\":\n- \"x\": \"y\"\n"
            ))
        );
    }
}
