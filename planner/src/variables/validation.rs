//! The `validation` blocks of input variables: each condition is evaluated with the values of
//! its module's variables (the variable itself and, as Terraform 1.9 allows, any other
//! `var.*`), for the root module's variables once, for a module's in each of its instances;
//! a false condition is an error carrying the rule's `error_message`.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::Span;
use tenantform_proto::value::{Type, Value};

use crate::config::{Variable, VariableValidation};
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::{EvalContext, Sensitivity, Subject, convert, evaluate, evaluate_marked};

/// A module's variables as validation rules see them.
pub(crate) struct Known<'a> {
    pub values: &'a BTreeMap<String, Value>,
    /// The names of the variables declared sensitive.
    pub sensitive: &'a BTreeSet<String>,
}

/// What a failed rule says in place of an error message that refers to sensitive values.
const HIDDEN_MESSAGE: &str =
    "The error message included a sensitive value, so it will not be displayed.";

/// Checks every validation rule of `variable`, whose value is `known.values[variable.name]`.
/// `subject` is where a failure points: the value's source, or the declaration.
pub(crate) fn check(
    variable: &Variable,
    known: &Known<'_>,
    subject: &SourceRange,
    sources: &Sources,
) -> Diagnostics {
    let mut ctx = EvalContext {
        variables: std::sync::Arc::new(known.values.clone()),
        ..EvalContext::default()
    };
    for name in known.sensitive {
        ctx.set_marks(Subject::Variable(name.clone()), Sensitivity::Whole);
    }
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
    let error_message_range = rule
        .error_message
        .span()
        .map(|span| sources.range(file, span));
    let marked = evaluate_marked(&rule.error_message, ctx, file, sources)?;
    let hidden = marked.marks.any();
    let message = match convert(marked.value, &Type::String) {
        Ok(Value::String(_)) if hidden => HIDDEN_MESSAGE.to_string(),
        Ok(Value::String(message)) => message,
        _ => {
            return Err(Diagnostic::error(
                "Invalid error message",
                "The validation error message must be a string that is known and not null.",
            )
            .with_range(error_message_range)
            .into());
        }
    };
    let mut diags = Diagnostics::from(
        Diagnostic::error(
            "Invalid value for variable",
            format!(
                "{message}\n\nThis was checked by the validation rule at {}.",
                rule.range.short()
            ),
        )
        .with_range(Some(subject.clone())),
    );
    if hidden {
        diags.push(
            Diagnostic::error(
                "Error message refers to sensitive values",
                "The error expression used to explain this condition refers to sensitive \
                 values. Terraform will not display the resulting message.\n\nYou can correct \
                 this by removing references to sensitive values, or by carefully using the \
                 nonsensitive() function if the expression will not reveal the sensitive data.",
            )
            .with_range(error_message_range),
        );
    }
    Err(diags)
}
