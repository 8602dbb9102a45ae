//! `templatestring(template, vars)`: a string from elsewhere (a reference, never a literal
//! template) rendered as a template with `vars` in scope, as in Terraform 1.9 and later.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::template::Template;
use tenantform_proto::value::Value;

use crate::diags::Sources;
use crate::lang::EvalContext;
use crate::lang::eval::{EvalResult, Evaluator};
use crate::lang::marks::Marked;

/// The name template text has in messages.
const TEMPLATE_NAME: &str = "<templatestring argument>";

impl Evaluator<'_> {
    /// Evaluates a call of `templatestring`.
    pub(crate) fn eval_templatestring(
        &mut self,
        args: &[&Expression],
        call: &FuncCall,
    ) -> EvalResult {
        let (template_expr, vars_expr) = match args {
            [template, vars] => (*template, *vars),
            [] | [_] => {
                let missing = if args.is_empty() { "template" } else { "vars" };
                return Err(self.error(
                    "Not enough function arguments",
                    format!(
                        "Function \"templatestring\" expects 2 argument(s). Missing value for \
                         \"{missing}\"."
                    ),
                    call.span(),
                ));
            }
            [_, _, extra, ..] => {
                return Err(self.error(
                    "Too many function arguments",
                    "Function \"templatestring\" expects only 2 argument(s).",
                    extra.span().or(call.span()),
                ));
            }
        };
        let invalid = |this: &Self, param: &str, detail: &str| {
            this.error(
                "Invalid function argument",
                format!("Invalid value for \"{param}\" parameter: {detail}."),
                call.span(),
            )
        };
        if !matches!(
            template_expr,
            Expression::Variable(_) | Expression::Traversal(_)
        ) {
            return Err(invalid(
                self,
                "template",
                "invalid template expression: templatestring is only for rendering templates \
                 retrieved dynamically from elsewhere; to render an inline template, consider \
                 using a plain template string expression",
            ));
        }
        let (template, template_marks) = self.eval(template_expr)?.into_parts();
        let (vars, vars_marks) = self.eval(vars_expr)?.into_parts();
        let marks = template_marks.collapsed().union(vars_marks.collapsed());
        let text = match template {
            Value::Unknown => return Ok(Marked::new(Value::Unknown, marks)),
            Value::String(text) => text,
            _ => {
                return Err(invalid(
                    self,
                    "template",
                    "invalid template value: a string is required",
                ));
            }
        };
        let entries = match vars {
            Value::Unknown => return Ok(Marked::new(Value::Unknown, marks)),
            Value::Map(entries) | Value::Object(entries) => entries,
            _ => return Err(invalid(self, "vars", "invalid vars value: must be a map")),
        };
        let parsed: Template = text.parse().map_err(|e: hcl_edit::parser::Error| {
            invalid(
                self,
                "template",
                &format!("invalid template: {TEMPLATE_NAME}: {}", e.message()),
            )
        })?;
        let bindings: Vec<(String, Marked)> = entries
            .into_iter()
            .map(|(name, value)| {
                let marks = vars_marks.attribute(&name);
                (name, Marked::new(value, marks))
            })
            .collect();
        let sources = Sources::of_file(TEMPLATE_NAME, text);
        let ctx = EvalContext::default();
        let mut renderer = Evaluator::new(&ctx, TEMPLATE_NAME, &sources);
        let rendered = renderer
            .with_bindings(bindings, |e| e.eval_template(&parsed))
            .map_err(|diags| {
                let detail = diags.inline("; ");
                self.error(
                    "Error in function call",
                    format!("Call to function \"templatestring\" failed: {detail}."),
                    call.span(),
                )
            })?;
        // Anything sensitive among the arguments makes the whole result so.
        let (value, rendered_marks) = rendered.into_parts();
        Ok(Marked::new(value, rendered_marks.union(marks)))
    }
}
