//! `tenantform console`: evaluates expressions against the configuration of the working
//! directory and prints their values exactly as `terraform console` does.
//!
//! Like Terraform's console when its input is not a terminal, it reads every line of standard
//! input, stops at the first error (printed to stderr, exit code 1) and otherwise prints the
//! value of the last line only. Values are laid out as Terraform's REPL formats them:
//! strings quoted with Go escapes, multi-line strings as heredocs, collections one element a
//! line with their `tolist(...)`, `toset(...)` and `tomap(...)` wrappers. An `exit` line
//! ends it without printing anything.
//!
//! Expressions see the configuration's variables and locals, and the resources and data
//! sources of the stored state (`stored`). A whole line `type(EXPR)` prints the type of the
//! value (`type_function`).

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use tenantform_proto::value::Value;

use super::{CommandResult, Failure, Ui, common};
use type_function::TypeCall;

mod stored;
mod type_function;
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::lang::{self, EvalContext, Sensitivity, Subject};

pub(super) static COMMAND: Command = Command {
    name: "console",
    arguments: "[options]",
    about: "  Starts an interactive console for experimenting with expressions.",
    flags: &[flag_defs::VAR, flag_defs::NO_COLOR],
    refused: &[
        "state",
        "plan",
        "var-file",
        "input",
        "target",
        "scope",
        "compact-warnings",
    ],
};

/// The file name Terraform gives console input in diagnostics.
const INPUT_NAME: &str = "<console-input>";

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "")?;
    let options = common::Common::from(&parsed, &COMMAND)?;
    let config = common::load_config()?;
    let mut ctx = context(&config, &options.variables)?;
    let state = common::read_state(common::store_for(&config)?.as_ref())?;
    stored::add_stored_resources(&config, &state, &mut ctx).await?;
    let mut last = String::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        match line {
            "" => last.clear(),
            // As Terraform's, the console then stops without printing anything.
            "exit" => return Ok(0),
            _ => match evaluate_line(line, &ctx) {
                Ok(text) => last = text,
                Err(diags) => {
                    ui.err(&render_console_diagnostics(&diags));
                    return Ok(1);
                }
            },
        }
    }
    ui.out(&format!("{last}\n"));
    Ok(0)
}

/// The values of the configuration's variables (defaults overridden by `-var` and `TF_VAR_`)
/// and locals, with their sensitivity: a variable declared sensitive is, and a local is as
/// sensitive as its value.
fn context(config: &Config, given: &BTreeMap<String, Value>) -> Result<EvalContext, Failure> {
    let dir = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| ".".into());
    let mut ctx = EvalContext {
        path_module: ".".into(),
        path_root: ".".into(),
        path_cwd: dir,
        workspace: super::workspace::current()?,
        // As in Terraform, the configuration sees an unknown plan timestamp, while the
        // console's own lines have no `plantimestamp` function.
        plan_timestamp: Some(Value::Unknown),
        builtin_provider_names: config.builtin_provider_names(),
        ..EvalContext::default()
    };
    for (name, variable) in &config.variables {
        if variable.sensitive {
            ctx.set_marks(Subject::Variable(name.clone()), Sensitivity::Whole);
        }
        let value = match (given.get(name), &variable.default) {
            (Some(value), _) => value.clone(),
            (None, Some(expr)) => lang::evaluate(expr, &ctx, &variable.file, &config.sources)
                .map_err(|d| Failure::Diags(d, config.sources.clone()))?,
            (None, None) => Value::Unknown,
        };
        // A value takes its declared type, as `tomap(...)` for a `map(string)` variable.
        let value = match crate::variables::declared_constraint(variable, &config.sources) {
            Ok(constraint) => {
                crate::variables::conform(value.clone(), &constraint).unwrap_or(value)
            }
            Err(_) => value,
        };
        Arc::make_mut(&mut ctx.variables).insert(name.clone(), value);
    }
    // Locals may refer to each other: evaluate in passes until no more succeed.
    let mut pending: Vec<_> = config.locals.values().collect();
    let mut last_error = None;
    while !pending.is_empty() {
        let before = pending.len();
        let mut failed = Vec::new();
        for local in pending {
            match lang::evaluate_marked(&local.expr, &ctx, &local.file, &config.sources) {
                Ok(marked) => {
                    let (value, marks) = marked.into_parts();
                    ctx.set_marks(Subject::Local(local.name.clone()), marks);
                    Arc::make_mut(&mut ctx.locals).insert(local.name.clone(), value);
                }
                Err(diags) => {
                    last_error = Some(diags);
                    failed.push(local);
                }
            }
        }
        if failed.len() == before {
            let diags = last_error.take().unwrap_or_default();
            return Err(Failure::Diags(diags, config.sources.clone()));
        }
        pending = failed;
    }
    ctx.plan_timestamp = None;
    Ok(ctx)
}

/// Evaluates one line and formats its value.
fn evaluate_line(line: &str, ctx: &EvalContext) -> Result<String, Diagnostics> {
    let sources = Sources::of_file(INPUT_NAME, line);
    let expr: Expression = lang::parse::parse_expr(line).map_err(|e| {
        Diagnostics::from(crate::diags::Diagnostic::error(
            "Invalid expression",
            e.message,
        ))
    })?;
    match type_function::type_call(&expr) {
        Some(TypeCall::Of(inner)) => {
            refuse_inner_type_calls(inner)?;
            let marked = lang::evaluate_marked(inner, ctx, INPUT_NAME, &sources)?;
            return Ok(type_function::format_type(
                &lang::types::type_of(&marked.value),
                0,
            ));
        }
        Some(TypeCall::OfType) => return Ok("type".into()),
        Some(TypeCall::Arity(0)) => {
            return Err(Diagnostic::error(
                "Not enough function arguments",
                "Function \"type\" expects 1 argument(s). Missing value for \"value\".",
            )
            .into());
        }
        Some(TypeCall::Arity(_)) => {
            return Err(Diagnostic::error(
                "Too many function arguments",
                "Function \"type\" expects only 1 argument(s).",
            )
            .into());
        }
        None => refuse_inner_type_calls(&expr)?,
    }
    let marked = lang::evaluate_marked(&expr, ctx, INPUT_NAME, &sources)?;
    Ok(format_value(&marked.value, &marked.marks, 0))
}

/// `type(...)` only stands for a whole console line, as in Terraform.
fn refuse_inner_type_calls(expr: &Expression) -> Result<(), Diagnostics> {
    if type_function::calls_type(expr) {
        return Err(Diagnostic::error(
            "Invalid use of type function",
            "The console-only \"type\" function cannot be used as part of an expression.",
        )
        .into());
    }
    Ok(())
}

/// Diagnostics as Terraform's console prints them without color: the console has no source
/// to quote, so each names its line and says so.
fn render_console_diagnostics(diags: &Diagnostics) -> String {
    let mut out = String::new();
    for diag in diags.iter() {
        let severity = match diag.severity {
            crate::diags::Severity::Error => "Error",
            crate::diags::Severity::Warning => "Warning",
        };
        out.push_str(&format!("\n{severity}: {}\n\n", diag.summary));
        if diag.summary != "Invalid use of type function" {
            out.push_str("  on <console-input> line 1:\n  (source code not available)\n\n");
        }
        if !diag.detail.is_empty() {
            out.push_str(&format!("{}\n", word_wrap(&diag.detail, DETAIL_WIDTH)));
        }
        out.push('\n');
    }
    out
}

/// The width Terraform wraps diagnostic details to when it has no terminal.
const DETAIL_WIDTH: usize = 77;

/// Greedy word wrapping of each line of `text` to `width` characters.
fn word_wrap(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut current = String::new();
        for word in line.split(' ') {
            let current_len = current.chars().count();
            if current_len > 0 && current_len + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut current));
                current.push_str(word);
            } else {
                if !current.is_empty() || current_len > 0 {
                    current.push(' ');
                }
                current.push_str(word);
            }
        }
        out.push(current);
    }
    out.join("\n")
}

/// A value as Terraform's console prints it, `indent` spaces deep.
pub(super) fn format_value(value: &Value, marks: &Sensitivity, indent: usize) -> String {
    if marks.is_whole() {
        return "(sensitive value)".into();
    }
    match value {
        Value::Unknown => "(known after apply)".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format_string(s, indent),
        Value::Tuple(items) => format_sequence(items, marks, indent),
        Value::List(items) => format!("tolist({})", format_sequence(items, marks, indent)),
        Value::Set(items) => format!("toset({})", format_sequence(items, marks, indent)),
        Value::Object(entries) => format_mapping(entries, marks, indent),
        Value::Map(entries) => format!("tomap({})", format_mapping(entries, marks, indent)),
    }
}

fn format_sequence(items: &[Value], marks: &Sensitivity, indent: usize) -> String {
    let mut out = String::from("[");
    for (index, item) in items.iter().enumerate() {
        out.push('\n');
        out.push_str(&" ".repeat(indent + 2));
        out.push_str(&format_value(item, &marks.element(index), indent + 2));
        out.push(',');
    }
    if !items.is_empty() {
        out.push('\n');
        out.push_str(&" ".repeat(indent));
    }
    out.push(']');
    out
}

fn format_mapping(entries: &BTreeMap<String, Value>, marks: &Sensitivity, indent: usize) -> String {
    let mut out = String::from("{");
    for (key, item) in entries {
        out.push('\n');
        out.push_str(&" ".repeat(indent + 2));
        out.push_str(&format_string(key, indent + 2));
        out.push_str(" = ");
        out.push_str(&format_value(item, &marks.attribute(key), indent + 2));
    }
    if !entries.is_empty() {
        out.push('\n');
        out.push_str(&" ".repeat(indent));
    }
    out.push('}');
    out
}

/// A string quoted as Go's `strconv.Quote` does, or a heredoc when it has several lines.
fn format_string(text: &str, indent: usize) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.len() < 2 {
        return go_quote(text);
    }
    let operator = if indent > 0 { "<<-" } else { "<<" };
    let mut delimiter = String::from("EOT");
    while lines.iter().any(|line| line.trim() == delimiter) {
        delimiter.push('_');
    }
    let pad = " ".repeat(indent);
    let mut out = format!("{operator}{delimiter}");
    for line in &lines {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(line);
    }
    out.push('\n');
    out.push_str(&pad);
    out.push_str(&delimiter);
    out
}

/// Go's `strconv.Quote`: printable characters as they are, the rest escaped.
pub(super) fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, closely enough: no control, format or separator characters
/// other than the ASCII space.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let code = c as u32;
    let format_or_control = c.is_control()
        || c.is_whitespace()
        || matches!(code, 0xad | 0x600..=0x605 | 0x200b..=0x200f | 0x202a..=0x202e)
        || matches!(code, 0x2060..=0x2064 | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff);
    !format_or_control
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantform_proto::value::Number;

    #[test]
    fn strings_quote_like_go_and_multi_line_ones_become_heredocs() {
        assert_eq!(go_quote("a\"b\\\t\u{1}é"), "\"a\\\"b\\\\\\t\\x01é\"");
        let text = format_value(&Value::string("a\nb\n"), &Sensitivity::None, 0);
        assert_eq!(text, "<<EOT\na\nb\n\nEOT");
        let text = format_value(&Value::string("EOT\nx"), &Sensitivity::None, 2);
        assert_eq!(text, "<<-EOT_\n  EOT\n  x\n  EOT_");
    }

    #[test]
    fn collections_print_in_terraform_layout() {
        let value = Value::List(vec![Value::Number(Number::Int(1)), Value::Tuple(vec![])]);
        assert_eq!(
            format_value(&value, &Sensitivity::None, 0),
            "tolist([\n  1,\n  [],\n])"
        );
        let value = Value::Map(BTreeMap::from([("a".to_string(), Value::Bool(true))]));
        assert_eq!(
            format_value(&value, &Sensitivity::None, 0),
            "tomap({\n  \"a\" = true\n})"
        );
        let marks = Sensitivity::Elements(vec![Sensitivity::Whole, Sensitivity::None]);
        let value = Value::Tuple(vec![Value::Null, Value::Unknown]);
        assert_eq!(
            format_value(&value, &marks, 0),
            "[\n  (sensitive value),\n  (known after apply),\n]"
        );
    }
}
