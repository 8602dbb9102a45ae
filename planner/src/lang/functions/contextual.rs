//! Calls whose outcome comes from where they are evaluated rather than from their
//! arguments: `plantimestamp()`, whose value is the plan's (see
//! [`crate::lang::EvalContext::plan_timestamp`]), and provider-defined functions
//! (`provider::NAME::FUNC(...)`), which tenantform refuses by name.

use hcl_edit::Span;
use hcl_edit::expr::FuncCall;

use crate::lang::eval::{EvalResult, Evaluator};
use crate::lang::marks::Marked;

impl Evaluator<'_> {
    /// Evaluates `plantimestamp()` where a plan gives it a value, and refuses a call of a
    /// provider-defined function; `None` for any other call.
    pub(crate) fn eval_contextual_call(
        &mut self,
        name: &str,
        call: &FuncCall,
    ) -> Option<EvalResult> {
        if let Some(function) = name.strip_prefix("provider::") {
            return Some(Err(self.error(
                "Unknown provider function",
                format!(
                    "The function \"provider::{function}\" is defined by a provider: \
                     provider-defined functions are not supported by tenantform."
                ),
                call.span(),
            )));
        }
        if name != "plantimestamp" {
            return None;
        }
        let timestamp = self.ctx.plan_timestamp.clone()?;
        if let Some(extra) = call.args.iter().next() {
            return Some(Err(self.error(
                "Too many function arguments",
                "Function \"plantimestamp\" expects only 0 argument(s).",
                extra.span(),
            )));
        }
        Some(Ok(Marked::plain(timestamp)))
    }
}
