//! The `validation` blocks of input variables: each condition is evaluated with the values of
//! the root module's variables (the variable itself and, as Terraform 1.9 allows, any other
//! `var.*`); a false condition is an error carrying the rule's `error_message`.

use std::collections::BTreeMap;

use hcl_edit::Span;
use tenantform_proto::value::{Type, Value};

use crate::config::{Variable, VariableValidation};
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::{EvalContext, convert, evaluate};

/// Checks every validation rule of `variable`, whose value is `values[variable.name]`.
/// `subject` is where a failure points: the value's source, or the declaration.
pub fn check(
    variable: &Variable,
    values: &BTreeMap<String, Value>,
    subject: &SourceRange,
    sources: &Sources,
) -> Diagnostics {
    let ctx = EvalContext {
        variables: std::sync::Arc::new(values.clone()),
        ..EvalContext::default()
    };
    let mut diags = Diagnostics::new();
    for rule in &variable.validations {
        if let Err(more) = check_rule(variable, rule, &ctx, subject, sources) {
            diags.extend(more);
        }
    }
    diags
}

fn check_rule(
    variable: &Variable,
    rule: &VariableValidation,
    ctx: &EvalContext,
    subject: &SourceRange,
    sources: &Sources,
) -> Result<(), Diagnostics> {
    let file = &variable.file;
    let condition_range = rule.condition.span().map(|span| sources.range(file, span));
    let invalid_result = |detail: String| {
        Diagnostics::from(
            Diagnostic::error("Invalid variable validation result", detail)
                .with_range(condition_range.clone()),
        )
    };
    let result = evaluate(&rule.condition, ctx, file, sources)?;
    let passed = match convert(result, &Type::Bool) {
        Ok(Value::Unknown) => return Ok(()),
        Ok(Value::Null) => {
            return Err(invalid_result(
                "Validation condition expression must return either true or false, not null."
                    .into(),
            ));
        }
        Ok(Value::Bool(passed)) => passed,
        Ok(_) | Err(_) => {
            return Err(invalid_result(
                "Invalid validation condition result value: a bool is required.".into(),
            ));
        }
    };
    if passed {
        return Ok(());
    }
    let message = match evaluate(&rule.error_message, ctx, file, sources)
        .map(|v| convert(v, &Type::String))
    {
        Ok(Ok(Value::String(message))) => message,
        Ok(_) => {
            return Err(Diagnostic::error(
                "Invalid error message",
                "The validation error message must be a string that is known and not null.",
            )
            .with_range(
                rule.error_message
                    .span()
                    .map(|span| sources.range(file, span)),
            )
            .into());
        }
        Err(diags) => return Err(diags),
    };
    Err(Diagnostic::error(
        "Invalid value for variable",
        format!(
            "{message}\n\nThis was checked by the validation rule at {}.",
            rule.range.short()
        ),
    )
    .with_range(Some(subject.clone()))
    .into())
}
