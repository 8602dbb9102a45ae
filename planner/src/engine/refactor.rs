//! `moved` and `removed` blocks in a plan.
//!
//! Planning: the moves are applied to a copy of the prior state before anything is planned
//! (see [`super::moves`]; without any `moved` statement, explicit or implied, the prior state
//! is used as it is, uncopied), each change of a moved instance carries its previous address, and
//! after planning the statements are checked against what the configuration declares
//! ([`super::move_validate`]). A `removed` block with `destroy = false` turns the deletion of
//! the objects it names into `Forget`: no provider call, no refresh, the object stays.
//!
//! Applying them is `apply_refactor.rs`.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::addrs::{InstanceAddr, static_module_path};
use crate::config::{Config, RemoveTarget};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::plan::{Action, ActionReason, PlanMode, ResourceChange};
use crate::state::State;

use super::move_order::{cycle_diagnostics, ordered};
use super::move_validate::{Declared, validate_moves};
use super::moves::{MoveResults, MoveStatement, apply_moves, find_statements, implied_statements};
use super::plan::Planner;
use super::plan_instance::Subject;
use super::targets::Targeting;

/// The `moved` and `removed` blocks of one plan.
#[derive(Debug, Default)]
pub(super) struct Refactoring {
    pub results: MoveResults,
    statements: Vec<MoveStatement>,
    /// Cyclic statements, reported after planning (as Terraform does) when nothing else is.
    cycles: Diagnostics,
    /// What `removed` blocks with `destroy = false` name (absolute static addresses).
    forget: Vec<RemoveTarget>,
    /// The modules `removed` blocks name, whatever their `destroy`.
    removed_modules: Vec<Vec<String>>,
}

/// Applies the configuration's moves to a copy of `state`; returns the moved state, `state`
/// itself (not a copy: a fleet's state is large) when there is no statement to apply.
pub(super) fn prepare<'s>(
    config: &Config,
    state: &'s State,
    mode: PlanMode,
) -> Result<(Cow<'s, State>, Refactoring), Diagnostics> {
    let mut refactoring = Refactoring::default();
    if mode == PlanMode::Normal {
        let targets = removed_targets(config)?;
        for (target, destroy) in targets {
            if let RemoveTarget::Module(path) = &target {
                refactoring.removed_modules.push(path.clone());
            }
            if !destroy {
                refactoring.forget.push(target);
            }
        }
    }
    let mut statements = find_statements(config);
    let implied = implied_statements(config, state, &statements);
    statements.extend(implied);
    let mut moved = Cow::Borrowed(state);
    match ordered(&statements) {
        Ok(order) if order.is_empty() => {}
        Ok(order) => {
            let (results, diags) = apply_moves(&statements, &order, moved.to_mut());
            if diags.has_errors() {
                return Err(diags);
            }
            refactoring.results = results;
        }
        Err(cycles) => refactoring.cycles = cycle_diagnostics(&statements, &cycles),
    }
    refactoring.statements = statements;
    Ok((moved, refactoring))
}

/// The targets of `removed` blocks and their `destroy`, after checking that no block names
/// something the configuration still declares.
fn removed_targets(config: &Config) -> Result<Vec<(RemoveTarget, bool)>, Diagnostics> {
    let mut targets = Vec::new();
    let mut diags = Diagnostics::new();
    collect_removed(config, config, &mut targets, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(targets)
}

fn collect_removed(
    root: &Config,
    module: &Config,
    into: &mut Vec<(RemoveTarget, bool)>,
    diags: &mut Diagnostics,
) {
    for removed in &module.removed {
        let target = match &removed.from {
            RemoveTarget::Resource {
                module: path,
                resource,
            } => RemoveTarget::Resource {
                module: [module.path.clone(), path.clone()].concat(),
                resource: resource.clone(),
            },
            RemoveTarget::Module(path) => {
                RemoveTarget::Module([module.path.clone(), path.clone()].concat())
            }
        };
        match &target {
            RemoveTarget::Resource {
                module: path,
                resource,
            } => {
                if let Some(block) = root
                    .descendant(path)
                    .and_then(|m| m.resources.get(resource))
                {
                    diags.push(still_declared("resource", &target, &block.range));
                }
            }
            RemoveTarget::Module(path) => {
                let call = path
                    .split_last()
                    .and_then(|(name, parent)| root.descendant(parent)?.module_calls.get(name));
                if let Some(call) = call {
                    diags.push(still_declared("module", &target, &call.range));
                }
            }
        }
        into.push((target, removed.destroy));
    }
    for child in module.children.values() {
        collect_removed(root, child, into, diags);
    }
}

impl Refactoring {
    /// Whether planning must note every declared resource instance for the checks.
    pub(super) fn has_statements(&self) -> bool {
        !self.statements.is_empty()
    }

    /// Whether a `removed` block with `destroy = false` names this instance.
    pub(super) fn forgets(&self, addr: &InstanceAddr) -> bool {
        let path = static_module_path(&addr.module);
        self.forget.iter().any(|target| match target {
            RemoveTarget::Resource { module, resource } => {
                *module == path && *resource == addr.resource
            }
            RemoveTarget::Module(module) => path.starts_with(module),
        })
    }

    /// Why an orphan is deleted (or forgotten): Terraform reports an object of a module a
    /// `removed` block names as having no resource configuration, not as having no module.
    pub(super) fn orphan_reason(
        &self,
        addr: &InstanceAddr,
        otherwise: ActionReason,
    ) -> ActionReason {
        let path = static_module_path(&addr.module);
        if self.removed_modules.iter().any(|m| path.starts_with(m)) {
            ActionReason::DeleteBecauseNoResourceConfig
        } else {
            otherwise
        }
    }

    /// Gives drifted objects their previous address; a refresh-only plan also lists each
    /// moved object without other drift, as a no-op (Terraform's `driftedResources`).
    pub(super) fn moved_drift(
        &self,
        drift: &mut Vec<ResourceChange>,
        changes: &[ResourceChange],
        mode: PlanMode,
    ) {
        for entry in drift.iter_mut() {
            entry.previous_address = self.results.moved.get(&entry.addr).cloned();
        }
        if mode != PlanMode::RefreshOnly {
            return;
        }
        let drifted: BTreeSet<InstanceAddr> = drift.iter().map(|d| d.addr.clone()).collect();
        for change in changes {
            if change.deposed.is_none()
                && change.previous_address.is_some()
                && !drifted.contains(&change.addr)
            {
                let mut entry = change.clone();
                entry.action = Action::NoOp;
                entry.action_reason = None;
                drift.push(entry);
            }
        }
    }

    /// Terraform's error when `-target` leaves out an address a move touches.
    pub(super) fn check_targets(&self, targeting: Option<&Targeting>) -> Result<(), Diagnostics> {
        let Some(targeting) = targeting else {
            return Ok(());
        };
        let mut excluded = BTreeSet::new();
        for (new, old) in &self.results.moved {
            for addr in [old, new] {
                if !targeting.names(addr) {
                    excluded.insert(resource_of(addr));
                }
            }
        }
        if excluded.is_empty() {
            return Ok(());
        }
        let list: String = excluded
            .iter()
            .map(|addr| format!("\n  -target={addr:?}"))
            .collect();
        Err(Diagnostic::error(
            "Moved resource instances excluded by targeting",
            format!(
                "Resource instances in your current state have moved to new addresses in the \
                 latest configuration. tenantform must include those resource instances while \
                 planning in order to ensure a correct result, but your -target=... options do \
                 not fully cover all of those resource instances.\n\nTo create a valid plan, \
                 either remove your -target=... options altogether or add the following \
                 additional target options:{list}\n\nNote that adding these options may include \
                 further additional resource instances in your plan, in order to respect object \
                 dependencies."
            ),
        )
        .into())
    }
}

fn resource_of(addr: &InstanceAddr) -> String {
    InstanceAddr {
        key: crate::addrs::InstanceKey::None,
        ..addr.clone()
    }
    .to_string()
}

impl Planner<'_> {
    /// The change forgetting a stored object (`removed` with `destroy = false`), planned
    /// without refreshing it or asking the provider, as Terraform does.
    pub(super) async fn plan_forget(
        &self,
        subject: &Subject<'_>,
        object: &crate::state::InstanceState,
        reason: Option<ActionReason>,
    ) -> Result<ResourceChange, Diagnostics> {
        let prior = subject.decode(object).await?;
        let mut change = self.change(subject, Action::Forget, reason, prior, None);
        change.planned = std::sync::Arc::new(tenantform_proto::value::Value::Null);
        change.planned_private = Vec::new();
        Ok(change)
    }

    /// Notes a declared resource instance for the checks of `moved` statements.
    pub(super) fn declare(&self, addr: InstanceAddr) {
        if self.refactoring.has_statements() {
            self.accumulated().declared.insert(addr);
        }
    }

    /// After planning: checks the statements, gives each moved instance's change its
    /// previous address, and adds Terraform's warnings about blocked moves and forgotten
    /// objects.
    pub(super) fn finish_refactoring(
        &self,
        changes: &mut [ResourceChange],
        declared: BTreeSet<InstanceAddr>,
        diags: &mut Diagnostics,
    ) -> Result<(), Diagnostics> {
        let refactoring = &self.refactoring;
        if refactoring.has_statements() {
            let declared = Declared {
                modules: self.declared_modules(),
                instances: declared,
            };
            let problems = validate_moves(self.scope.config, &refactoring.statements, &declared);
            if problems.has_errors() {
                return Err(problems);
            }
            if refactoring.cycles.has_errors() {
                return Err(refactoring.cycles.clone());
            }
        }
        for change in changes.iter_mut() {
            let Some(previous) = refactoring.results.moved.get(&change.addr) else {
                continue;
            };
            change.previous_address = Some(previous.clone());
            if change.action == Action::Delete
                && change.action_reason == Some(ActionReason::DeleteBecauseNoResourceConfig)
            {
                change.action_reason = Some(ActionReason::DeleteBecauseNoMoveTarget);
            }
        }
        if !refactoring.results.blocked.is_empty() && !diags.has_errors() {
            diags.push(blocked_warning(&refactoring.results));
        }
        let forgotten: Vec<String> = changes
            .iter()
            .filter(|c| c.action == Action::Forget)
            .map(|c| format!("\n - {}", c.addr))
            .collect();
        if !forgotten.is_empty() {
            diags.push(Diagnostic::warning(
                "Some objects will no longer be managed by tenantform",
                format!(
                    "If you apply this plan, tenantform will discard its tracking information \
                     for the following objects, but it will not delete them:{}\n\nAfter applying \
                     this plan, tenantform will no longer manage these objects. You will need to \
                     import them into tenantform to manage them again.",
                    forgotten.concat()
                ),
            ));
        }
        Ok(())
    }

    /// Every module instance the configuration expands to.
    fn declared_modules(&self) -> BTreeSet<Vec<crate::addrs::ModuleStep>> {
        let mut modules = BTreeSet::from([Vec::new()]);
        let mut paths = vec![self.scope.config];
        while let Some(module) = paths.pop() {
            for child in module.children.values() {
                modules.extend(self.scope.instances_of(&child.path).iter().cloned());
                paths.push(child);
            }
        }
        modules
    }
}

fn blocked_warning(results: &MoveResults) -> Diagnostic {
    let items: String = results
        .blocked
        .iter()
        .map(|(actual, wanted)| format!("\n  - {actual} could not move to {wanted}"))
        .collect();
    Diagnostic::warning(
        "Unresolved resource instance address changes",
        format!(
            "tenantform tried to adjust resource instance addresses in the prior state based on \
             change information recorded in the configuration, but some adjustments did not \
             succeed due to existing objects already at the intended addresses:{items}\n\n\
             tenantform has planned to destroy these objects. If tenantform's proposed changes \
             aren't appropriate, you must first resolve the conflicts using the \"tenantform \
             state\" subcommands and then create a new plan."
        ),
    )
}

/// A `removed` block's target that the configuration still declares.
fn still_declared(kind: &str, target: &impl std::fmt::Display, range: &SourceRange) -> Diagnostic {
    Diagnostic::error(
        format!("Removed {kind} still exists"),
        format!(
            "This statement declares that {target} was removed, but it is still declared in \
             configuration."
        ),
    )
    .with_range(Some(range.clone()))
}
