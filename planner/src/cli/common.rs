//! What every command that touches configuration, state or providers shares: the common
//! flags (`-input`, `-no-color`, `-parallelism`, `-lock`, `-lock-timeout`, `-var`,
//! `-var-file`), loading the configuration, resolving input variables (prompting for missing
//! ones when input is allowed), locking and reading the state, starting the providers, and
//! the recorder that makes each applied instance durable through the state store.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tenantform_proto::value::Value;

use super::args::{self, Parsed};
use super::commands::Command;
use super::{Failure, Ui};
use crate::addrs::InstanceAddr;
use crate::config::{self, Config};
use crate::diags::{Diagnostics, Sources};
use crate::engine::{self, ApplyRecorder};
use crate::providers::timeouts::DEFAULT_PROVIDER_TIMEOUT;
use crate::providers::{self, Providers};
use crate::state::{DeposedChange, InstanceState, State, StateError, StateLock, StateStore};
use crate::variables::{self, CliVariable, VariableSources};

/// The common options, parsed.
pub(super) struct Common {
    pub input: bool,
    pub parallelism: usize,
    pub lock: bool,
    pub lock_timeout: Duration,
    /// `-provider-timeout`: the bound on each provider call.
    pub provider_timeout: Duration,
    /// The raw `-var` and `TF_VAR_` values as strings; see [`Common::resolve_variables`]
    /// for typed values from every source.
    pub variables: BTreeMap<String, Value>,
    /// `-var`, `-var-file`, the environment and the working directory.
    pub variable_sources: VariableSources,
}

impl Common {
    /// Reads the options `command` accepts; the others keep their defaults.
    pub(super) fn from(parsed: &Parsed, command: &'static Command) -> Result<Common, Failure> {
        let usage_error = |e: args::ArgsError| command.usage_error(e.to_string());
        let parallelism = parsed
            .usize("parallelism", engine::DEFAULT_PARALLELISM)
            .map_err(usage_error)?;
        if parallelism == 0 {
            return Err(command.usage_error("-parallelism must be at least 1"));
        }
        let mut variables = BTreeMap::new();
        for (name, value) in std::env::vars() {
            if let Some(name) = name.strip_prefix("TF_VAR_") {
                variables.insert(name.to_string(), Value::String(value));
            }
        }
        for raw in parsed.all("var") {
            let Some((name, value)) = raw.split_once('=') else {
                return Err(Failure::error(
                    "Invalid -var option",
                    format!(
                        "The given -var option {raw:?} is not correctly specified. Must be a \
                         variable name and value separated by an equals sign, like -var=\"key=value\"."
                    ),
                ));
            };
            variables.insert(name.trim().to_string(), Value::String(value.to_string()));
        }
        let cli = parsed
            .in_order(&["var", "var-file"])
            .into_iter()
            .map(|(flag, value)| match flag {
                "var" => CliVariable::Assignment(value.to_string()),
                _ => CliVariable::File(PathBuf::from(value)),
            })
            .collect();
        let variable_sources = VariableSources {
            cli,
            env: std::env::vars().collect(),
            cwd: PathBuf::from("."),
            prompted: BTreeMap::new(),
        };
        Ok(Common {
            input: parsed.flag("input", true),
            parallelism,
            lock: parsed.flag("lock", true),
            lock_timeout: parsed
                .duration("lock-timeout", Duration::ZERO)
                .map_err(usage_error)?,
            provider_timeout: provider_timeout(parsed, command)?,
            variables,
            variable_sources,
        })
    }

    /// [`Common::from`] for a command that reports through `ui`'s view: `-json` implies
    /// `-input=false`, as in Terraform.
    pub(super) fn for_view(
        parsed: &Parsed,
        command: &'static Command,
        ui: &Ui,
    ) -> Result<Common, Failure> {
        let mut common = Common::from(parsed, command)?;
        common.input &= !ui.view.is_json();
        Ok(common)
    }

    /// The typed value of every variable `config` declares, from every source in
    /// Terraform's precedence order. With input allowed and a terminal on stdin, variables
    /// without any value are asked for first; otherwise they are errors naming them.
    pub(super) fn resolve_variables(
        &self,
        ui: &Ui,
        config: &Config,
    ) -> Result<BTreeMap<String, Value>, Failure> {
        let mut inputs = self.variable_sources.clone();
        if self.input && std::io::stdin().is_terminal() {
            for variable in variables::unset_required(config, &inputs) {
                if let Some(answer) = prompt_variable(ui, variable) {
                    inputs.prompted.insert(variable.name.clone(), answer);
                }
            }
        }
        match variables::resolve(config, &inputs) {
            Ok(resolved) => {
                ui.diags(&resolved.warnings, &resolved.sources);
                Ok(resolved.values)
            }
            Err(unresolved) => Err(Failure::Diags(unresolved.diags, unresolved.sources)),
        }
    }
}

/// `-provider-timeout`, which must be more than zero.
fn provider_timeout(parsed: &Parsed, command: &'static Command) -> Result<Duration, Failure> {
    let bound = parsed
        .duration("provider-timeout", DEFAULT_PROVIDER_TIMEOUT)
        .map_err(|e| command.usage_error(e.to_string()))?;
    if bound.is_zero() {
        return Err(command.usage_error("-provider-timeout must be more than zero"));
    }
    Ok(bound)
}

/// Asks for a variable's value as Terraform does; `None` at end of input.
fn prompt_variable(ui: &Ui, variable: &config::Variable) -> Option<String> {
    let description = if variable.description.is_empty() {
        String::new()
    } else {
        format!("  {}\n\n", variable.description)
    };
    ui.out(&format!(
        "{}\n{description}  {}",
        ui.bold(&format!("var.{}", variable.name)),
        ui.bold("Enter a value: ")
    ));
    let mut answer = String::new();
    match std::io::stdin().read_line(&mut answer) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            ui.out("\n");
            Some(answer.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}

/// Every `*.tf` file of `dir`, by name, for rendering diagnostics when loading failed.
pub(super) fn read_sources(dir: &Path) -> Sources {
    let mut sources = Sources::default();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = name
                .ends_with(".tf")
                .then(|| std::fs::read_to_string(entry.path()));
            if let Some(Ok(text)) = text {
                sources.files.insert(name, text);
            }
        }
    }
    sources
}

/// Loads the configuration of the working directory.
pub(super) fn load_config() -> Result<Config, Failure> {
    let dir = Path::new(".");
    config::load_dir(dir).map_err(|diags| Failure::Diags(diags, read_sources(dir)))
}

/// Where provider plugins are looked for, besides `PATH`: beside this program and in the
/// working directory's plugin folder.
pub(super) fn plugin_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        dirs.push(dir);
    }
    dirs.push(PathBuf::from(".tenantform/plugins"));
    dirs
}

/// Launches the configuration's providers and fetches their schemas.
pub(super) async fn start_providers(config: &Config) -> Result<Providers, Failure> {
    start_providers_bounded(
        config,
        DEFAULT_PROVIDER_TIMEOUT,
        engine::DEFAULT_PARALLELISM,
    )
    .await
}

/// [`start_providers`] with the run's `-provider-timeout` bounding each call and its
/// `-parallelism` bounding how many calls run at once across all the providers.
pub(super) async fn start_providers_for(
    config: &Config,
    common: &Common,
) -> Result<Providers, Failure> {
    start_providers_bounded(config, common.provider_timeout, common.parallelism).await
}

async fn start_providers_bounded(
    config: &Config,
    timeout: Duration,
    parallelism: usize,
) -> Result<Providers, Failure> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let timeouts = providers::grpc::Timeouts::uniform(timeout);
    let mut providers = providers::start_with(config, &plugin_dirs(), &cwd, timeouts)
        .await
        .map_err(|diags| Failure::Diags(diags, config.sources.clone()))?;
    providers.limit_calls(parallelism);
    Ok(providers)
}

/// Shuts every provider process down.
pub(super) async fn close_providers(providers: &Providers) {
    for client in providers.clients.values() {
        client.close().await;
    }
}

/// A state error as a diagnostic, with Terraform's summaries.
pub(super) fn state_failure(err: StateError, summary: &str) -> Failure {
    let summary = match err {
        StateError::Locked { .. } => "Error acquiring the state lock",
        _ => summary,
    };
    Failure::error(summary, err.to_string())
}

/// The state store the working directory's configuration selects (its `backend` block; the
/// local `terraform.tfstate` without one), for commands that need no other part of it.
pub(super) fn store() -> Result<Box<dyn StateStore>, Failure> {
    store_for(&load_config()?)
}

/// The state store `config` selects.
pub(super) fn store_for(config: &Config) -> Result<Box<dyn StateStore>, Failure> {
    super::backend::open_store(config.backend.as_ref())
}

/// Takes the state lock for `operation` unless `-lock=false`.
pub(super) fn lock(
    store: &dyn StateStore,
    common: &Common,
    operation: &str,
) -> Result<Option<StateLock>, Failure> {
    if !common.lock {
        return Ok(None);
    }
    store
        .lock(operation, common.lock_timeout)
        .map(Some)
        .map_err(|e| state_failure(e, "Error acquiring the state lock"))
}

/// The stored state, or a new empty one.
pub(super) fn read_state(store: &dyn StateStore) -> Result<State, Failure> {
    state_or_empty(store.read())
}

/// A state as read, or a new empty one when there is none.
pub(super) fn state_or_empty(read: Result<Option<State>, StateError>) -> Result<State, Failure> {
    Ok(read
        .map_err(|e| state_failure(e, "Failed to load state"))?
        .unwrap_or_default())
}

/// Records every applied instance durably in the state store before the engine goes on.
pub(super) struct StoreRecorder<'a> {
    pub store: &'a dyn StateStore,
}

impl ApplyRecorder for StoreRecorder<'_> {
    fn record(&self, addr: &InstanceAddr, instance: Option<&InstanceState>) -> Result<(), String> {
        self.store
            .record(addr, instance)
            .map_err(|e| e.to_string())?;
        crate::crash_test_trigger::after_recorded_instance();
        Ok(())
    }

    fn record_deposed(&self, change: &DeposedChange) -> Result<(), String> {
        self.store.record_deposed(change).map_err(|e| e.to_string())
    }

    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), String> {
        self.store.record_move(from, to).map_err(|e| e.to_string())
    }
}

/// Watches for interrupts during an apply: the first flips the engine's cancel flag so
/// in-flight instances finish and are recorded; the second exits at once (every finished
/// instance is already durable).
pub(super) fn watch_interrupts(
    ui: &Ui,
) -> (
    tokio::sync::watch::Receiver<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (sender, receiver) = tokio::sync::watch::channel(false);
    let view = ui.view;
    let task = tokio::spawn(async move {
        let say = |text: &str| view.log(text);
        if interrupted().await {
            say(
                "\nInterrupt received.\nPlease wait for tenantform to exit or data loss may occur.\n\
                 Gracefully shutting down...\n",
            );
            let _ = sender.send(true);
            if interrupted().await {
                say(
                    "\nTwo interrupts received. Exiting immediately. Every completed change is \
                     already recorded in the state.\n",
                );
                std::process::exit(1);
            }
        }
    });
    (receiver, task)
}

/// Whether tenantform runs in automation (`TF_IN_AUTOMATION` set and not empty), where
/// Terraform leaves out the suggestions of what to run next.
pub(super) fn in_automation() -> bool {
    std::env::var_os("TF_IN_AUTOMATION").is_some_and(|v| !v.is_empty())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM; false if signals cannot be watched.
async fn interrupted() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return tokio::signal::ctrl_c().await.is_ok();
        };
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.is_ok(),
            _ = term.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

/// Asks for the literal answer `yes`; anything else (or end of input) is a no.
pub(super) fn confirm(ui: &Ui, question: &str, explanation: &str) -> bool {
    ui.out(&format!(
        "\n{}\n  {explanation}\n  Only 'yes' will be accepted to approve.\n\n  {}",
        ui.bold(question),
        ui.bold("Enter a value: ")
    ));
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    ui.out("\n");
    answer.trim() == "yes"
}

/// Diagnostics that carry the configuration sources for rendering.
pub(super) fn with_sources(diags: Diagnostics, config: &Config) -> Failure {
    Failure::Diags(diags, config.sources.clone())
}

#[cfg(test)]
mod tests;
