//! `tenantform workspace list`: the backend's workspaces, the current one marked with `*`,
//! and a note when `TF_WORKSPACE` chooses it, as Terraform prints them.

use super::{backend, current, messages};
use crate::cli::commands::Command;
use crate::cli::{CommandResult, Ui, flag_defs};

pub(super) static COMMAND: Command = Command::new(
    "workspace list",
    "",
    "  List tenantform workspaces.",
    &[flag_defs::NO_COLOR],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    if !parsed.positional.is_empty() {
        ui.err(&messages::error(
            ui,
            "Too many command line arguments. Did you mean to use -chdir?",
        ));
        return Ok(1);
    }
    let configured = backend::configured()?;
    let names = backend::list(&configured, "Failed to list the workspaces")?;
    let selected = current::selected();
    ui.out(&format!("{}\n", listing(&names, &selected.name)));
    if selected.overridden {
        ui.out(messages::OVERRIDDEN_NOTE);
    }
    Ok(0)
}

/// One line per workspace, `* ` before the current one and two spaces before the others.
fn listing(names: &[String], current: &str) -> String {
    names
        .iter()
        .map(|name| {
            let mark = if name == current { "* " } else { "  " };
            format!("{mark}{name}\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_workspace_is_starred() {
        let names = ["default".to_string(), "staging".to_string()];
        assert_eq!(listing(&names, "staging"), "  default\n* staging\n");
        assert_eq!(listing(&names, "gone"), "  default\n  staging\n");
    }
}
