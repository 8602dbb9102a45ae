//! Functions that take expressions rather than values: `try`, `can`, `issensitive` and
//! `templatestring` (in its own module).
//! The evaluator hands their calls here before evaluating any argument, so that an
//! argument's evaluation error can be caught instead of failing the whole expression.

use hcl_edit::Span;
use hcl_edit::expr::FuncCall;
use tenantform_proto::value::Value;

use crate::diags::{Diagnostic, Diagnostics};
use crate::lang::eval::{EvalResult, Evaluator};
use crate::lang::marks::Marked;

/// The names of the functions evaluated here.
pub(super) const LAZY_FUNCTIONS: &[&str] = &["try", "can", "issensitive", "templatestring"];

impl Evaluator<'_> {
    /// Evaluates a call of a lazy function; `None` for any other function.
    pub(crate) fn eval_lazy_call(&mut self, name: &str, call: &FuncCall) -> Option<EvalResult> {
        if !LAZY_FUNCTIONS.contains(&name) || call.args.expand_final() {
            return None;
        }
        let args: Vec<_> = call.args.iter().collect();
        Some(match name {
            "try" => self.eval_try(&args, call),
            "templatestring" => self.eval_templatestring(&args, call),
            "can" => self
                .eval_single(&args, call, "can", "expression")
                .and_then(|expr| {
                    Ok(Marked::plain(match self.eval(expr) {
                        Err(diags) if is_static_error(&diags) => return Err(diags),
                        Err(_) => Value::Bool(false),
                        Ok(v) if !v.value.is_wholly_known() => Value::Unknown,
                        Ok(_) => Value::Bool(true),
                    }))
                }),
            _ => self
                .eval_single(&args, call, "issensitive", "value")
                .and_then(|expr| {
                    let marked = self.eval(expr)?;
                    if !marked.value.is_wholly_known() {
                        return Ok(Marked::plain(Value::Unknown));
                    }
                    Ok(Marked::plain(Value::Bool(marked.marks.is_whole())))
                }),
        })
    }

    /// The single argument of a one-parameter lazy function.
    fn eval_single<'e>(
        &self,
        args: &[&'e hcl_edit::expr::Expression],
        call: &FuncCall,
        name: &str,
        param: &str,
    ) -> Result<&'e hcl_edit::expr::Expression, Diagnostics> {
        match args {
            [single] => Ok(single),
            [] => Err(self.error(
                "Not enough function arguments",
                format!(
                    "Function \"{name}\" expects 1 argument(s). Missing value for \"{param}\"."
                ),
                call.span(),
            )),
            [_, extra, ..] => Err(self.error(
                "Too many function arguments",
                format!("Function \"{name}\" expects only 1 argument(s)."),
                extra.span().or(call.span()),
            )),
        }
    }

    /// `try(exprs...)`: the first argument that evaluates without error; unknown as soon as
    /// one yields a value that is not wholly known.
    fn eval_try(&mut self, args: &[&hcl_edit::expr::Expression], call: &FuncCall) -> EvalResult {
        if args.is_empty() {
            return Err(self.error(
                "Invalid function arguments",
                "At least one argument is required.",
                call.span(),
            ));
        }
        let mut failures = Vec::new();
        for expr in args {
            match self.eval(expr) {
                Ok(marked) if !marked.value.is_wholly_known() => {
                    return Ok(Marked::new(Value::Unknown, marked.marks.collapsed()));
                }
                Ok(marked) => return Ok(marked),
                Err(diags) if is_static_error(&diags) => return Err(diags),
                Err(diags) => failures.extend(diags.0),
            }
        }
        let mut detail =
            String::from("Call to function \"try\" failed: no expression succeeded:\n");
        for failure in &failures {
            detail.push_str(&describe_failure(failure));
        }
        detail.push_str("\nAt least one expression must produce a successful result.");
        Err(self.error("Error in function call", detail, call.span()))
    }
}

/// One failed `try` argument as Terraform lists it.
fn describe_failure(diag: &Diagnostic) -> String {
    let place = diag
        .range
        .as_ref()
        .map(|r| {
            format!(
                " (at {}:{},{}-{})",
                r.filename, r.start.line, r.start.column, r.end.column
            )
        })
        .unwrap_or_default();
    format!("- {}{place}\n  {}\n", diag.summary, diag.detail)
}

/// Errors Terraform reports before evaluating, which `try` and `can` therefore cannot catch:
/// references to things that are not declared.
fn is_static_error(diags: &Diagnostics) -> bool {
    diags.iter().any(|d| {
        d.summary.starts_with("Reference to undeclared") || d.summary == "Call to unknown function"
    })
}
