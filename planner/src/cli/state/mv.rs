//! `tenantform state mv [options] SOURCE DESTINATION`: moves a resource instance, a whole
//! resource or a whole module to another address (renames, into and out of modules), under
//! the state lock, after a timestamped backup. Deposed objects move with their instance.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::collections::BTreeMap;

use super::rm::lock_unless_disabled;
use super::{
    CommandResult, Failure, Target, Ui, persist, read_existing, store_for, write_timestamped_backup,
};
use crate::addrs::InstanceAddr;
use crate::state::State;

pub(super) static COMMAND: Command = Command {
    name: "state mv",
    arguments: "[options] SOURCE DESTINATION",
    about: " This command will move an item matched by the address given to the
 destination address.

 This can be used for simple resource renaming, moving items to and from
 a module, moving entire modules, and more.

 This command will output a backup copy of the state prior to saving any
 changes. The backup cannot be disabled. Due to the destructive nature
 of this command, backups are required.",
    flags: flag_defs::STATE_EDIT_FLAGS,
    refused: &["backup-out", "state-out", "var", "var-file"],
};

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let [source, destination] = parsed.positional.as_slice() else {
        return Err(COMMAND.usage_error("Exactly two arguments expected."));
    };
    let source = Target::parse(source)
        .map_err(|e| Failure::error("Invalid source address", e.to_string()))?;
    let destination = Target::parse(destination)
        .map_err(|e| Failure::error("Invalid target address", e.to_string()))?;
    let dry_run = parsed.flag("dry-run", false);
    let store = store_for(&parsed)?;
    let _lock = lock_unless_disabled(store.as_ref(), &parsed, "OperationTypeInvalid", &COMMAND)?;
    let Some(mut state) = read_existing(store.as_ref())? else {
        return Err(super::no_state_failure());
    };
    move_objects(&mut state, &source, &destination)?;
    if dry_run {
        ui.out(&format!("Would move \"{source}\" to \"{destination}\"\n"));
        return Ok(0);
    }
    write_timestamped_backup(store.as_ref(), parsed.last("backup"))?;
    persist(store.as_ref(), &state)?;
    ui.out(&format!(
        "Move \"{source}\" to \"{destination}\"\nSuccessfully moved 1 object(s).\n"
    ));
    Ok(0)
}

/// Moves what `source` stands for to `destination` in `state`; on error the state is left
/// unchanged.
pub(super) fn move_objects(
    state: &mut State,
    source: &Target,
    destination: &Target,
) -> Result<(), Failure> {
    let renames = plan_renames(state, source, destination)?;
    if renames.is_empty() {
        return Err(Failure::error(
            "Invalid source address",
            format!("Cannot move {source}: does not match anything in the current state."),
        ));
    }
    let occupied = renames.values().any(|new| {
        (state.instances.contains_key(new) || state.deposed.keys().any(|(a, _)| a == new))
            && !renames.contains_key(new)
    });
    if occupied {
        return Err(Failure::error(
            "Invalid target address",
            format!(
                "Cannot move to {destination}: there is already a resource instance at that \
                 address in the current state."
            ),
        ));
    }
    let mut moved_instances = BTreeMap::new();
    for (old, new) in &renames {
        if let Some(object) = state.instances.remove(old) {
            moved_instances.insert(new.clone(), object);
        }
    }
    state.instances.extend(moved_instances);
    let deposed = std::mem::take(&mut state.deposed);
    state.deposed = deposed
        .into_iter()
        .map(|((addr, key), object)| {
            let addr = renames.get(&addr).cloned().unwrap_or(addr);
            ((addr, key), object)
        })
        .collect();
    Ok(())
}

/// Every instance address that moves, old to new.
fn plan_renames(
    state: &State,
    source: &Target,
    destination: &Target,
) -> Result<BTreeMap<InstanceAddr, InstanceAddr>, Failure> {
    let known: Vec<&InstanceAddr> = state
        .instances
        .keys()
        .chain(state.deposed.keys().map(|(addr, _)| addr))
        .collect();
    let mismatch = |why: &str| {
        Failure::error(
            "Invalid state move request",
            format!("Cannot move {source} to {destination}: {why}"),
        )
    };
    let mut renames = BTreeMap::new();
    match (&source.resource, &destination.resource) {
        (None, None) => {
            let depth = source.module.len();
            for addr in known {
                if addr.module.len() >= depth && addr.module[..depth] == source.module[..] {
                    let mut module = destination.module.clone();
                    module.extend_from_slice(&addr.module[depth..]);
                    let new = InstanceAddr {
                        module,
                        ..addr.clone()
                    };
                    renames.insert(addr.clone(), new);
                }
            }
        }
        (None, Some(_)) => return Err(mismatch("a module can only move to a module address.")),
        (Some(_), None) => {
            return Err(mismatch(
                "the target must be a resource or resource instance address.",
            ));
        }
        (Some(from), Some(to)) => {
            if from.mode != to.mode || from.type_name != to.type_name {
                return Err(mismatch("resource types don't match."));
            }
            if source.is_instance() || destination.is_instance() {
                let (Some(old), Some(new)) = (source.instance(), destination.instance()) else {
                    return Ok(renames);
                };
                if known.contains(&&old) {
                    renames.insert(old, new);
                }
            } else {
                for addr in known {
                    if addr.module == source.module && &addr.resource == from {
                        let new = InstanceAddr {
                            module: destination.module.clone(),
                            resource: to.clone(),
                            key: addr.key.clone(),
                        };
                        renames.insert(addr.clone(), new);
                    }
                }
            }
        }
    }
    Ok(renames)
}
