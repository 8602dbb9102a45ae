//! Applying a plan's `moved` and `removed` blocks: before anything else every move of the
//! plan is made durable (one journal record per instance, current and deposed objects
//! together) and every forgotten object is dropped from state without calling the provider;
//! an orphan's deletion runs the destroy-time provisioners of the `removed` block naming it.

use std::collections::BTreeSet;

use crate::addrs::{InstanceAddr, static_module_path};
use crate::config::{Config, RemoveTarget};
use crate::diags::{Diagnostic, Diagnostics};
use crate::plan::{Action, Plan};
use crate::state::{DeposedChange, State};

use super::ApplyRecorder;

/// The destroy-time provisioners of the `removed` block (with `destroy = true`) that names
/// this instance's resource; empty when there is none.
pub(super) fn removed_provisioners<'c>(
    config: &'c Config,
    addr: &InstanceAddr,
) -> &'c [crate::config::Provisioner] {
    let path = static_module_path(&addr.module);
    let mut modules = vec![config];
    while let Some(module) = modules.pop() {
        for removed in module.removed.iter().filter(|r| r.destroy) {
            if let RemoveTarget::Resource {
                module: relative,
                resource,
            } = &removed.from
                && *resource == addr.resource
                && path.len() == module.path.len() + relative.len()
                && path.starts_with(&module.path)
                && path.ends_with(relative)
            {
                return &removed.provisioners;
            }
        }
        modules.extend(module.children.values());
    }
    &[]
}

/// Before an apply: makes each move of the plan and each forgotten object durable, and
/// returns the state with them applied.
pub(super) fn perform(
    state: &State,
    plan: &Plan,
    recorder: &dyn ApplyRecorder,
) -> Result<State, Diagnostics> {
    let mut state = state.clone();
    let mut pending: Vec<(InstanceAddr, InstanceAddr)> = plan
        .changes
        .iter()
        .filter_map(|c| Some((c.previous_address.clone()?, c.addr.clone())))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let record_failed = |e: String| -> Diagnostics {
        Diagnostic::error("Failed to record a move in the state", e).into()
    };
    while !pending.is_empty() {
        let free = |to: &InstanceAddr, state: &State| {
            !state.instances.contains_key(to) && state.deposed_of(to).next().is_none()
        };
        let Some(index) = pending.iter().position(|(_, to)| free(to, &state)) else {
            let list: Vec<String> = pending.iter().map(|(f, t)| format!("{f} -> {t}")).collect();
            return Err(Diagnostic::error(
                "Moves cannot be applied",
                format!(
                    "The state already holds objects where these moves lead: {}. Create the plan \
                     again.",
                    list.join(", ")
                ),
            )
            .into());
        };
        let (from, to) = pending.remove(index);
        let present =
            state.instances.contains_key(&from) || state.deposed_of(&from).next().is_some();
        if !present {
            continue;
        }
        recorder.record_move(&from, &to).map_err(record_failed)?;
        state.move_instance(&from, &to);
    }
    forget(&mut state, plan, recorder)?;
    Ok(state)
}

/// Drops every forgotten object from state, durably, without touching the object.
fn forget(state: &mut State, plan: &Plan, recorder: &dyn ApplyRecorder) -> Result<(), Diagnostics> {
    let failed = |e: String| -> Diagnostics {
        Diagnostic::error("Failed to record a forgotten object in the state", e).into()
    };
    for change in plan.changes.iter().filter(|c| c.action == Action::Forget) {
        match &change.deposed {
            None => {
                if state.instances.contains_key(&change.addr) {
                    recorder.record(&change.addr, None).map_err(failed)?;
                    state.remove_instance(&change.addr);
                }
            }
            Some(key) => {
                let removal = DeposedChange::Remove {
                    addr: change.addr.clone(),
                    key: key.clone(),
                };
                recorder.record_deposed(&removal).map_err(failed)?;
                state.apply_deposed_change(&removal);
            }
        }
    }
    Ok(())
}
