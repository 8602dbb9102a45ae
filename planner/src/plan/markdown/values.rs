//! Values on one line, with every sensitive part masked: `"text"`, `42`, `["a", "b"]`,
//! `{ tier = "gold" }`, `(known after apply)` for unknowns and `(sensitive value)` wherever
//! a sensitive path reaches. Attribute and map keys compare alike (marks do), and a set with
//! anything sensitive inside is masked whole, since set elements have no stable position.

use std::fmt::Write;

use tenantform_proto::value::{AttributePath, PathStep, Value};

pub(super) const SENSITIVE: &str = "(sensitive value)";
pub(super) const KNOWN_AFTER_APPLY: &str = "(known after apply)";

fn steps_match(a: &PathStep, b: &PathStep) -> bool {
    match (a, b) {
        (
            PathStep::Attribute(x) | PathStep::StringKey(x),
            PathStep::Attribute(y) | PathStep::StringKey(y),
        ) => x == y,
        (PathStep::IntKey(x), PathStep::IntKey(y)) => x == y,
        _ => false,
    }
}

fn is_prefix(prefix: &[PathStep], path: &[PathStep]) -> bool {
    prefix.len() <= path.len() && prefix.iter().zip(path).all(|(a, b)| steps_match(a, b))
}

/// Whether the value at `path` is sensitive: some sensitive path leads to it or above it.
pub(super) fn is_sensitive(sensitive: &[AttributePath], path: &[PathStep]) -> bool {
    sensitive.iter().any(|p| is_prefix(&p.0, path))
}

/// Whether some sensitive path leads below `path`.
fn has_sensitive_below(sensitive: &[AttributePath], path: &[PathStep]) -> bool {
    sensitive
        .iter()
        .any(|p| p.0.len() > path.len() && is_prefix(path, &p.0))
}

/// Whether `path` is exactly one of `paths` (attribute and map keys alike).
pub(super) fn path_is_one_of(paths: &[AttributePath], path: &[PathStep]) -> bool {
    paths
        .iter()
        .any(|p| p.0.len() == path.len() && is_prefix(&p.0, path))
}

/// A path as the comment names it: `labels["tier"]`, `rules[0].cidr`; after `root` (an
/// output's name) when given.
pub(super) fn path_text(root: &str, path: &[PathStep]) -> String {
    let mut out = root.to_string();
    for step in path {
        match step {
            PathStep::Attribute(name) if !is_identifier(name) => {
                let _ = write!(out, "[{}]", quoted(name));
            }
            PathStep::Attribute(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            PathStep::StringKey(key) => {
                let _ = write!(out, "[{}]", quoted(key));
            }
            PathStep::IntKey(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }
    out
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The value at `path` on one line, sensitive parts masked.
pub(super) fn one_line(
    value: &Value,
    sensitive: &[AttributePath],
    path: &mut Vec<PathStep>,
) -> String {
    let mut out = String::new();
    write_value(&mut out, value, sensitive, path);
    out
}

fn write_value(
    out: &mut String,
    value: &Value,
    sensitive: &[AttributePath],
    path: &mut Vec<PathStep>,
) {
    if is_sensitive(sensitive, path) {
        out.push_str(SENSITIVE);
        return;
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Unknown => out.push_str(KNOWN_AFTER_APPLY),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&quoted(s)),
        Value::Set(_) if has_sensitive_below(sensitive, path) => out.push_str(SENSITIVE),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                path.push(PathStep::IntKey(index as i64));
                write_value(out, item, sensitive, path);
                path.pop();
            }
            out.push(']');
        }
        Value::Map(entries) | Value::Object(entries) => {
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            let is_object = matches!(value, Value::Object(_));
            out.push_str("{ ");
            for (index, (key, item)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                if is_identifier(key) {
                    out.push_str(key);
                } else {
                    out.push_str(&quoted(key));
                }
                out.push_str(" = ");
                path.push(if is_object {
                    PathStep::Attribute(key.clone())
                } else {
                    PathStep::StringKey(key.clone())
                });
                write_value(out, item, sensitive, path);
                path.pop();
            }
            out.push_str(" }");
        }
    }
}
