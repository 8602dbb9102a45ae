//! Input variables of module instances: each one's value (the call's argument, else the
//! default, converted to the declared type) and its `validation` rules, checked in every
//! instance as Terraform checks them: a failed rule is an error at the call's argument.

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use crate::addrs::ModuleStep;
use crate::config::{Config, ModuleCall};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::Node;
use crate::lang::{self, EvalContext, Marked};
use crate::plan::checks::{CheckResult, CheckStatus};
use crate::variables::{ValidationInputs, check_validations, sensitive_names};

use super::scope::Scope;

impl Scope<'_> {
    /// An input variable of a module instance: the call's argument, else the default.
    pub(super) fn module_variable_value(
        &self,
        config: &Config,
        instance: &[ModuleStep],
        name: &str,
    ) -> Result<Marked, Diagnostics> {
        let variable = &config.variables[name];
        let given = self
            .learned()
            .module_inputs
            .get(instance)
            .and_then(|inputs| inputs.get(name).cloned());
        let (value, marks) = match (given, &variable.default) {
            (Some(value), _) if !value.value.is_null() || variable.default.is_none() => {
                value.into_parts()
            }
            (_, Some(default)) => lang::evaluate_marked(
                default,
                &EvalContext::default(),
                &variable.file,
                &config.sources,
            )?
            .into_parts(),
            (_, None) => {
                let parent = self
                    .config
                    .descendant(&config.path[..config.path.len() - 1]);
                let range = parent
                    .and_then(|p| p.module_calls.get(config.path.last()?))
                    .map(|call| call.range.clone());
                return Err(Diagnostic::error(
                    "Missing required argument",
                    format!("The argument \"{name}\" is required, but no definition was found."),
                )
                .with_range(range)
                .into());
            }
        };
        let constraint = crate::variables::declared_constraint(variable, &config.sources)?;
        let value = crate::variables::conform(value, &constraint).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(
                    "Invalid value for input variable",
                    format!("The given value is not suitable for var.{name}: {e}."),
                )
                .with_range(Some(variable.range.clone())),
            )
        })?;
        let marks = marks.fitted(&value);
        Ok(Marked::new(value, marks))
    }

    /// Checks the validation rules of variable `name` of module instance `instance` against
    /// its `value`, with the instance's other variables (evaluated first: the graph orders
    /// them), and records the outcome among the plan's checks.
    pub(super) fn validate_module_variable(
        &self,
        config: &Config,
        instance: &[ModuleStep],
        name: &str,
        value: &Value,
    ) -> Result<(), Diagnostics> {
        let variable = &config.variables[name];
        if variable.validations.is_empty() {
            return Ok(());
        }
        let mut values = BTreeMap::new();
        for other in config.variables.keys().filter(|other| *other != name) {
            let id = self
                .graph
                .id_in(&config.path, &Node::Variable(other.clone()));
            let other_value = id.map_or(Value::Unknown, |id| self.get_in(id, instance));
            values.insert(other.clone(), other_value);
        }
        values.insert(name.to_string(), value.clone());
        let sensitive = sensitive_names(config);
        let inputs = ValidationInputs {
            values: &values,
            sensitive: &sensitive,
        };
        let subject = self
            .argument_range(config, name)
            .unwrap_or_else(|| variable.range.clone());
        let diags = check_validations(variable, &inputs, &subject, &config.sources);
        let status = if diags.has_errors() {
            CheckStatus::Fail
        } else if value.is_wholly_known() {
            CheckStatus::Pass
        } else {
            CheckStatus::Unknown
        };
        self.record_check(CheckResult::variable(instance, name, status, None));
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }

    /// Where the call of the module `config` sets argument `name`, if it does.
    fn argument_range(&self, config: &Config, name: &str) -> Option<SourceRange> {
        let (call_name, parent_path) = config.path.split_last()?;
        let parent = self.config.descendant(parent_path)?;
        let call: &ModuleCall = parent.module_calls.get(call_name)?;
        let attribute = call
            .inputs
            .attributes()
            .find(|attr| attr.key.value().as_str() == name)?;
        let span = hcl_edit::Span::span(&attribute.value)?;
        Some(parent.sources.range(&call.file, span))
    }
}
