//! `tenantform workspace new|select|list|show|delete`: Terraform's workspaces, each with its
//! own state in the configured backend. The current workspace ([`current`]) is what every
//! command that opens the state store uses, and what `terraform.workspace` evaluates to.

mod backend;
mod current;
mod delete;
mod list;
mod messages;
mod new;
mod select;
mod show;

pub(super) use backend::check_selected;
pub(super) use current::current;

use super::args::Parsed;
use super::commands::Command;
use super::{CommandResult, Failure, Ui};

pub(super) static COMMAND: Command = Command::new(
    "workspace",
    "<subcommand> [options] [args]",
    "  new, list, show, select and delete tenantform workspaces.

Subcommands:
    delete    Delete a workspace
    list      List Workspaces
    new       Create a new workspace
    select    Select a workspace
    show      Show the name of the current workspace",
    &[],
);

/// The workspace commands' flag tables.
pub(super) const COMMANDS: &[&Command] = &[
    &COMMAND,
    &new::COMMAND,
    &select::COMMAND,
    &list::COMMAND,
    &show::COMMAND,
    &delete::COMMAND,
];

/// Runs `workspace SUBCOMMAND ARGS`; without a known subcommand, Terraform's help and exit
/// code 1.
pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let (subcommand, rest) = match args.split_first() {
        Some((first, rest)) => (first.as_str(), rest),
        None => ("", args),
    };
    match subcommand {
        "new" => new::run(ui, rest),
        "select" => select::run(ui, rest),
        "list" => list::run(ui, rest),
        "show" => show::run(ui, rest),
        "delete" => delete::run(ui, rest),
        _ => {
            ui.out(&COMMAND.usage());
            Ok(1)
        }
    }
}

/// `env SUBCOMMAND ARGS`, Terraform's deprecated name for `workspace` (without `show`):
/// its deprecation warning on standard error, then the workspace command.
pub(super) fn run_legacy(ui: &Ui, args: &[String]) -> CommandResult {
    ui.err(messages::LEGACY_WARNING);
    match args.first().map(String::as_str) {
        Some("new" | "select" | "list" | "delete") => run(ui, args),
        _ => run(ui, &[]),
    }
}

/// The flags of `command` and its one argument, the workspace name; `None` once Terraform's
/// error saying that exactly one name is expected was shown (the usage follows on standard
/// output).
fn name_argument(
    ui: &Ui,
    command: &'static Command,
    args: &[String],
) -> Result<Option<(Parsed, String)>, Failure> {
    let parsed = command.parse(args)?;
    let [name] = parsed.positional.as_slice() else {
        ui.err(&messages::error(
            ui,
            "Expected a single argument: NAME.\n\n",
        ));
        ui.out(&command.usage());
        return Ok(None);
    };
    let name = name.clone();
    Ok(Some((parsed, name)))
}
