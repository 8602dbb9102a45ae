//! `tenantform workspace show`: prints the current workspace's name.

use super::current;
use crate::cli::commands::Command;
use crate::cli::{CommandResult, Ui, flag_defs};

pub(super) static COMMAND: Command = Command::new(
    "workspace show",
    "",
    "  Show the name of the current workspace.",
    &[flag_defs::NO_COLOR],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    COMMAND.parse(args)?;
    let selected = current::selected();
    if selected.overridden && !current::is_valid_name(&selected.name) {
        ui.err(&format!(
            "Error selecting workspace: Invalid workspace name set using {}\n",
            current::WORKSPACE_VARIABLE
        ));
        return Ok(1);
    }
    ui.out(&format!("{}\n", selected.name));
    Ok(0)
}
