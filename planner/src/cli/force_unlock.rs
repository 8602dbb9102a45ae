//! `tenantform force-unlock [-force] LOCK_ID`: releases a stuck state lock, as Terraform's
//! command does. A local state file's lock belongs to the process holding it and cannot be
//! released by another one (Terraform's refusal); the `pg` backend's lock is released by
//! ending the PostgreSQL session that holds it, after confirmation unless `-force`.

use super::commands::Command;
use super::flag_defs;
use super::{CommandResult, Ui, common};
use crate::state::StateStore;

pub(super) static COMMAND: Command = Command::new(
    "force-unlock",
    "LOCK_ID",
    "  Manually unlock the state for the defined configuration.

  This will not modify your infrastructure. This command removes the lock on the
  state for the current workspace. The behavior of this lock is dependent
  on the backend being used. Local state files cannot be unlocked by another
  process; with the pg backend, LOCK_ID is the PostgreSQL session the lock
  error names, and that session is ended.",
    &[flag_defs::FORCE],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let [lock_id] = parsed.positional.as_slice() else {
        ui.err(&format!(
            "Expected a single argument: LOCK_ID\n\n{}",
            COMMAND.usage()
        ));
        return Ok(1);
    };
    let store = common::store()?;
    let force = parsed.flag("force", false);
    if store.local_path().is_some() {
        return unlock_local(ui, force);
    }
    if !force && !confirmed(ui) {
        ui.out("force-unlock cancelled.\n");
        return Ok(1);
    }
    match store.force_unlock(lock_id) {
        Ok(()) => {
            ui.out(&format!(
                "{}\n",
                ui.green("tenantform state has been successfully unlocked!")
            ));
            ui.out(
                "\nThe state has been unlocked, and tenantform commands should now be able to\n\
                 obtain a new lock on the remote state.\n",
            );
            Ok(0)
        }
        Err(err) => {
            ui.err(&format!("Failed to unlock state: {err}\n"));
            Ok(1)
        }
    }
}

/// A local state file's lock: Terraform refuses without `-force`, and with it finds no lock
/// of its own to release.
fn unlock_local(ui: &Ui, force: bool) -> CommandResult {
    if force {
        ui.err("Failed to unlock state: LocalState not locked\n");
    } else {
        ui.err("Local state cannot be unlocked by another process\n");
    }
    Ok(1)
}

fn confirmed(ui: &Ui) -> bool {
    common::confirm(
        ui,
        "Do you really want to force-unlock?",
        "tenantform will remove the lock on the remote state.\n  This will allow local \
         tenantform commands to modify this state, even though it\n  may still be in use.",
    )
}
