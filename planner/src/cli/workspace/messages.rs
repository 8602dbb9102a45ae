//! Terraform's texts for the workspace commands, with the program's name in place of
//! Terraform's.

use crate::cli::Ui;

/// A workspace name in Go's `%q` quoting.
pub(super) fn quoted(name: &str) -> String {
    format!("{name:?}")
}

pub(super) fn exists(name: &str) -> String {
    format!("Workspace {} already exists\n", quoted(name))
}

pub(super) fn does_not_exist(name: &str) -> String {
    format!(
        "Workspace {} doesn't exist.\n\nYou can create this workspace with the \"new\" \
         subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand.\n",
        quoted(name)
    )
}

pub(super) fn invalid_name(name: &str) -> String {
    format!(
        "\nThe workspace name {} is not allowed. The name must contain only URL safe\n\
         characters, contain no path separators, and not be an empty string.\n\n",
        quoted(name)
    )
}

pub(super) fn deleting_current(name: &str) -> String {
    format!(
        "Workspace {} is your active workspace.\n\nYou cannot delete the currently active \
         workspace. Please switch\nto another workspace and try again.\n",
        quoted(name)
    )
}

pub(super) const LEGACY_WARNING: &str = "Warning: the \"tenantform env\" family of commands is \
     deprecated.\n\n\"Workspace\" is now the preferred term for what earlier Terraform versions\n\
     called \"environment\", to reduce ambiguity caused by the latter term colliding\nwith other \
     concepts.\n\nThe \"tenantform workspace\" commands should be used instead. \"tenantform \
     env\"\nwill be removed in a future version.\n\n";

pub(super) const OVERRIDDEN_NOTE: &str = "\n\nThe active workspace is being overridden using the \
     TF_WORKSPACE environment\nvariable.\n\n";

pub(super) const OVERRIDDEN_SELECT_ERROR: &str = "\nThe selected workspace is currently overridden \
     using the TF_WORKSPACE\nenvironment variable.\n\nTo select a new workspace, either update \
     this environment variable or unset\nit and then run this command again.\n\n";

pub(super) const OVERRIDDEN_NEW_ERROR: &str = "\nThe workspace is currently overridden using the \
     TF_WORKSPACE environment\nvariable. You cannot create a new workspace when using this \
     setting.\n\nTo create a new workspace, either unset this environment variable or update \
     it\nto match the workspace name you are trying to create, and then run this command\n\
     again.\n\n";

/// `Created and switched to workspace "NAME"!` and what it means.
pub(super) fn created(ui: &Ui, name: &str) -> String {
    let headline = format!("Created and switched to workspace {}!", quoted(name));
    let headline = if ui.color {
        format!("\x1b[1m{headline}{GREEN}")
    } else {
        headline
    };
    colored(
        ui,
        GREEN,
        &format!(
            "{headline}\n\nYou're now on a new, empty workspace. Workspaces isolate their \
             state,\nso if you run \"tenantform plan\" tenantform will not see any existing \
             state\nfor this configuration."
        ),
    )
}

pub(super) fn switched(ui: &Ui, name: &str) -> String {
    colored(
        ui,
        GREEN,
        &format!("Switched to workspace {}.", quoted(name)),
    )
}

pub(super) fn deleted(ui: &Ui, name: &str) -> String {
    colored(ui, GREEN, &format!("Deleted workspace {}!", quoted(name)))
}

const GREEN: &str = "\x1b[0m\x1b[32m";
const RED: &str = "\x1b[31m";

/// An error message as Terraform prints it: red when colors are on.
pub(super) fn error(ui: &Ui, text: &str) -> String {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if ui.color {
        format!("{RED}{text}\x1b[0m\x1b[0m\n")
    } else {
        format!("{text}\n")
    }
}

/// `text` and a line end, in `color` (Terraform's sequences) when colors are on.
fn colored(ui: &Ui, color: &str, text: &str) -> String {
    if ui.color {
        format!("{color}{text}\x1b[0m\n")
    } else {
        format!("{text}\n")
    }
}

pub(super) fn was_not_empty(ui: &Ui, name: &str) -> String {
    let text = format!(
        "WARNING: {} was non-empty.\nThe resources managed by the deleted workspace may still \
         exist,\nbut are no longer manageable by tenantform since the state has\nbeen deleted.\n",
        quoted(name)
    );
    colored(ui, "\x1b[0m\x1b[33m", &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_terraforms_with_and_without_color() {
        let plain = Ui::new(false);
        let colored_ui = Ui::new(true);
        assert_eq!(switched(&plain, "dev"), "Switched to workspace \"dev\".\n");
        assert_eq!(
            switched(&colored_ui, "dev"),
            "\x1b[0m\x1b[32mSwitched to workspace \"dev\".\x1b[0m\n"
        );
        assert!(
            created(&plain, "dev").starts_with("Created and switched to workspace \"dev\"!\n\n")
        );
        assert!(created(&colored_ui, "dev").starts_with(
            "\x1b[0m\x1b[32m\x1b[1mCreated and switched to workspace \"dev\"!\x1b[0m\x1b[32m\n"
        ));
        assert_eq!(
            error(&plain, &does_not_exist("x")),
            "Workspace \"x\" doesn't exist.\n\nYou can create this workspace with the \"new\" \
             subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand.\n"
        );
        assert_eq!(error(&colored_ui, "Oops\n"), "\x1b[31mOops\x1b[0m\x1b[0m\n");
    }
}
