//! `tenantform state pull`: the current state, as the state file holds it (with any
//! journaled changes applied), on stdout.

use super::{CommandResult, Ui, read_existing, store_for};
use crate::cli::commands::Command;
use crate::cli::flag_defs;
use crate::state::format_v4;

pub(super) static COMMAND: Command = Command {
    name: "state pull",
    arguments: "[options]",
    about: "  Pull the state from its location, upgrade the local copy, and output it
  to stdout.

  This command \"pulls\" the current state and outputs it to stdout.
  As part of this process, tenantform will upgrade the state format of the
  local copy to the current version.",
    flags: &[flag_defs::STATE_PATH, flag_defs::NO_COLOR],
    refused: &["var", "var-file"],
};

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "Expected no positional arguments.")?;
    let store = store_for(&parsed)?;
    if let Some(state) = read_existing(store.as_ref())? {
        let mut text = String::from_utf8_lossy(&format_v4::serialize(&state)).into_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        ui.out(&text);
    }
    Ok(0)
}
