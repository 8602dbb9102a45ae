//! The `tenantform` command line, with Terraform's commands, flags, wording and exit codes:
//! `tenantform [-chdir=DIR] COMMAND [flags] [args]`. Each command lives in its own module;
//! [`run`] parses the global options, dispatches, and turns failures into rendered
//! diagnostics on stderr and exit code 1.

mod apply;
mod apply_waves;
pub(crate) mod args;
mod at_exit;
mod backend;
mod commands;
mod common;
mod console;
mod env_args;
mod flag_defs;
mod fmt;
mod force_unlock;
mod generated_config;
mod graph;
mod hooks;
mod import;
mod init;
mod json_view;
mod output;
mod output_command;
mod plan;
mod policy;
mod providers_schema;
mod refresh;
mod saved_plan_variables;
mod scope;
mod show;
mod show_markdown;
mod state;
mod tenant_apply;
mod validate;
mod version;
mod view;
mod workspace;

use std::io::Write;

use crate::diags::{Diagnostic, Diagnostics, Sources};
use view::View;

/// Why a command stopped early.
pub(crate) enum Failure {
    /// Diagnostics to render with the configuration sources they point into.
    Diags(Diagnostics, Sources),
    /// A command-line mistake: the message and the command whose usage text follows it.
    Usage(String, &'static commands::Command),
}

pub(crate) type CommandResult = Result<i32, Failure>;

impl Failure {
    /// A single error without a source range.
    pub(crate) fn error(summary: impl Into<String>, detail: impl Into<String>) -> Failure {
        Failure::Diags(
            Diagnostic::error(summary, detail).into(),
            Sources::default(),
        )
    }
}

/// Terminal output: results on stdout, errors on stderr, color unless `-no-color`; the
/// operation commands report through [`Ui::view`], the human or the `-json` UI.
pub(crate) struct Ui {
    pub color: bool,
    pub view: View,
}

/// Writes `text` to stdout at once.
pub(super) fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes `text` to stderr at once.
pub(super) fn write_err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

impl Ui {
    /// The human UI.
    pub(crate) fn new(color: bool) -> Ui {
        Ui {
            color,
            view: View::Human {
                color,
                compact_warnings: false,
            },
        }
    }

    pub(crate) fn out(&self, text: &str) {
        write_out(text);
    }

    pub(crate) fn err(&self, text: &str) {
        write_err(text);
    }

    /// Renders diagnostics through the view: for people, errors to stderr and warnings to
    /// stdout, as Terraform does.
    pub(crate) fn diags(&self, diags: &Diagnostics, sources: &Sources) {
        self.view.diagnostics(diags, sources);
    }

    pub(crate) fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub(crate) fn green(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1;32m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

const USAGE: &str = "Usage: tenantform [global options] <subcommand> [args]

The available commands for execution are listed below.

Main commands:
  init          Prepare your working directory for other commands
  validate      Check whether the configuration is valid
  plan          Show changes required by the current configuration
  apply         Create or update infrastructure
  destroy       Destroy previously-created infrastructure

All other commands:
  console       Try tenantform expressions at an interactive command prompt
  fmt           Reformat your configuration in the standard style
  force-unlock  Release a stuck lock on the current workspace
  graph         Generate a Graphviz graph of the steps in an operation
  import        Associate existing infrastructure with a tenantform resource
  output        Show output values from your root module
  policy        Run the unit tests of Rego policies (policy test DIR)
  providers     Show the providers required for this configuration
  refresh       Update the state to match remote systems
  show          Show the current state or a saved plan
  state         Advanced state management
  version       Show the current tenantform version
  workspace     Workspace management

Global options (use these before the subcommand, if any):
  -chdir=DIR    Switch to a different working directory before executing the
                given subcommand.
  -help         Show this help output, or the help for a specified subcommand.
  -version      An alias for the \"version\" subcommand.
";

/// Every command's flag table (`state` and `providers` subcommands included).
pub(crate) fn all_commands() -> Vec<&'static commands::Command> {
    let mut all: Vec<&'static commands::Command> = vec![
        &init::COMMAND,
        &validate::COMMAND,
        &plan::COMMAND,
        &apply::COMMAND,
        &apply::DESTROY_COMMAND,
        &refresh::COMMAND,
        &console::COMMAND,
        &fmt::COMMAND,
        &force_unlock::COMMAND,
        &graph::COMMAND,
        &import::COMMAND,
        &output_command::COMMAND,
        &providers_schema::COMMAND,
        &show::COMMAND,
        &version::COMMAND,
        &policy::TEST_COMMAND,
    ];
    all.extend(state::COMMANDS);
    all.extend(workspace::COMMANDS);
    all
}

/// Terraform's commands that tenantform does not have: refused by name.
const UNSUPPORTED_COMMANDS: &[&str] = &[
    "get", "login", "logout", "metadata", "modules", "query", "stacks", "taint", "test", "untaint",
];

/// Runs the command line `args` (without the program name) and returns the exit code.
pub async fn run(args: Vec<String>) -> i32 {
    let color = !args.iter().any(|a| a == "-no-color" || a == "--no-color");
    let ui = Ui::new(color);
    let args = match env_args::merge(args, |name| std::env::var(name).ok()) {
        Ok(args) => args,
        Err(err) => {
            ui.err(&format!("{err}\n"));
            return 1;
        }
    };
    // As Terraform, `-v`, `-version` or `--version` anywhere shows the version.
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "-v" | "-version" | "--version"))
    {
        return finish(&ui, version::run(&ui, &[]).await);
    }
    let rest = match global_options(&ui, &args) {
        Ok(rest) => rest,
        Err(code) => return code,
    };
    let Some((command, command_args)) = rest.split_first() else {
        ui.out(USAGE);
        return 1;
    };
    if UNSUPPORTED_COMMANDS.contains(&command.as_str()) {
        ui.err(&format!(
            "Error: the \"{command}\" command is not supported by tenantform\n"
        ));
        return 1;
    }
    if command_args
        .iter()
        .any(|a| matches!(a.as_str(), "-help" | "--help" | "-h"))
    {
        ui.out(&help(command, command_args));
        return 0;
    }
    let ui = view_for(command, command_args, ui);
    dispatch(&ui, command, command_args).await
}

/// The commands that speak Terraform's machine-readable UI with `-json`.
const JSON_UI_COMMANDS: &[&str] = &["plan", "apply", "destroy", "refresh", "init"];

/// The UI a command reports through: with `-json` on an operation command, the JSON UI
/// (whose first line, the `version` message, is written now, before any other message, as
/// in Terraform); with `-compact-warnings`, compact warnings.
fn view_for(command: &str, command_args: &[String], ui: Ui) -> Ui {
    if !JSON_UI_COMMANDS.contains(&command) {
        return ui;
    }
    let given = |name: &str| {
        command_args.iter().any(|arg| {
            let flag = arg.trim_start_matches('-');
            arg.starts_with('-') && (flag == name || flag == format!("{name}=true"))
        })
    };
    let view = if given("json") {
        View::Json(json_view::JsonView::start())
    } else {
        View::Human {
            color: ui.color,
            compact_warnings: command != "init" && given("compact-warnings"),
        }
    };
    Ui { view, ..ui }
}

/// Handles the options before the subcommand (`-chdir=DIR`, `-help`); the rest of the
/// command line, or the exit code when the options end the run.
fn global_options<'a>(ui: &Ui, args: &'a [String]) -> Result<&'a [String], i32> {
    let mut rest = args;
    while let Some(first) = rest.first() {
        let flag = first.trim_start_matches('-');
        if !first.starts_with('-') || first == "-" {
            break;
        }
        rest = &rest[1..];
        if let Some(dir) = flag.strip_prefix("chdir=") {
            if let Err(err) = std::env::set_current_dir(dir) {
                ui.err(&format!(
                    "Error handling -chdir option: chdir {dir}: {err}\n"
                ));
                return Err(1);
            }
        } else if flag == "chdir" {
            ui.err(
                "Error handling -chdir option: the option requires a directory, as -chdir=DIR\n",
            );
            return Err(1);
        } else if matches!(flag, "help" | "h") {
            ui.out(USAGE);
            return Err(0);
        } else {
            ui.err(&format!(
                "Error: flag provided but not defined: {first}\n\n{USAGE}"
            ));
            return Err(1);
        }
    }
    Ok(rest)
}

/// Runs one command and returns its exit code.
async fn dispatch(ui: &Ui, command: &str, command_args: &[String]) -> i32 {
    let result = match command {
        "version" => version::run(ui, command_args).await,
        "init" => init::run(ui, command_args).await,
        "validate" => validate::run(ui, command_args).await,
        "plan" => plan::run(ui, command_args).await,
        "apply" => apply::run(ui, command_args, false).await,
        "destroy" => apply::run(ui, command_args, true).await,
        "refresh" => refresh::run(ui, command_args).await,
        "show" => show::run(ui, command_args).await,
        "import" => import::run(ui, command_args).await,
        "output" => output_command::run(ui, command_args).await,
        "fmt" => fmt::run(ui, command_args),
        "console" => console::run(ui, command_args).await,
        "state" => state::run(ui, command_args).await,
        "graph" => graph::run(ui, command_args).await,
        "providers" => providers_schema::run(ui, command_args).await,
        "force-unlock" => force_unlock::run(ui, command_args),
        "workspace" => workspace::run(ui, command_args),
        "env" => workspace::run_legacy(ui, command_args),
        "policy" => policy::run(ui, command_args),
        other => {
            ui.err(&format!(
                "tenantform has no command named \"{other}\".\n\n{USAGE}"
            ));
            return 1;
        }
    };
    finish(ui, result)
}

/// The `-help` text of `command` (with its subcommand for `state`).
fn help(command: &str, command_args: &[String]) -> String {
    if command == "state" {
        return state::usage(command_args.first().map(String::as_str));
    }
    let nested = command_args.first().map(|sub| format!("{command} {sub}"));
    let commands = all_commands();
    let named = |name: &str| commands.iter().find(|c| c.name == name);
    nested
        .as_deref()
        .and_then(named)
        .or_else(|| named(command))
        .map_or_else(|| USAGE.to_string(), |c| c.usage())
}

fn finish(ui: &Ui, result: CommandResult) -> i32 {
    match result {
        Ok(code) => code,
        Err(Failure::Diags(diags, sources)) => {
            ui.diags(&diags, &sources);
            1
        }
        Err(Failure::Usage(message, _)) if ui.view.is_json() => {
            ui.diags(&Diagnostic::error(message, "").into(), &Sources::default());
            1
        }
        Err(Failure::Usage(message, command)) => {
            ui.err(&format!("Error: {message}\n\n{}", command.usage()));
            1
        }
    }
}
