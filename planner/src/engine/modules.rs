//! Module calls and checks in the evaluation scope: expanding a call into module instances
//! (`count` / `for_each`), evaluating its arguments as the child's input variables, the
//! value `module.NAME` has, and `check` blocks, whose failures only warn. Inputs and outputs
//! keep their sensitivity marks across the module boundary.

use crate::plan::checks::{CheckResult, CheckStatus};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hcl_edit::Span;
use tenantform_proto::value::Value;

use crate::addrs::{InstanceKey, ModuleStep};
use crate::config::{Condition, Config, ModuleCall};
use crate::diags::{Diagnostic, Diagnostics, Severity, Sources};
use crate::graph::Node;
use crate::graph::NodeId;
use crate::lang::{self, EvalContext, Marked, Sensitivity};

use super::expand::Expansion;
use super::node_value::CallExpansion;
use super::scope::{ModuleInstance, Scope, WholeModule};

/// Told of each new instance of a module call before its arguments are evaluated.
pub(super) trait CallInstanceObserver {
    /// `child` is the new module instance and `ctx` the context its arguments evaluate in
    /// (`count.index`, `each.key` and `each.value` bound). True when its arguments are not to
    /// be evaluated: the instance is left out of the walk's evaluation.
    fn before_arguments(&self, call: &ModuleCall, child: &[ModuleStep], ctx: &EvalContext) -> bool;
}

impl Scope<'_> {
    /// Expands a module call in every instance of its module and evaluates the arguments of
    /// each new module instance (those `observer` leaves out excepted). False when something
    /// failed (reported).
    pub(super) fn visit_module_call(
        &self,
        id: NodeId,
        name: &str,
        observer: Option<&dyn CallInstanceObserver>,
    ) -> bool {
        let config = self.module_config(id);
        let call = &config.module_calls[name];
        let Some(child) = config.children.get(name) else {
            return false;
        };
        let sources = &config.sources;
        let mut ok = self.check_module_arguments(config, name);
        let mut child_instances = Vec::new();
        for instance in self.walked_instances_of(self.graph.module(id)).iter() {
            let ctx = self.context_in(id, instance);
            let mut expansion = match Expansion::evaluate(
                call.count.as_ref(),
                call.for_each.as_ref(),
                &ctx,
                &call.file,
                sources,
            ) {
                Ok(expansion) => expansion,
                Err(_) if self.validating() => Expansion::Single,
                Err(diags) => {
                    self.report(diags);
                    ok = false;
                    continue;
                }
            };
            for key in expansion.keys() {
                let mut ctx = ctx.clone();
                // Each key is bound once here; what follows needs only the keys.
                expansion.bind_taking(&key, &mut ctx);
                if self.validating() && expansion == Expansion::Single {
                    bind_unknown_repetition(call, &mut ctx);
                }
                let mut child_instance = instance.clone();
                child_instance.push(ModuleStep {
                    name: name.to_string(),
                    key,
                });
                if observer.is_some_and(|o| o.before_arguments(call, &child_instance, &ctx)) {
                    child_instances.push(child_instance);
                    continue;
                }
                let (inputs, evaluated) = self.call_arguments(call, &ctx, sources);
                ok &= evaluated;
                self.learned()
                    .module_inputs
                    .insert(child_instance.clone(), inputs);
                child_instances.push(child_instance);
            }
            self.learned().call_expansions.insert(
                (instance.clone(), name.to_string()),
                CallExpansion::of(&expansion),
            );
        }
        self.learned()
            .module_instances
            .extend(&child.path, child_instances);
        ok
    }

    /// The values of a module call's arguments in one child instance, and false when one
    /// failed (reported).
    fn call_arguments(
        &self,
        call: &ModuleCall,
        ctx: &EvalContext,
        sources: &Sources,
    ) -> (BTreeMap<String, Marked>, bool) {
        let mut ok = true;
        let mut inputs = BTreeMap::new();
        for attr in call.inputs.attributes() {
            match lang::evaluate_marked(&attr.value, ctx, &call.file, sources) {
                Ok(value) => {
                    inputs.insert(attr.key.value().to_string(), value);
                }
                Err(diags) => {
                    self.report(diags);
                    ok = false;
                }
            }
        }
        (inputs, ok)
    }

    /// Reports arguments the called module declares no variable for.
    fn check_module_arguments(&self, config: &Config, name: &str) -> bool {
        let call = &config.module_calls[name];
        let child = &config.children[name];
        let mut ok = true;
        for attr in call.inputs.attributes() {
            let argument = attr.key.value().as_str();
            if !child.variables.contains_key(argument) {
                ok = false;
                let range = attr
                    .key
                    .span()
                    .map(|span| config.sources.range(&call.file, span));
                self.report_one(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named \"{argument}\" is not expected here."),
                    )
                    .with_range(range),
                );
            }
        }
        ok
    }

    /// `module.CALL` read whole in a module instance (see [`Scope::whole_modules`]): made
    /// once, as every output of the call's instances is known by the time a node that reads
    /// it whole is visited.
    pub(super) fn whole_module_value(
        &self,
        config: &Config,
        instance: &[ModuleStep],
        call: &str,
    ) -> WholeModule {
        let key = (instance.to_vec(), call.to_string());
        if let Some(known) = crate::sync::locked(&self.whole_modules).get(&key) {
            return known.clone();
        }
        let (value, marks) = self.module_value(config, instance, call, None).into_parts();
        let whole = (Arc::new(BTreeMap::from([(call.to_string(), value)])), marks);
        crate::sync::locked(&self.whole_modules).insert(key, whole.clone());
        whole
    }

    /// The value of `module.CALL` in a module instance: an object of the named outputs
    /// (every output when `outputs` is `None`), or a tuple or object of such objects.
    pub(super) fn module_value(
        &self,
        config: &Config,
        instance: &[ModuleStep],
        call: &str,
        outputs: Option<&BTreeSet<&str>>,
    ) -> Marked {
        let unknown = || Marked::plain(Value::Unknown);
        let Some(child) = config.children.get(call) else {
            return unknown();
        };
        let keys = self
            .learned()
            .call_expansions
            .get(&(instance.to_vec(), call.to_string()))
            .map(|expansion| (expansion.repetition, expansion.keys.clone()));
        let Some((repetition, keys)) = keys else {
            return unknown();
        };
        let names: Vec<&str> = match outputs {
            Some(names) => names.iter().copied().collect(),
            None => child.outputs.keys().map(String::as_str).collect(),
        };
        let ids: Vec<(&str, Option<NodeId>)> = names
            .iter()
            .map(|name| {
                let id = self
                    .graph
                    .id_in(&child.path, &Node::Output(name.to_string()));
                (*name, id)
            })
            .collect();
        let mut values: Vec<(InstanceKey, Value)> = Vec::new();
        let mut marks: Vec<(InstanceKey, Sensitivity)> = Vec::new();
        for key in keys {
            let mut child_instance: ModuleInstance = instance.to_vec();
            child_instance.push(ModuleStep {
                name: call.to_string(),
                key: key.clone(),
            });
            let mut object = BTreeMap::new();
            let mut object_marks = BTreeMap::new();
            for (name, id) in &ids {
                let (value, value_marks) = id
                    .map_or_else(unknown, |id| self.get_marked_in(id, &child_instance))
                    .into_parts();
                object.insert(name.to_string(), value);
                object_marks.insert(name.to_string(), value_marks);
            }
            values.push((key.clone(), Value::Object(object)));
            marks.push((key, Sensitivity::attributes(object_marks)));
        }
        let shape = repetition.shape();
        Marked::new(shape.collect(values), shape.collect_marks(marks))
    }

    /// Evaluates a check block's assertions in every module instance; failures warn.
    pub(super) fn visit_check(&self, id: NodeId, name: &str) {
        let config = self.module_config(id);
        let check = &config.checks[name];
        for instance in self.walked_instances_of(self.graph.module(id)).iter() {
            let ctx = self.context_in(id, instance);
            for assert in &check.asserts {
                let outcome = evaluate_condition(assert, &ctx, config);
                let (status, problem) = check_status(&outcome, assert, &ctx, config);
                self.record_check(CheckResult::check_block(instance, name, status, problem));
                let failure = match outcome {
                    Ok(None) => continue,
                    Ok(Some(failure)) => {
                        for note in failure.notes.0 {
                            self.report_one(note);
                        }
                        Diagnostic::warning(super::CHECK_ASSERTION_FAILED, failure.message)
                            .with_range(Some(assert.range.clone()))
                    }
                    Err(diags) => {
                        for mut diag in diags.0 {
                            diag.severity = Severity::Warning;
                            self.report_one(diag);
                        }
                        continue;
                    }
                };
                self.report_one(failure);
            }
        }
    }
}

/// A condition that does not hold: the message to show, and the diagnostics explaining why
/// its own message cannot be shown (it refers to sensitive values), as Terraform reports them.
pub(crate) struct ConditionFailure {
    pub message: String,
    pub notes: Diagnostics,
}

/// What a failed condition says in place of an error message that refers to sensitive values.
const HIDDEN_MESSAGE: &str = "This check failed, but has an invalid error message as described \
                              in the other accompanying messages.";

/// Evaluates a condition: `None` when it holds (or is not known yet), else its failure.
pub(crate) fn evaluate_condition(
    condition: &Condition,
    ctx: &EvalContext,
    config: &Config,
) -> Result<Option<ConditionFailure>, Diagnostics> {
    let sources = &config.sources;
    let value = lang::evaluate(&condition.condition, ctx, &condition.file, sources)?;
    let holds = match lang::convert(value, &tenantform_proto::value::Type::Bool) {
        Ok(Value::Bool(holds)) => holds,
        Ok(Value::Unknown) => return Ok(None),
        _ => {
            return Err(Diagnostic::error(
                "Invalid condition result",
                "The condition expression must return either true or false.",
            )
            .with_range(Some(condition.range.clone()))
            .into());
        }
    };
    if holds {
        return Ok(None);
    }
    let message = lang::evaluate_marked(&condition.error_message, ctx, &condition.file, sources)?;
    if message.marks.any() {
        let range = condition
            .error_message
            .span()
            .map(|span| sources.range(&condition.file, span));
        let note = Diagnostic::warning(
            "Error message refers to sensitive values",
            "The error expression used to explain this condition refers to sensitive values, \
             so Terraform will not display the resulting message.\n\nYou can correct this by \
             removing references to sensitive values, or by carefully using the nonsensitive() \
             function if the expression will not reveal the sensitive data.",
        )
        .with_range(range);
        return Ok(Some(ConditionFailure {
            message: HIDDEN_MESSAGE.to_string(),
            notes: note.into(),
        }));
    }
    Ok(Some(ConditionFailure {
        message: match message.value {
            Value::String(message) => message.trim().to_string(),
            _ => "The condition failed (its error message is not known yet).".to_string(),
        },
        notes: Diagnostics::new(),
    }))
}

/// What an evaluated condition contributes to the plan's check results: its status, and
/// the failure message when it failed.
pub(crate) fn check_status(
    outcome: &Result<Option<ConditionFailure>, Diagnostics>,
    condition: &Condition,
    ctx: &EvalContext,
    config: &Config,
) -> (CheckStatus, Option<String>) {
    match outcome {
        Ok(Some(failure)) => (CheckStatus::Fail, Some(failure.message.clone())),
        Err(_) => (CheckStatus::Error, None),
        Ok(None) => {
            let value = lang::evaluate(&condition.condition, ctx, &condition.file, &config.sources);
            if matches!(value, Ok(Value::Unknown)) {
                (CheckStatus::Unknown, None)
            } else {
                (CheckStatus::Pass, None)
            }
        }
    }
}

/// In validation, a module call's `count.index` and `each` are unknown.
fn bind_unknown_repetition(call: &crate::config::ModuleCall, ctx: &mut EvalContext) {
    if call.count.is_some() {
        ctx.count_index = Some(Value::Unknown);
    }
    if call.for_each.is_some() {
        ctx.each_key = Some(Value::Unknown);
        ctx.each_value = Some(Value::Unknown);
    }
}
