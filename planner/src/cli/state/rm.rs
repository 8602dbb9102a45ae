//! `tenantform state rm [options] ADDRESS...`: forgets resource instances (and their deposed
//! objects) without destroying them, under the state lock, after a timestamped backup.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::time::Duration;

use super::super::args::Parsed;
use super::{
    CommandResult, Failure, Target, Ui, common, persist, read_existing, store_for, terraform_order,
    write_timestamped_backup,
};
use crate::addrs::InstanceAddr;
use crate::state::{State, StateStore};

pub(super) static COMMAND: Command = Command {
    name: "state rm",
    arguments: "[options] ADDRESS...",
    about: "  Remove one or more items from the tenantform state, causing tenantform to
  \"forget\" those items without first destroying them in the remote system.

  This command removes one or more resource instances from the tenantform state
  based on the addresses given. You can view and list the available instances
  with \"tenantform state list\".

  If you give the address of an entire module then all of the instances in
  that module and any of its child modules will be removed from the state.

  If you give the address of a resource that has \"count\" or \"for_each\" set,
  all of the instances of that resource will be removed from the state.",
    flags: flag_defs::STATE_EDIT_FLAGS,
    refused: &["var", "var-file"],
};

/// Takes the state lock unless `-lock=false`.
pub(super) fn lock_unless_disabled(
    store: &dyn StateStore,
    parsed: &Parsed,
    operation: &str,
    command: &'static Command,
) -> Result<Option<crate::state::StateLock>, Failure> {
    if !parsed.flag("lock", true) {
        return Ok(None);
    }
    let timeout = parsed
        .duration("lock-timeout", Duration::ZERO)
        .map_err(|e| command.usage_error(e.to_string()))?;
    store
        .lock(operation, timeout)
        .map(Some)
        .map_err(|e| common::state_failure(e, "Error acquiring the state lock"))
}

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    if parsed.positional.is_empty() {
        return Err(COMMAND.usage_error("At least one address is required."));
    }
    let targets = Target::parse_all(&parsed.positional, "Invalid target address")?;
    let dry_run = parsed.flag("dry-run", false);
    let store = store_for(&parsed)?;
    let _lock = lock_unless_disabled(store.as_ref(), &parsed, "OperationTypeInvalid", &COMMAND)?;
    let Some(mut state) = read_existing(store.as_ref())? else {
        return Err(super::no_state_failure());
    };
    let removed = remove(&mut state, &targets);
    if removed.is_empty() {
        return Err(Failure::error(
            "Invalid target address",
            "No matching objects found. To view the available instances, use \"tenantform \
             state list\". Please modify the address to reference a specific instance.",
        ));
    }
    let verb = if dry_run { "Would remove" } else { "Removed" };
    let lines: String = removed
        .iter()
        .map(|addr| format!("{verb} {addr}\n"))
        .collect();
    if dry_run {
        ui.out(&lines);
        return Ok(0);
    }
    write_timestamped_backup(store.as_ref(), parsed.last("backup"))?;
    persist(store.as_ref(), &state)?;
    ui.out(&format!(
        "{lines}Successfully removed {} resource instance(s).\n",
        removed.len()
    ));
    Ok(0)
}

/// Removes every instance any target stands for, with its deposed objects; returns the
/// removed addresses target by target (each target's instances in Terraform's order).
pub(super) fn remove(state: &mut State, targets: &[Target]) -> Vec<InstanceAddr> {
    let known: Vec<InstanceAddr> = state
        .instances
        .keys()
        .chain(state.deposed.keys().map(|(addr, _)| addr))
        .cloned()
        .collect();
    let mut removed: Vec<InstanceAddr> = Vec::new();
    for target in targets {
        let mut matched: Vec<&InstanceAddr> = known
            .iter()
            .filter(|addr| target.contains(addr) && !removed.contains(addr))
            .collect();
        matched.sort_by(|a, b| terraform_order(a, b));
        matched.dedup();
        removed.extend(matched.into_iter().cloned());
    }
    for addr in &removed {
        state.instances.remove(addr);
    }
    state.deposed.retain(|(addr, _), _| !removed.contains(addr));
    removed
}
