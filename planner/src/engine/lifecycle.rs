//! The `lifecycle` rules at plan time: `prevent_destroy`, `ignore_changes`,
//! `replace_triggered_by`, and `precondition` / `postcondition` blocks.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, TraversalOperator};
use tenantform_proto::value::{AttributePath, PathStep, Value};

use crate::addrs::{InstanceAddr, InstanceKey, ResourceAddr};
use crate::config::{IgnoreChanges, Resource};
use crate::diags::{Diagnostic, Diagnostics};
use crate::lang::{self, EvalContext};
use crate::plan::Action;

use super::modules::{check_status, evaluate_condition};
use super::plan::Planner;
use super::plan_instance::Subject;
use crate::plan::checks::CheckResult;

impl Planner<'_> {
    /// Refuses a plan that destroys an instance whose block sets `prevent_destroy`.
    pub(super) fn check_prevent_destroy(
        &self,
        subject: &Subject<'_>,
        action: Action,
    ) -> Result<(), Diagnostics> {
        let destroys = matches!(
            action,
            Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
        );
        if !destroys || !subject.lifecycle.is_some_and(|l| l.prevent_destroy) {
            return Ok(());
        }
        Err(Diagnostic::error(
            "Instance cannot be destroyed",
            format!(
                "Resource {} has lifecycle.prevent_destroy set, but the plan calls for this \
                 resource to be destroyed. To avoid this error and continue with the plan, \
                 either disable lifecycle.prevent_destroy or reduce the scope of the plan using \
                 the -target flag.",
                subject.addr
            ),
        )
        .with_range(subject.range.clone())
        .into())
    }

    /// The configuration with the values of ignored attributes replaced by prior values.
    pub(super) fn ignore_changes(
        &self,
        subject: &Subject<'_>,
        prior: &Value,
        config: Value,
    ) -> Value {
        let Some(lifecycle) = subject.lifecycle else {
            return config;
        };
        let Value::Object(mut entries) = config else {
            return config;
        };
        let schema = &subject.schema.block;
        let configurable = |name: &str| {
            schema
                .attributes
                .get(name)
                .is_some_and(|a| a.optional || a.required)
                || schema.block_types.contains_key(name)
        };
        match &lifecycle.ignore_changes {
            IgnoreChanges::All => {
                for (name, value) in &mut entries {
                    if configurable(name)
                        && let Some(old) = prior.get_attr(name)
                    {
                        *value = old.clone();
                    }
                }
            }
            IgnoreChanges::Paths(paths) => {
                for path in paths {
                    let Some(PathStep::Attribute(name)) = path.0.first() else {
                        continue;
                    };
                    if !configurable(name) {
                        continue;
                    }
                    let old = path.lookup(prior).cloned().unwrap_or(Value::Null);
                    set_path(&mut entries, &path.0, old);
                }
            }
        }
        Value::Object(entries)
    }

    /// True when something `replace_triggered_by` names changes in this plan.
    pub(super) fn replace_triggered(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        ctx: &EvalContext,
    ) -> Result<bool, Diagnostics> {
        let triggers = &resource.lifecycle_rules.replace_triggered_by;
        if triggers.is_empty() {
            return Ok(false);
        }
        let sources = &self.module_config_of(&subject.addr).sources;
        for expr in triggers {
            let Some((addr, key_expr, path)) = trigger_reference(expr) else {
                return Err(Diagnostic::error(
                    "Invalid replace_triggered_by expression",
                    "Only resources, count.index, and each.key may be used in \
                     replace_triggered_by.",
                )
                .with_range(subject.range.clone())
                .into());
            };
            let key = match key_expr {
                None => InstanceKey::None,
                Some(expr) => match lang::evaluate(expr, ctx, &resource.file, sources)? {
                    Value::String(s) => InstanceKey::Str(s),
                    Value::Number(n) => InstanceKey::Int(n.as_i64().unwrap_or_default()),
                    _ => continue,
                },
            };
            let target = InstanceAddr {
                module: subject.addr.module.clone(),
                resource: addr,
                key,
            };
            let accumulated = self.accumulated();
            let Some(outcome) = accumulated.outcomes.get(&target) else {
                continue;
            };
            let triggered = if path.0.is_empty() {
                matches!(
                    outcome.action,
                    Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete
                )
            } else {
                outcome.action != Action::NoOp
                    && path.lookup(&outcome.prior) != path.lookup(&outcome.planned)
            };
            if triggered {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Checks preconditions (`post` false) or postconditions (`post` true, with `self`).
    pub(super) fn check_conditions(
        &self,
        subject: &Subject<'_>,
        ctx: &EvalContext,
        post: bool,
    ) -> Result<(), Diagnostics> {
        let Some(lifecycle) = subject.lifecycle else {
            return Ok(());
        };
        let conditions = if post {
            &lifecycle.postconditions
        } else {
            &lifecycle.preconditions
        };
        let config = self.module_config_of(&subject.addr);
        let mut diags = Diagnostics::new();
        for condition in conditions {
            let outcome = evaluate_condition(condition, ctx, config);
            let (status, problem) = check_status(&outcome, condition, ctx, config);
            self.scope
                .record_check(CheckResult::resource(&subject.addr, status, problem));
            if let Some(failure) = outcome? {
                for note in failure.notes.0 {
                    self.scope.report_one(note);
                }
                let summary = if post {
                    "Resource postcondition failed"
                } else {
                    "Resource precondition failed"
                };
                diags.push(
                    Diagnostic::error(summary, failure.message)
                        .with_range(Some(condition.range.clone())),
                );
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }
}

/// Sets the value at `path` inside an object's entries (creating nothing that is missing).
fn set_path(entries: &mut BTreeMap<String, Value>, path: &[PathStep], new: Value) {
    let Some((PathStep::Attribute(name), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        entries.insert(name.clone(), new);
        return;
    }
    let Some(inner) = entries.get_mut(name) else {
        return;
    };
    set_value_path(inner, rest, new);
}

fn set_value_path(value: &mut Value, path: &[PathStep], new: Value) {
    let Some((step, rest)) = path.split_first() else {
        *value = new;
        return;
    };
    let slot = match (value, step) {
        (
            Value::Object(entries) | Value::Map(entries),
            PathStep::Attribute(k) | PathStep::StringKey(k),
        ) => {
            if rest.is_empty() && !new.is_null() {
                entries.insert(k.clone(), new);
                return;
            }
            if rest.is_empty() {
                entries.remove(k);
                return;
            }
            entries.get_mut(k)
        }
        (Value::List(items) | Value::Tuple(items), PathStep::IntKey(i)) => {
            usize::try_from(*i).ok().and_then(|i| items.get_mut(i))
        }
        _ => None,
    };
    if let Some(slot) = slot {
        set_value_path(slot, rest, new);
    }
}

/// `TYPE.NAME[KEY].attr...` as the resource, the key expression and the attribute path.
fn trigger_reference(
    expr: &Expression,
) -> Option<(ResourceAddr, Option<&Expression>, AttributePath)> {
    let Expression::Traversal(traversal) = expr else {
        return None;
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let mut ops = traversal
        .operators
        .iter()
        .map(hcl_edit::Decorated::value)
        .peekable();
    let root = root.value().as_str();
    let addr = if root == "data" {
        return None;
    } else {
        match ops.next()? {
            TraversalOperator::GetAttr(name) => ResourceAddr::managed(root, name.value()),
            _ => return None,
        }
    };
    let key = match ops.peek() {
        Some(TraversalOperator::Index(expr)) => {
            let expr: &Expression = expr;
            ops.next();
            Some(expr)
        }
        _ => None,
    };
    let mut steps = Vec::new();
    for op in ops {
        steps.push(match op {
            TraversalOperator::GetAttr(name) => PathStep::Attribute(name.value().to_string()),
            TraversalOperator::Index(Expression::String(s)) => {
                PathStep::StringKey(s.value().clone())
            }
            TraversalOperator::Index(Expression::Number(n)) => {
                PathStep::IntKey(n.value().as_i64()?)
            }
            _ => return None,
        });
    }
    Some((addr, key, AttributePath(steps)))
}
