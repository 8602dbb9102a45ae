//! The JSON form of `TF_ENCRYPTION` (HCL's JSON syntax, as OpenTofu accepts it), rewritten
//! into the native syntax the parser reads: blocks are the object keys the `encryption`
//! block's schema names (`key_provider` and `method` with two labels, `state`, `plan`,
//! `fallback`, `remote_state_data_sources`, `default`, and `remote_state_data_source` with
//! one), given as objects or arrays of objects; everything else is an argument. Errors in
//! the rewritten text have no line in the JSON, so they are reported without one.

use serde_json::Value;

use super::ConfigError;

/// What a body may hold as blocks.
#[derive(Clone, Copy)]
enum Schema {
    /// The `encryption` block's body.
    Top,
    /// A `key_provider` or `method` body: arguments only.
    Arguments,
    /// A target (`state`, `plan`, `fallback`, `default`, `remote_state_data_source`).
    Target,
    /// `remote_state_data_sources`.
    Remote,
}

impl Schema {
    /// The block types of this body, with their number of labels and their body's schema.
    fn blocks(self) -> &'static [(&'static str, usize, Schema)] {
        match self {
            Schema::Top => &[
                ("key_provider", 2, Schema::Arguments),
                ("method", 2, Schema::Arguments),
                ("state", 0, Schema::Target),
                ("plan", 0, Schema::Target),
                ("remote_state_data_sources", 0, Schema::Remote),
            ],
            Schema::Arguments => &[],
            Schema::Target => &[("fallback", 0, Schema::Target)],
            Schema::Remote => &[
                ("default", 0, Schema::Target),
                ("remote_state_data_source", 1, Schema::Target),
            ],
        }
    }
}

/// A block type being written: its name, labels still to read, and its body's schema.
#[derive(Clone, Copy)]
struct BlockKind {
    name: &'static str,
    labels: usize,
    schema: Schema,
}

/// The deepest nesting of values this rewrite follows (the schema needs a handful).
const MAX_DEPTH: usize = 32;

fn error(message: impl Into<String>) -> ConfigError {
    ConfigError {
        line: 0,
        message: message.into(),
    }
}

/// The native-syntax text of a JSON configuration.
pub(super) fn to_hcl(text: &str) -> Result<String, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(|err| ConfigError {
        line: err.line(),
        message: format!("invalid JSON syntax: {}", err.classify_message()),
    })?;
    let mut out = String::new();
    body(&value, Schema::Top, &mut out, 0)?;
    Ok(out)
}

trait Classify {
    fn classify_message(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    /// What kind of syntax error this is, without the input's text.
    fn classify_message(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            _ => "malformed JSON",
        }
    }
}

fn body(value: &Value, schema: Schema, out: &mut String, depth: usize) -> Result<(), ConfigError> {
    if depth > MAX_DEPTH {
        return Err(error("the JSON is nested too deeply"));
    }
    let Value::Object(entries) = value else {
        return Err(error("expected a JSON object for a block's body"));
    };
    for (key, value) in entries {
        if key == "//" {
            continue;
        }
        match schema.blocks().iter().find(|(name, _, _)| name == key) {
            Some((name, labels, inner)) => {
                let kind = BlockKind {
                    name,
                    labels: *labels,
                    schema: *inner,
                };
                block(kind, value, &mut Vec::new(), out, depth)?;
            }
            None => {
                out.push_str(&format!("{} = ", identifier(key)?));
                expression(value, out, depth)?;
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// A block of type `kind` whose remaining labels are the next object keys.
fn block(
    kind: BlockKind,
    value: &Value,
    given: &mut Vec<String>,
    out: &mut String,
    depth: usize,
) -> Result<(), ConfigError> {
    if depth > MAX_DEPTH {
        return Err(error("the JSON is nested too deeply"));
    }
    if let Value::Array(items) = value {
        for item in items {
            block(kind, item, given, out, depth + 1)?;
        }
        return Ok(());
    }
    if kind.labels == 0 {
        out.push_str(kind.name);
        for label in given.iter() {
            out.push(' ');
            string(label, out);
        }
        out.push_str(" {\n");
        body(value, kind.schema, out, depth + 1)?;
        out.push_str("}\n");
        return Ok(());
    }
    let Value::Object(entries) = value else {
        return Err(error(format!(
            "expected a JSON object of {} labels",
            kind.name
        )));
    };
    for (label, inner) in entries {
        given.push(label.clone());
        let rest = BlockKind {
            labels: kind.labels - 1,
            ..kind
        };
        block(rest, inner, given, out, depth + 1)?;
        given.pop();
    }
    Ok(())
}

fn expression(value: &Value, out: &mut String, depth: usize) -> Result<(), ConfigError> {
    if depth > MAX_DEPTH {
        return Err(error("the JSON is nested too deeply"));
    }
    match value {
        Value::String(text) => string(text, out),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                expression(item, out, depth + 1)?;
            }
            out.push(']');
        }
        Value::Null => out.push_str("null"),
        Value::Object(_) => return Err(error("objects are not allowed as argument values")),
    }
    Ok(())
}

/// A quoted string literal holding `text` exactly (no interpolation).
fn string(text: &str, out: &mut String) {
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn identifier(key: &str) -> Result<&str, ConfigError> {
    let valid = key.chars().next().is_some_and(char::is_alphabetic)
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(key)
    } else {
        Err(error(format!("{key:?} is not a valid argument name")))
    }
}

#[cfg(test)]
mod tests;
