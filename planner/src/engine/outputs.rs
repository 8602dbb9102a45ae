//! Output values in the evaluation scope: an output declared `sensitive = true` is marked
//! sensitive as a whole, and a root module output whose value has sensitive parts must say
//! so, as Terraform requires.

use crate::addrs::ModuleStep;
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics};
use crate::graph::NodeId;
use crate::lang::{self, Marked, Sensitivity};

use super::scope::Scope;

impl Scope<'_> {
    /// The value of output `name` of a module instance, with its marks.
    pub(super) fn output_value(
        &self,
        id: NodeId,
        config: &Config,
        instance: &[ModuleStep],
        name: &str,
    ) -> Result<Marked, Diagnostics> {
        let output = &config.outputs[name];
        let ctx = self.context_in(id, instance);
        let value = lang::evaluate_marked(&output.expr, &ctx, &output.file, &config.sources)?;
        if config.path.is_empty() && !output.sensitive && value.marks.any() {
            return Err(undeclared_sensitive_output(output).into());
        }
        Ok(value.with(Sensitivity::whole_if(output.sensitive)))
    }
}

/// Terraform's error for a root module output with sensitive parts and no
/// `sensitive = true`.
fn undeclared_sensitive_output(output: &crate::config::Output) -> Diagnostic {
    Diagnostic::error(
        "Output refers to sensitive values",
        "To reduce the risk of accidentally exporting sensitive data that was intended to be \
         only internal, Terraform requires that any root module output containing sensitive \
         data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend \
         to export this data, annotate the output value as sensitive by adding the following \
         argument:\n    sensitive = true",
    )
    .with_range(Some(output.range.clone()))
}
