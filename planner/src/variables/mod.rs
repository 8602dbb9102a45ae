//! Input variables of the root module: type constraints, values from every source in
//! Terraform's precedence order, conversion to the declared type (with `optional` defaults),
//! `nullable`, and `validation` rules, with Terraform's diagnostics.
//!
//! [`resolve`] is the entry point: it reads `TF_VAR_*`, `terraform.tfvars(.json)`,
//! `*.auto.tfvars(.json)`, `-var` and `-var-file`, and returns the final value of every
//! declared variable, or every problem found at once. [`check_declarations`] checks the
//! declarations alone (for `validate`).

mod conform;
mod constraint;
mod sources;
mod validation;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use hcl_edit::Span;
use tenantform_proto::value::Value;

pub(crate) use conform::conform;
pub(crate) use constraint::{ParsingMode, TypeConstraint, parse_variable_type};
pub(crate) use sources::{CliVariable, Given, Origin, RawValue, literal_value};
pub(crate) use validation::{Known as ValidationInputs, check as check_validations};

use crate::config::{Config, Variable};
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::{EvalContext, evaluate};

/// Everywhere variable values may come from, besides the configuration's defaults.
#[derive(Clone, Debug, Default)]
pub(crate) struct VariableSources {
    /// `-var` and `-var-file` options in command-line order.
    pub cli: Vec<CliVariable>,
    /// The process environment (only `TF_VAR_*` entries are read).
    pub env: Vec<(String, String)>,
    /// The directory `terraform.tfvars` and `*.auto.tfvars` are looked for in, and that
    /// relative `-var-file` paths start from.
    pub cwd: PathBuf,
    /// Values typed at interactive prompts, by variable name.
    pub prompted: BTreeMap<String, String>,
}

/// The final values of every declared variable.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub values: BTreeMap<String, Value>,
    /// The names of variables declared `sensitive = true`.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "kept by the parser; only its tests read it")
    )]
    pub sensitive: BTreeSet<String>,
    /// Warnings (values for undeclared variables in files).
    pub warnings: Diagnostics,
    /// The configuration's sources plus the variables files read, for rendering.
    pub sources: Sources,
}

/// Why variables could not be resolved: every problem, and the sources they point into.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{diags}")]
pub(crate) struct Unresolved {
    pub diags: Diagnostics,
    pub sources: Sources,
}

/// The configuration's files, the variable files read, and each value given as text (as a
/// file of its own), for diagnostics to quote.
fn sources_with_values(config: &Config, collected: &mut sources::Collected) -> Sources {
    let mut files = config.sources.files.clone();
    files.append(&mut collected.files);
    for (name, given) in &collected.values {
        if let RawValue::Text(text) = &given.raw {
            files.insert(text_file_name(name), text.clone());
        }
    }
    Sources::new(files)
}

/// Resolves the value of every variable `config` declares; see the module documentation.
pub(crate) fn resolve(config: &Config, inputs: &VariableSources) -> Result<Resolved, Unresolved> {
    let mut collected = sources::collect(config, &inputs.env, &inputs.cli, &inputs.cwd);
    for (name, text) in &inputs.prompted {
        collected.values.insert(
            name.clone(),
            Given {
                raw: RawValue::Text(text.clone()),
                origin: Origin::Prompt,
            },
        );
    }
    let sources = sources_with_values(config, &mut collected);
    let mut diags = collected.diags;
    if diags.has_errors() {
        // Values from a broken source are missing; reporting them as unset would mislead.
        return Err(Unresolved { diags, sources });
    }
    let mut values = BTreeMap::new();
    let mut subjects = BTreeMap::new();
    for (name, variable) in &config.variables {
        let given = collected.values.get(name);
        match resolve_one(variable, given, &sources) {
            Ok(value) => {
                values.insert(name.clone(), value);
            }
            Err(more) => {
                diags.extend(more);
                values.insert(name.clone(), Value::Unknown);
            }
        }
        subjects.insert(name.clone(), value_range(variable, given));
    }
    let sensitive = sensitive_names(config);
    for (name, variable) in &config.variables {
        let known = validation::Known {
            values: &values,
            sensitive: &sensitive,
        };
        diags.extend(validation::check(
            variable,
            &known,
            &subjects[name],
            &sources,
        ));
    }
    if diags.has_errors() {
        return Err(Unresolved { diags, sources });
    }
    Ok(Resolved {
        values,
        sensitive: config
            .variables
            .values()
            .filter(|v| v.sensitive)
            .map(|v| v.name.clone())
            .collect(),
        warnings: diags,
        sources,
    })
}

/// The values the sources give (defaults aside), typed by their declarations, with where
/// each came from: what applying a saved plan compares with the plan's values.
pub(crate) struct GivenValues {
    pub values: Vec<(String, Value, Origin)>,
    pub warnings: Diagnostics,
    pub sources: Sources,
}

/// Reads every source but the defaults; see [`GivenValues`].
/// The names of the variables `config` declares sensitive.
pub(crate) fn sensitive_names(config: &Config) -> BTreeSet<String> {
    config
        .variables
        .values()
        .filter(|v| v.sensitive)
        .map(|v| v.name.clone())
        .collect()
}

pub(crate) fn given_values(
    config: &Config,
    inputs: &VariableSources,
) -> Result<GivenValues, Unresolved> {
    let mut collected = sources::collect(config, &inputs.env, &inputs.cli, &inputs.cwd);
    let sources = sources_with_values(config, &mut collected);
    let mut diags = collected.diags;
    let mut values = Vec::new();
    for (name, given) in &collected.values {
        let Some(variable) = config.variables.get(name) else {
            continue;
        };
        match resolve_one(variable, Some(given), &sources) {
            Ok(value) => values.push((name.clone(), value, given.origin.clone())),
            Err(more) => diags.extend(more),
        }
    }
    if diags.has_errors() {
        return Err(Unresolved { diags, sources });
    }
    Ok(GivenValues {
        values,
        warnings: diags,
        sources,
    })
}

/// The variables that no source sets and that have no default: those an interactive run
/// asks for. Problems reading the sources are left for [`resolve`] to report.
pub(crate) fn unset_required<'a>(
    config: &'a Config,
    inputs: &VariableSources,
) -> Vec<&'a Variable> {
    let collected = sources::collect(config, &inputs.env, &inputs.cli, &inputs.cwd);
    config
        .variables
        .values()
        .filter(|v| v.default.is_none())
        .filter(|v| !collected.values.contains_key(&v.name))
        .filter(|v| !inputs.prompted.contains_key(&v.name))
        .collect()
}

/// Checks every declaration: its type constraint, and that its default conforms to it.
pub(crate) fn check_declarations(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for variable in config.variables.values() {
        let checked = declared_constraint(variable, &config.sources)
            .and_then(|constraint| default_value(variable, &constraint, &config.sources));
        if let Err(more) = checked {
            diags.extend(more);
        }
    }
    diags
}

/// The variable's type constraint; `any` when it declares none.
pub(crate) fn declared_constraint(
    variable: &Variable,
    sources: &Sources,
) -> Result<TypeConstraint, Diagnostics> {
    match &variable.type_constraint {
        Some(expr) => parse_variable_type(expr, &variable.file, sources),
        None => Ok(TypeConstraint::Any),
    }
}

/// The variable's default converted to its type constraint, with the defaults of `optional()`
/// object attributes filled in; `None` when the variable is required.
pub(crate) fn typed_default(
    variable: &Variable,
    sources: &Sources,
) -> Result<Option<Value>, Diagnostics> {
    let constraint = declared_constraint(variable, sources)?;
    default_value(variable, &constraint, sources)
}

/// The name under which text given for `name` appears in diagnostics, as in Terraform.
fn text_file_name(name: &str) -> String {
    format!("<value for var.{name}>")
}

/// The default converted to the constraint, or `None` when the variable is required.
fn default_value(
    variable: &Variable,
    constraint: &TypeConstraint,
    sources: &Sources,
) -> Result<Option<Value>, Diagnostics> {
    let Some(expr) = &variable.default else {
        return Ok(None);
    };
    let range = expr.span().map(|span| sources.range(&variable.file, span));
    let invalid = |detail: String| {
        Diagnostics::from(
            Diagnostic::error("Invalid default value for variable", detail)
                .with_range(range.clone()),
        )
    };
    let value = evaluate(expr, &EvalContext::default(), &variable.file, sources)?;
    if value.is_null() && !variable.nullable {
        return Err(invalid(
            "A null default value is not valid when nullable=false.".into(),
        ));
    }
    conform(value, constraint).map(Some).map_err(|problem| {
        invalid(format!(
            "This default value is not compatible with the variable's type constraint: \
             {problem}."
        ))
    })
}

/// Where a value came from when it has no file range of its own, in Terraform's words.
fn non_file_source(name: &str, origin: &Origin) -> Option<String> {
    match origin {
        Origin::File(_) => None,
        Origin::CommandLine => Some(format!("set using -var=\"{name}=...\"")),
        Origin::Environment => Some(format!("set using the TF_VAR_{name} environment variable")),
        Origin::Prompt => Some("set using an interactive prompt".into()),
    }
}

/// The final value of one variable, as Terraform's `prepareFinalInputVariableValue`.
fn resolve_one(
    variable: &Variable,
    given: Option<&Given>,
    sources: &Sources,
) -> Result<Value, Diagnostics> {
    let name = &variable.name;
    let constraint = declared_constraint(variable, sources)?;
    let default = default_value(variable, &constraint, sources)?;
    let Some(given) = given else {
        return default.ok_or_else(|| {
            Diagnostic::error(
                "No value for required variable",
                format!(
                    "The root module input variable \"{name}\" is not set, and has no default \
                     value. Use a -var or -var-file command line argument to provide a value \
                     for this variable."
                ),
            )
            .with_range(Some(variable.range.clone()))
            .into()
        });
    };
    let raw = match &given.raw {
        RawValue::Value(value) => value.clone(),
        RawValue::Text(text) if variable.type_constraint.is_none() => Value::String(text.clone()),
        RawValue::Text(text) => match constraint.parsing_mode() {
            ParsingMode::Literal => Value::String(text.clone()),
            ParsingMode::Expression => parse_text(name, text, sources)?,
        },
    };
    let address = format!("var.{name}");
    let declared_at = variable.range.short();
    let from_elsewhere = non_file_source(name, &given.origin);
    let value_range = value_range(variable, Some(given));
    let value = conform(raw, &constraint).map_err(|problem| {
        let (detail, range) = match (&from_elsewhere, variable.sensitive) {
            (Some(source), _) => (
                format!("Unsuitable value for {address} {source}: {problem}."),
                variable.range.clone(),
            ),
            (None, true) => (
                format!(
                    "The given value is not suitable for {address}, which is sensitive: \
                     {problem}. Invalid value defined at {}.",
                    value_range.short()
                ),
                variable.range.clone(),
            ),
            (None, false) => (
                format!(
                    "The given value is not suitable for {address} declared at {declared_at}: \
                     {problem}."
                ),
                value_range.clone(),
            ),
        };
        Diagnostics::from(
            Diagnostic::error("Invalid value for input variable", detail).with_range(Some(range)),
        )
    })?;
    if !value.is_null() || variable.nullable {
        return Ok(value);
    }
    if let Some(default) = default {
        return Ok(default);
    }
    let (detail, range) = match &from_elsewhere {
        Some(source) => (
            format!(
                "Unsuitable value for {address} {source}: required variable may not be set to \
                 null."
            ),
            variable.range.clone(),
        ),
        None => (
            format!(
                "The given value is not suitable for {address} defined at {declared_at}: \
                 required variable may not be set to null."
            ),
            value_range,
        ),
    };
    Err(Diagnostic::error("Required variable not set", detail)
        .with_range(Some(range))
        .into())
}

/// Text from the command line, the environment or a prompt, read as an HCL expression.
fn parse_text(name: &str, text: &str, sources: &Sources) -> Result<Value, Diagnostics> {
    let file = text_file_name(name);
    let expr = hcl_edit::parser::parse_expr(text).map_err(|err| {
        let offset = err.location().offset();
        Diagnostics::from(
            Diagnostic::error("Invalid expression", err.message().to_string())
                .with_range(Some(sources.range(&file, offset..offset + 1))),
        )
    })?;
    literal_value(&expr, &file, sources)
}

/// The source range a diagnostic about `variable`'s value points at.
pub(crate) fn value_range(variable: &Variable, given: Option<&Given>) -> SourceRange {
    match given.map(|g| &g.origin) {
        Some(Origin::File(range)) => range.clone(),
        _ => variable.range.clone(),
    }
}
