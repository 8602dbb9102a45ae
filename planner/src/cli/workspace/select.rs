//! `tenantform workspace select [-or-create] NAME`: selects an existing workspace (creating
//! it with `-or-create`), refused while `TF_WORKSPACE` chooses the workspace, with
//! Terraform's messages and exit codes.

use super::{backend, current, messages};
use crate::cli::commands::Command;
use crate::cli::{CommandResult, Ui, flag_defs};

pub(super) static COMMAND: Command = Command::new(
    "workspace select",
    "NAME",
    "  Select a different tenantform workspace.",
    &[flag_defs::OR_CREATE, flag_defs::NO_COLOR],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let Some((parsed, name)) = super::name_argument(ui, &COMMAND, args)? else {
        return Ok(1);
    };
    let name = &name;
    let selected = current::selected();
    if selected.overridden {
        ui.err(&messages::error(ui, messages::OVERRIDDEN_SELECT_ERROR));
        return Ok(1);
    }
    let configured = backend::configured()?;
    if !current::is_valid_name(name) {
        ui.err(&messages::error(ui, &messages::invalid_name(name)));
        return Ok(1);
    }
    let existing = backend::list(&configured, "Failed to list the workspaces")?;
    if *name == selected.name {
        return Ok(0);
    }
    let created = !existing.contains(name);
    if created {
        if !parsed.flag("or-create", false) {
            ui.err(&messages::error(
                ui,
                &format!("\n{}", messages::does_not_exist(name)),
            ));
            return Ok(1);
        }
        backend::create(&configured, name)?;
    }
    if let Err(err) = current::save(name) {
        ui.err(&format!("{err}\n"));
        return Ok(1);
    }
    if created {
        ui.out(&messages::created(ui, name));
    } else {
        ui.out(&messages::switched(ui, name));
    }
    Ok(0)
}
