//! `tenantform workspace new [-lock] [-lock-timeout] [-state=path] NAME`: creates a
//! workspace in the configured backend and selects it, optionally with a copy of an
//! existing state file, with Terraform's messages and exit codes.

use super::{backend, current, messages};
use crate::cli::commands::Command;
use crate::cli::common::{self, Common};
use crate::cli::{CommandResult, Failure, Ui, flag_defs};

pub(super) static COMMAND: Command = Command::new(
    "workspace new",
    "[OPTIONS] NAME",
    "  Create a new tenantform workspace.",
    &[
        flag_defs::LOCK,
        flag_defs::LOCK_TIMEOUT,
        flag_defs::WORKSPACE_STATE,
        flag_defs::NO_COLOR,
    ],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let Some((parsed, name)) = super::name_argument(ui, &COMMAND, args)? else {
        return Ok(1);
    };
    let name = &name;
    if !current::is_valid_name(name) {
        ui.err(&messages::error(ui, &messages::invalid_name(name)));
        return Ok(1);
    }
    let selected = current::selected();
    if selected.overridden && selected.name != *name {
        ui.err(&messages::error(ui, messages::OVERRIDDEN_NEW_ERROR));
        return Ok(1);
    }
    let common = Common::from(&parsed, &COMMAND)?;
    let configured = backend::configured()?;
    if backend::list(&configured, "Failed to get configured named states")?.contains(name) {
        ui.err(&messages::error(ui, &messages::exists(name)));
        return Ok(1);
    }
    backend::create(&configured, name)?;
    if let Err(err) = current::save(name) {
        ui.err(&format!("Error selecting new workspace: {err}\n"));
        return Ok(1);
    }
    ui.out(&messages::created(ui, name));
    match parsed.last("state").filter(|path| !path.is_empty()) {
        Some(path) => copy_state(&configured, name, path, &common),
        None => Ok(0),
    }
}

/// `-state=path`: the new workspace's state becomes a copy of the file's.
fn copy_state(
    configured: &crate::cli::backend::SelectedBackend,
    name: &str,
    path: &str,
    common: &Common,
) -> CommandResult {
    let store = configured.store(name)?;
    let _lock = common::lock(store.as_ref(), common, "workspace-new")?;
    let bytes = std::fs::read(path).map_err(|err| {
        Failure::error(
            "Failed to read the state file",
            format!("open {path}: {err}"),
        )
    })?;
    let state = crate::state::format_v4::parse(&bytes, path)
        .map_err(|err| common::state_failure(err, "Failed to read the state file"))?
        .unwrap_or_default();
    store
        .replace(&state)
        .map_err(|err| common::state_failure(err, "Failed to write the state"))?;
    Ok(0)
}
