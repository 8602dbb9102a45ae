//! `tenantform state <subcommand>`: advanced state management, as Terraform's `state`
//! commands: `list`, `show`, `mv`, `rm`, `pull` and `push`. This module dispatches the subcommands
//! and holds what they share: the `-state=PATH` store, address targets and Terraform's
//! instance order.

mod list;
mod mv;
mod pull;
mod push;
mod rm;
mod show;
mod target;

use std::path::Path;

use super::args::Parsed;
use super::commands::Command;
use super::{CommandResult, Failure, Ui, common};

use crate::state::{LocalStore, State, StateStore};

pub(super) use target::Target;

pub(super) const USAGE: &str =
    "Usage: tenantform [global options] state <subcommand> [options] [args]

  This command has subcommands for advanced state management.

  These subcommands can be used to slice and dice the tenantform state.
  This is sometimes necessary in advanced cases. For your safety, all
  state management commands that modify the state create a timestamped
  backup of the state prior to making modifications.

  The structure and output of the commands is specifically tailored to work
  well with the common Unix utilities such as grep, awk, etc. We recommend
  using those tools to perform more advanced state tasks.

Subcommands:
    list                List resources in the state
    mv                  Move an item in the state
    pull                Pull current state and output to stdout
    push                Update remote state from a local state file
    rm                  Remove instances from the state
    show                Show a resource in the state
";

/// The `state` subcommands' tables.
pub(super) const COMMANDS: &[&Command] = &[
    &list::COMMAND,
    &mv::COMMAND,
    &pull::COMMAND,
    &push::COMMAND,
    &rm::COMMAND,
    &show::COMMAND,
];

/// The usage text of `state SUBCOMMAND`, for `-help`.
pub(super) fn usage(subcommand: Option<&str>) -> String {
    let name = subcommand.map(|s| format!("state {s}"));
    COMMANDS
        .iter()
        .find(|c| Some(c.name) == name.as_deref())
        .map_or_else(|| USAGE.to_string(), |c| c.usage())
}

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let Some((subcommand, rest)) = args.split_first() else {
        ui.out(USAGE);
        return Ok(1);
    };
    match subcommand.as_str() {
        "list" => list::run(ui, rest),
        "show" => show::run(ui, rest).await,
        "mv" => mv::run(ui, rest),
        "rm" => rm::run(ui, rest),
        "pull" => pull::run(ui, rest),
        "push" => push::run(ui, rest),
        "identities" | "replace-provider" => {
            ui.err(&format!(
                "Error: the \"state {subcommand}\" command is not supported by tenantform\n"
            ));
            Ok(1)
        }
        other => {
            ui.err(&format!(
                "tenantform state has no subcommand named \"{other}\".\n\n{USAGE}"
            ));
            Ok(1)
        }
    }
}

/// The store named by `-state=PATH`, or the configuration's (its backend, else the working
/// directory's state file).
fn store_for(parsed: &Parsed) -> Result<Box<dyn StateStore>, Failure> {
    match parsed.last("state") {
        Some(path) if !path.is_empty() => Ok(Box::new(LocalStore::at_path(path))),
        _ => common::store(),
    }
}

/// The stored state; `None` when there is none.
fn read_existing(store: &dyn StateStore) -> Result<Option<State>, Failure> {
    store
        .read()
        .map_err(|e| common::state_failure(e, "Failed to load state"))
}

/// The error Terraform reports when a state command finds no state at all.
fn no_state_failure() -> Failure {
    Failure::error(
        "No state file was found!",
        "State management commands require a state file. Run this command in a directory \
         where tenantform has been run or use the -state flag to point the command to a \
         specific state location.",
    )
}

pub(super) use crate::addrs::terraform_order;

/// Keeps the state file's bytes before a modification as Terraform does: beside the state
/// file as `NAME.<unix seconds>.backup`, or at `-backup=PATH`.
/// A remote store keeps no local backup, as with Terraform's remote backends.
fn write_timestamped_backup(store: &dyn StateStore, explicit: Option<&str>) -> Result<(), Failure> {
    let Some(state_path) = store.local_path() else {
        return Ok(());
    };
    let Ok(bytes) = std::fs::read(state_path) else {
        return Ok(());
    };
    let target = match explicit {
        Some(path) if !path.is_empty() => Path::new(path).to_path_buf(),
        _ => {
            let seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            let name = state_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "terraform.tfstate".into());
            state_path.with_file_name(format!("{name}.{seconds}.backup"))
        }
    };
    std::fs::write(&target, bytes).map_err(|e| {
        Failure::error(
            "Error creating state backup",
            format!("could not write {}: {e}", target.display()),
        )
    })
}

/// Persists a modified state through the store (which checks the lineage, keeps
/// `terraform.tfstate.backup` and raises the serial).
fn persist(store: &dyn StateStore, state: &State) -> Result<(), Failure> {
    store
        .write(state)
        .map(|_| ())
        .map_err(|e| common::state_failure(e, "Error writing state file"))
}

#[cfg(test)]
mod tests;
