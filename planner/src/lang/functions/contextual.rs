//! Calls whose outcome comes from where they are evaluated rather than from their
//! arguments: `plantimestamp()`, whose value is the plan's (see
//! [`crate::lang::EvalContext::plan_timestamp`]), and provider-defined functions
//! (`provider::NAME::FUNC(...)`): those of Terraform's built-in provider where the module
//! declares it, any other refused by name.

use hcl_edit::Span;
use hcl_edit::expr::FuncCall;

use crate::lang::eval::{EvalResult, Evaluator};
use crate::lang::marks::Marked;

impl Evaluator<'_> {
    /// The name a call is looked up by: `core::FUNC` is the built-in FUNC, and
    /// `provider::NAME::FUNC` becomes `provider::terraform::FUNC` where NAME is the module's
    /// name for the built-in provider.
    pub(crate) fn canonical_function_name(&self, name: &str) -> String {
        if let Some(function) = name.strip_prefix("core::") {
            return function.to_string();
        }
        let function = name
            .strip_prefix("provider::")
            .and_then(|rest| rest.split_once("::"))
            .map(|(_, function)| function);
        match function {
            Some(function) if self.declares_builtin_provider(name) => {
                format!("provider::terraform::{function}")
            }
            _ => name.to_string(),
        }
    }

    /// Whether `written` calls a function of the built-in provider under a name the module
    /// declares for it.
    fn declares_builtin_provider(&self, written: &str) -> bool {
        written
            .strip_prefix("provider::")
            .and_then(|rest| rest.split_once("::"))
            .is_some_and(|(local, _)| self.ctx.builtin_provider_names.contains(local))
    }

    /// Evaluates `plantimestamp()` where a plan gives it a value, and refuses a call of a
    /// provider-defined function other than the built-in provider's; `None` for any other
    /// call. `name` is the canonical name, `written` the name as called.
    pub(crate) fn eval_contextual_call(
        &mut self,
        name: &str,
        written: &str,
        call: &FuncCall,
    ) -> Option<EvalResult> {
        if self.declares_builtin_provider(written) {
            if crate::lang::functions::lookup(name).is_some() {
                return None;
            }
            let function = name.trim_start_matches("provider::terraform::");
            return Some(Err(self.error(
                "Unknown provider function",
                format!(
                    "The function {function:?} is not available from the provider \"terraform\"."
                ),
                call.span(),
            )));
        }
        if let Some(function) = written.strip_prefix("provider::") {
            return Some(Err(self.error(
                "Unknown provider function",
                format!(
                    "The function \"provider::{function}\" is defined by a provider: \
                     provider-defined functions are not supported by tenantform."
                ),
                call.span(),
            )));
        }
        match name {
            "convert" => return Some(self.eval_convert(call)),
            "rsadecrypt" => {
                return Some(Err(self.error(
                    "Unsupported function",
                    "The function \"rsadecrypt\" is not supported by tenantform.",
                    call.span(),
                )));
            }
            "plantimestamp" => {}
            _ => return None,
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

    /// `convert(value, type)`: the value converted to a type constraint written as in a
    /// variable's `type` (with `optional(...)` defaults).
    fn eval_convert(&mut self, call: &FuncCall) -> EvalResult {
        let args: Vec<_> = call.args.iter().collect();
        let [value_expr, type_expr] = args.as_slice() else {
            return Err(self.error(
                "Invalid function arguments",
                "Function \"convert\" expects 2 argument(s): the value and its type.",
                call.span(),
            ));
        };
        let constraint = crate::variables::parse_variable_type(type_expr, self.file, self.sources)?;
        let (value, marks) = self.eval(value_expr)?.into_parts();
        match crate::variables::conform(value, &constraint) {
            Ok(converted) => {
                let marks = marks.fitted(&converted);
                Ok(Marked::new(converted, marks))
            }
            Err(err) => Err(self.error(
                "Invalid function argument",
                format!("Invalid value for \"value\" parameter: {err}."),
                value_expr.span(),
            )),
        }
    }
}
