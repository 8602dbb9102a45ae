//! Variables given when applying a saved plan, checked against the plan as Terraform checks
//! them: a saved plan keeps the values it was made with, so a `-var` or `-var-file` value
//! that differs is an error, an environment value that differs is a warning, and an
//! automatically loaded file is ignored; a value for a variable the plan did not record is
//! refused as undeclared.

use std::collections::BTreeSet;

use tenantform_proto::value::Value;

use super::common::Common;
use super::{Failure, Ui};
use crate::config::Config;
use crate::diags::{Diagnostic, SourceRange};
use crate::plan::Plan;
use crate::variables::{self, Origin};

/// Checks the variables given now against `plan`; `recorded` names the variables the plan
/// recorded as set (every variable of the plan when the file does not say).
pub(super) fn check(
    ui: &Ui,
    config: &Config,
    plan: &Plan,
    recorded: Option<&BTreeSet<String>>,
    common: &Common,
) -> Result<(), Failure> {
    let given = variables::given_values(config, &common.variable_sources)
        .map_err(|unresolved| Failure::Diags(unresolved.diags, unresolved.sources))?;
    let mut diags = given.warnings;
    let mut undeclared_in_files = 0;
    for (name, value, origin) in &given.values {
        let planned = plan.variables.get(name);
        let recorded = recorded.map_or(planned.is_some(), |set| set.contains(name));
        let Some(planned) = planned.filter(|_| recorded) else {
            if matches!(origin, Origin::File(_)) {
                undeclared_in_files += 1;
                if undeclared_in_files > 2 {
                    continue;
                }
            }
            diags.0.extend(undeclared(name, origin));
            continue;
        };
        if value == planned {
            continue;
        }
        let sensitive = config.variables.get(name).is_some_and(|v| v.sensitive);
        diags
            .0
            .extend(changed(name, planned, value, origin, sensitive));
    }
    if undeclared_in_files > 2 {
        diags.push(Diagnostic::warning(
            "Values for undeclared variables",
            format!(
                "In addition to the other similar warnings shown, {} other variable(s) defined \
                 without being declared.",
                undeclared_in_files - 2
            ),
        ));
    }
    if diags.has_errors() {
        return Err(Failure::Diags(diags, given.sources));
    }
    ui.diags(&diags, &given.sources);
    Ok(())
}

/// Terraform's diagnostic for a value the plan has no record of (files warn, the
/// environment is ignored, the command line is an error).
fn undeclared(name: &str, origin: &Origin) -> Option<Diagnostic> {
    let summary = "Value for undeclared variable";
    match origin {
        Origin::CommandLine => Some(Diagnostic::error(
            summary,
            format!(
                "A variable named \"{name}\" was assigned on the command line, but the root \
                 module does not declare a variable of that name. To use this value, add a \
                 \"variable\" block to the configuration."
            ),
        )),
        Origin::File(range) => Some(Diagnostic::warning(
            summary,
            format!(
                "The root module does not declare a variable named \"{name}\" but a value was \
                 found in file \"{}\". If you meant to use this value, add a \"variable\" block \
                 to the configuration.\n\nTo silence these warnings, use TF_VAR_... environment \
                 variables to provide certain \"global\" settings to all configurations in your \
                 organization. To reduce the verbosity of these warnings, use the \
                 -compact-warnings option.",
                range.filename
            ),
        )),
        _ => None,
    }
}

/// Terraform's diagnostic for a value that differs from the plan's.
fn changed(
    name: &str,
    planned: &Value,
    given: &Value,
    origin: &Origin,
    sensitive: bool,
) -> Option<Diagnostic> {
    let shown = |value: &Value| {
        if sensitive {
            "(sensitive value)".to_string()
        } else {
            compact_value(value)
        }
    };
    let (planned, given) = (shown(planned), shown(given));
    let ephemeral = "To declare an ephemeral variable which is not saved in the plan file, use \
                     ephemeral = true.";
    match origin {
        Origin::Environment => Some(Diagnostic::warning(
            "Ignoring variable when applying a saved plan",
            format!(
                "The variable {name} cannot be overriden when applying a saved plan file, \
                 because a saved plan includes the variable values that were set when it was \
                 created. The saved plan specifies {planned} as the value whereas during apply \
                 the value {given} was set by an environment variable. {ephemeral}"
            ),
        )),
        Origin::File(range) if is_auto_loaded(range) => None,
        Origin::CommandLine | Origin::File(_) => {
            let label = match origin {
                Origin::CommandLine => "set by a CLI argument",
                _ => "set by a .tfvars file passed through -var-file argument",
            };
            let range = match origin {
                Origin::File(range) => Some(range.clone()),
                _ => None,
            };
            Some(
                Diagnostic::error(
                    "Can't change variable when applying a saved plan",
                    format!(
                        "The variable {name} cannot be set using the -var and -var-file options \
                         when applying a saved plan file, because a saved plan includes the \
                         variable values that were set when it was created. The saved plan \
                         specifies {planned} as the value whereas during apply the value \
                         {given} was {label}. {ephemeral}"
                    ),
                )
                .with_range(range),
            )
        }
        Origin::Prompt => None,
    }
}

/// `terraform.tfvars(.json)` and `*.auto.tfvars(.json)`, which Terraform loads by itself.
fn is_auto_loaded(range: &SourceRange) -> bool {
    let file = range.filename.as_str();
    matches!(file, "terraform.tfvars" | "terraform.tfvars.json")
        || file.ends_with(".auto.tfvars")
        || file.ends_with(".auto.tfvars.json")
}

/// A value in a few words, as Terraform's `CompactValueStr`.
pub(super) fn compact_value(value: &Value) -> String {
    let count = |n: usize, what: &str| match n {
        0 => format!("empty {what}"),
        1 => format!("{what} with 1 element"),
        n => format!("{what} with {n} elements"),
    };
    match value {
        Value::Null => "null".into(),
        Value::Unknown => "(not yet known)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::List(items) => count(items.len(), "list"),
        Value::Set(items) => count(items.len(), "set"),
        Value::Tuple(items) => count(items.len(), "tuple"),
        Value::Map(entries) => count(entries.len(), "map"),
        Value::Object(attrs) => match attrs.len() {
            0 => "object with no attributes".into(),
            1 => format!(
                "object with 1 attribute {:?}",
                attrs.keys().next().map(String::as_str).unwrap_or_default()
            ),
            n => format!("object with {n} attributes"),
        },
    }
}

/// The names `recorded` when a plan is saved: the variables some source set.
pub(super) fn set_variables(config: &Config, common: &Common) -> Option<BTreeSet<String>> {
    let given = variables::given_values(config, &common.variable_sources).ok()?;
    Some(given.values.into_iter().map(|(name, ..)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn values_in_a_few_words() {
        assert_eq!(
            compact_value(&Value::String("Be\"ta".into())),
            "\"Be\\\"ta\""
        );
        assert_eq!(compact_value(&Value::Bool(true)), "true");
        assert_eq!(compact_value(&Value::List(vec![])), "empty list");
        assert_eq!(
            compact_value(&Value::Tuple(vec![Value::Null, Value::Null])),
            "tuple with 2 elements"
        );
        let one = BTreeMap::from([("a".to_string(), Value::Null)]);
        assert_eq!(
            compact_value(&Value::Object(one)),
            "object with 1 attribute \"a\""
        );
    }

    #[test]
    fn differing_values_are_errors_from_the_command_line_and_warnings_from_the_environment() {
        let planned = Value::String("Beta".into());
        let given = Value::String("Gamma".into());
        let error = changed("name", &planned, &given, &Origin::CommandLine, false).unwrap();
        assert_eq!(
            error.summary,
            "Can't change variable when applying a saved plan"
        );
        assert!(error.detail.contains(
            "The saved plan specifies \"Beta\" as the value whereas during apply the value \
             \"Gamma\" was set by a CLI argument."
        ));
        let warning = changed("name", &planned, &given, &Origin::Environment, true).unwrap();
        assert_eq!(warning.severity, crate::diags::Severity::Warning);
        assert!(
            warning
                .detail
                .contains("specifies (sensitive value) as the value")
        );
        assert!(undeclared("n", &Origin::Environment).is_none());
    }
}
