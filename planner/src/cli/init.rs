//! `tenantform init`: configures the state backend the configuration names (saving
//! `-backend-config` values and checking that the backend answers), resolves the
//! configuration's providers and checks that each one can be launched and answers with its
//! schema. Nothing is downloaded.

use std::path::{Component, Path, PathBuf};

use super::args::Flag;
use super::backend::{self, SavedBackendConfig};
use super::commands::Command;
use super::common;
use super::flag_defs;
use super::json_view::{JsonView, Level};
use super::view::View;
use super::{CommandResult, Ui};

pub(super) static COMMAND: Command = Command {
    name: "init",
    arguments: "[options]",
    about: "  Initialize a new or existing tenantform working directory: configure the
  state backend, find the provider plugins the configuration requires (beside
  the tenantform binary, in .tenantform/plugins, or on PATH) and check that
  each one starts.",
    flags: &[
        Flag::repeated(
            "backend-config",
            "=KEY=VALUE",
            "Sets a backend setting, overriding the backend block. Use this option more \
             than once to set more than one setting; a file of KEY = \"VALUE\" lines is \
             accepted too.",
        ),
        Flag::bool(
            "reconfigure",
            "Reconfigure a backend, ignoring any saved configuration.",
        ),
        Flag::bool(
            "upgrade",
            "Accepted for compatibility: tenantform installs nothing, so there is nothing \
             to upgrade; the providers found are the ones used.",
        ),
        Flag::bool(
            "input",
            "Disable interactive prompts (init never prompts in tenantform).",
        )
        .shown_as("=false"),
        flag_defs::NO_COLOR,
        flag_defs::JSON,
    ],
    refused: &[
        "backend",
        "cloud",
        "force-copy",
        "from-module",
        "get",
        "lock",
        "lock-timeout",
        "plugin-dir",
        "migrate-state",
        "lockfile",
        "ignore-remote-version",
        "test-directory",
        "var",
        "var-file",
        "target",
        "compact-warnings",
        "state-provider-lock-file",
        "policies",
        "enable-pluggable-state-storage-experiment",
        "create-default-workspace",
    ],
};

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "")?;
    let config = common::load_config()?;
    if parsed.flag("reconfigure", false) {
        backend::forget_backend_config();
    }
    report_modules(ui, &config);
    if let View::Json(json) = ui.view {
        init_output(
            json,
            "initializing_provider_plugin_from_config_message",
            "Initializing provider plugins found in the configuration...",
        );
        init_output(
            json,
            "initializing_backend_message",
            "Initializing the backend...",
        );
    }
    if let Some(configured) = &config.backend {
        if !ui.view.is_json() {
            ui.out(&format!("\n{}\n", ui.bold("Initializing the backend...")));
        }
        let values = parsed.all("backend-config");
        if !values.is_empty() {
            let settings = backend::parse_backend_config(&configured.kind, values)?;
            backend::save_backend_config(&SavedBackendConfig {
                kind: configured.kind.clone(),
                settings,
            })?;
        }
        let selected = backend::select_backend(Some(configured))?;
        super::workspace::check_selected(&selected)?;
        let success = format!(
            "Successfully configured the backend \"{}\"!",
            configured.kind
        );
        let after = "tenantform will automatically use this backend unless the backend \
                     configuration changes.";
        match ui.view {
            View::Json(json) => {
                init_output(
                    json,
                    "backend_configured_success",
                    &format!("{success} {}", after.replacen(" use", "\nuse", 1)),
                );
            }
            View::Human { .. } => ui.out(&format!("\n{}\n{after}\n", ui.green(&success))),
        }
    }
    check_providers(ui, &config).await?;
    report_success(ui);
    Ok(0)
}

/// What to do next, which Terraform leaves out when it runs in automation
/// (`TF_IN_AUTOMATION` set).
const NEXT_STEPS: &str = "You may now begin working with tenantform. Try running \"tenantform \
                          plan\" to see\nany changes that are required for your \
                          infrastructure. All tenantform commands\nshould now work.";

/// The success message, and what to do next unless running in automation.
fn report_success(ui: &Ui) {
    const SUCCESS: &str = "tenantform has been successfully initialized!";
    let in_automation = common::in_automation();
    match ui.view {
        View::Json(json) => {
            init_output(json, "output_init_success_message", SUCCESS);
            if !in_automation {
                init_output(json, "output_init_success_cli_message", NEXT_STEPS);
            }
        }
        View::Human { .. } => {
            ui.out(&format!("\n{}\n", ui.green(SUCCESS)));
            if !in_automation {
                ui.out(&format!("\n{NEXT_STEPS}\n"));
            }
        }
    }
}

/// Starts every provider the configuration requires (and stops it again), saying which.
async fn check_providers(ui: &Ui, config: &crate::config::Config) -> Result<(), super::Failure> {
    if !ui.view.is_json() {
        ui.out(&format!(
            "\n{}\n",
            ui.bold("Initializing provider plugins...")
        ));
    }
    let providers = common::start_providers(config).await?;
    if !ui.view.is_json() {
        for (name, source) in &providers.sources {
            ui.out(&format!("- Using {source} ({name})\n"));
        }
    }
    common::close_providers(&providers).await;
    Ok(())
}

/// `Initializing modules...` and one line per module call (`- NAME in DIR`), as Terraform
/// reports installing them; tenantform loads local modules in place.
fn report_modules(ui: &Ui, config: &crate::config::Config) {
    let mut lines = Vec::new();
    module_lines(config, "", Path::new(""), &mut lines);
    if lines.is_empty() {
        return;
    }
    match ui.view {
        View::Json(json) => {
            init_output(
                json,
                "initializing_modules_message",
                "Initializing modules...",
            );
            lines.iter().for_each(|line| json.log(line));
        }
        View::Human { .. } => {
            ui.out(&format!("{}\n", ui.bold("Initializing modules...")));
            lines.iter().for_each(|line| ui.out(&format!("{line}\n")));
        }
    }
}

/// `- KEY in DIR` for every module call of `config` and its children, depth first.
fn module_lines(config: &crate::config::Config, prefix: &str, dir: &Path, lines: &mut Vec<String>) {
    for (name, call) in &config.module_calls {
        let key = format!("{prefix}{name}");
        let child_dir = normalized(&dir.join(&call.source));
        lines.push(format!("- {key} in {}", child_dir.display()));
        if let Some(child) = config.children.get(name) {
            module_lines(child, &format!("{key}."), &child_dir, lines);
        }
    }
}

/// `path` without `.` steps and with `..` steps folded into their parents.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// An `init_output` message of the JSON UI.
fn init_output(json: JsonView, code: &str, message: &str) {
    json.emit(
        Level::Info,
        message,
        "init_output",
        vec![("message_code", serde_json::Value::from(code))],
    );
}
