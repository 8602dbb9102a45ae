//! Collecting raw variable values from everywhere Terraform takes them, lowest precedence
//! first: `TF_VAR_name` environment variables, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars(.json)` in lexical order, then `-var` and `-var-file` in command-line order.
//! A later source overrides an earlier one. `.tfvars` files are HCL whose expressions may not
//! refer to anything or call functions; `.tfvars.json` files are JSON objects.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Structure;
use tenantform_proto::value::{Number, Value};

use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::{EvalContext, evaluate};

/// One `-var` or `-var-file` option, in command-line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CliVariable {
    /// `-var 'NAME=VALUE'`, the raw text after `-var`.
    Assignment(String),
    /// `-var-file=PATH`.
    File(PathBuf),
}

/// Where a variable's value came from; it decides the wording and range of diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Origin {
    Environment,
    /// A `.tfvars` or `.tfvars.json` file: the range of the value there.
    File(SourceRange),
    CommandLine,
    Prompt,
}

/// A value before conversion: text from the command line, the environment or a prompt (read
/// according to the variable's parsing mode), or a value already read from a file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawValue {
    Text(String),
    Value(Value),
}

/// A raw value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Given {
    pub raw: RawValue,
    pub origin: Origin,
}

/// What collecting produced: the winning raw value per name, the files read (for snippets)
/// and any problems.
#[derive(Default)]
pub(super) struct Collected {
    pub values: BTreeMap<String, Given>,
    pub files: BTreeMap<String, String>,
    pub diags: Diagnostics,
}

/// Reads every source in precedence order. `env` holds the process environment.
pub(super) fn collect(
    config: &Config,
    env: &[(String, String)],
    cli: &[CliVariable],
    cwd: &Path,
) -> Collected {
    let mut collected = Collected::default();
    for (key, text) in env {
        if let Some(name) = key.strip_prefix("TF_VAR_") {
            // Undeclared environment variables are ignored, as Terraform does: they are often
            // set for a whole organisation.
            if config.variables.contains_key(name) {
                collected.set(name, RawValue::Text(text.clone()), Origin::Environment);
            }
        }
    }
    for file in auto_loaded_files(cwd) {
        collected.read_file(config, &cwd.join(&file), &file);
    }
    for option in cli {
        match option {
            CliVariable::Assignment(raw) => collected.assignment(config, raw),
            CliVariable::File(path) => {
                let shown = path.display().to_string();
                collected.read_file(config, &cwd.join(path), &shown);
            }
        }
    }
    collected
}

/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` by name.
fn auto_loaded_files(cwd: &Path) -> Vec<String> {
    let mut files: Vec<String> = ["terraform.tfvars", "terraform.tfvars.json"]
        .into_iter()
        .filter(|name| cwd.join(name).is_file())
        .map(String::from)
        .collect();
    let mut auto: Vec<String> = std::fs::read_dir(cwd)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json"))
        .filter(|name| cwd.join(name).is_file())
        .collect();
    auto.sort();
    files.extend(auto);
    files
}

impl Collected {
    fn set(&mut self, name: &str, raw: RawValue, origin: Origin) {
        self.values.insert(name.to_string(), Given { raw, origin });
    }

    fn assignment(&mut self, config: &Config, raw: &str) {
        let Some((name, text)) = raw.split_once('=') else {
            self.diags.push(Diagnostic::error(
                "Invalid -var option",
                format!(
                    "The given -var option {raw:?} is not correctly specified. Must be a \
                     variable name and value separated by an equals sign, like -var=\"key=value\"."
                ),
            ));
            return;
        };
        let name = name.trim();
        if !config.variables.contains_key(name) {
            self.diags.push(Diagnostic::error(
                "Value for undeclared variable",
                format!(
                    "A variable named \"{name}\" was assigned on the command line, but the root \
                     module does not declare a variable of that name. To use this value, add a \
                     \"variable\" block to the configuration."
                ),
            ));
            return;
        }
        self.set(name, RawValue::Text(text.to_string()), Origin::CommandLine);
    }

    /// Reads a variables file at `path`, named `shown` in diagnostics.
    fn read_file(&mut self, config: &Config, path: &Path, shown: &str) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                let detail = if err.kind() == std::io::ErrorKind::NotFound {
                    format!("Given variables file {shown} does not exist.")
                } else {
                    format!("Error while reading {shown}: {err}.")
                };
                self.diags
                    .push(Diagnostic::error("Failed to read variables file", detail));
                return;
            }
        };
        self.files.insert(shown.to_string(), text.clone());
        let sources = Sources::of_file(shown, text.clone());
        let entries = if shown.ends_with(".json") {
            json_file(&text, shown, &sources)
        } else {
            hcl_file(&text, shown, &sources)
        };
        let entries = match entries {
            Ok(entries) => entries,
            Err(diags) => {
                self.diags.extend(diags);
                return;
            }
        };
        for (name, value, range) in entries {
            if config.variables.contains_key(&name) {
                self.set(&name, RawValue::Value(value), Origin::File(range));
            } else {
                self.diags.push(
                    Diagnostic::warning(
                        "Value for undeclared variable",
                        format!(
                            "The root module does not declare a variable named \"{name}\" but a \
                             value was found in file \"{shown}\". If you meant to use this \
                             value, add a \"variable\" block to the configuration.\n\nTo silence \
                             these warnings, use TF_VAR_... environment variables to provide \
                             certain \"global\" settings to all configurations in your \
                             organization."
                        ),
                    )
                    .with_range(Some(range)),
                );
            }
        }
    }
}

type Entries = Vec<(String, Value, SourceRange)>;

fn hcl_file(text: &str, file: &str, sources: &Sources) -> Result<Entries, Diagnostics> {
    let body = crate::lang::parse::parse_body(text).map_err(|err| {
        let offset = err.offset;
        Diagnostics::from(
            Diagnostic::error("Invalid HCL syntax", err.message)
                .with_range(Some(sources.range(file, offset..offset + 1))),
        )
    })?;
    let mut entries = Vec::new();
    let mut diags = Diagnostics::new();
    for structure in &body {
        match structure {
            Structure::Block(block) => diags.push(
                Diagnostic::error(
                    format!("Unexpected \"{}\" block", block.ident.value()),
                    "Blocks are not allowed here.",
                )
                .with_range(block.ident.span().map(|s| sources.range(file, s))),
            ),
            Structure::Attribute(attr) => match literal_value(&attr.value, file, sources) {
                Ok(value) => {
                    let range = sources.range(file, attr.value.span().unwrap_or(0..0));
                    entries.push((attr.key.value().to_string(), value, range));
                }
                Err(more) => diags.extend(more),
            },
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(entries)
    }
}

/// Evaluates an expression that may neither refer to anything nor call a function, as
/// Terraform evaluates variable values given outside the configuration.
pub(crate) fn literal_value(
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Result<Value, Diagnostics> {
    let mut diags = Diagnostics::new();
    check_literal(expr, &mut |summary, detail, span| {
        diags.push(
            Diagnostic::error(summary, detail).with_range(span.map(|s| sources.range(file, s))),
        );
    });
    if diags.has_errors() {
        return Err(diags);
    }
    evaluate(expr, &EvalContext::default(), file, sources)
}

/// Reports references and function calls inside `expr`.
/// Receives each problem: summary, detail and the span of the offending expression.
type Report<'a> = &'a mut dyn FnMut(&str, &str, Option<Range<usize>>);

fn check_literal(expr: &Expression, report: Report<'_>) {
    match expr {
        Expression::Variable(_) | Expression::Traversal(_) => report(
            "Variables not allowed",
            "Variables may not be used here.",
            expr.span(),
        ),
        Expression::FuncCall(_) => report(
            "Function calls not allowed",
            "Functions may not be called here.",
            expr.span(),
        ),
        Expression::Array(items) => items.iter().for_each(|item| check_literal(item, report)),
        Expression::Object(object) => {
            for (_, value) in object {
                check_literal(value.expr(), report);
            }
        }
        Expression::Parenthesis(inner) => check_literal(inner.inner(), report),
        Expression::Conditional(cond) => {
            check_literal(&cond.cond_expr, report);
            check_literal(&cond.true_expr, report);
            check_literal(&cond.false_expr, report);
        }
        Expression::UnaryOp(op) => check_literal(&op.expr, report),
        Expression::BinaryOp(op) => {
            check_literal(&op.lhs_expr, report);
            check_literal(&op.rhs_expr, report);
        }
        _ => {}
    }
}

fn json_file(text: &str, file: &str, sources: &Sources) -> Result<Entries, Diagnostics> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        let offset = byte_offset(text, err.line(), err.column());
        Diagnostics::from(
            Diagnostic::error("Invalid JSON syntax", capitalize(&err.to_string()))
                .with_range(Some(sources.range(file, offset..offset + 1))),
        )
    })?;
    let serde_json::Value::Object(entries) = json else {
        return Err(Diagnostic::error(
            "Root value must be object",
            "The root value in a JSON-based configuration must be either a JSON object or a \
             JSON array of objects.",
        )
        .with_range(Some(sources.range(file, 0..1)))
        .into());
    };
    Ok(entries
        .iter()
        .map(|(name, json)| {
            let quoted = format!("\"{name}\"");
            let span = text
                .find(&quoted)
                .map_or(0..0, |start| start..start + quoted.len());
            (name.clone(), json_value(json), sources.range(file, span))
        })
        .collect())
}

/// A JSON value as HCL reads it: arrays are tuples, objects are objects.
pub(crate) fn json_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(Number::from_json(n)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::Tuple(items.iter().map(json_value).collect()),
        serde_json::Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), json_value(v)))
                .collect(),
        ),
    }
}

/// The byte offset of a 1-based line and column.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
