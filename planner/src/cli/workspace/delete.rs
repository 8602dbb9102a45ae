//! `tenantform workspace delete [-force] [-lock] [-lock-timeout] NAME`: deletes a workspace
//! and its state. As Terraform, refuses the current and the `default` workspace, and a
//! workspace still tracking resource instances unless `-force`.

use super::{backend, current, messages};
use crate::cli::commands::Command;
use crate::cli::common::{self, Common};
use crate::cli::{CommandResult, Failure, Ui, flag_defs};
use crate::state::{DEFAULT_WORKSPACE, State};

pub(super) static COMMAND: Command = Command::new(
    "workspace delete",
    "[OPTIONS] NAME",
    "  Delete a tenantform workspace",
    &[
        flag_defs::FORCE_WORKSPACE_DELETE,
        flag_defs::LOCK,
        flag_defs::LOCK_TIMEOUT,
        flag_defs::NO_COLOR,
    ],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let Some((parsed, name)) = super::name_argument(ui, &COMMAND, args)? else {
        return Ok(1);
    };
    let name = &name;
    if name.is_empty() {
        ui.err(&messages::error(
            ui,
            "Expected a workspace name as an argument, instead got an empty string: \"\"\n\n",
        ));
        ui.out(&COMMAND.usage());
        return Ok(1);
    }
    let common = Common::from(&parsed, &COMMAND)?;
    let configured = backend::configured()?;
    if !backend::list(&configured, "Failed to list the workspaces")?.contains(name) {
        ui.err(&messages::error(ui, &messages::does_not_exist(name)));
        return Ok(1);
    }
    let current = current::current().map_err(|_| {
        Failure::error(
            "Error selecting workspace",
            format!(
                "Invalid workspace name set using {}",
                current::WORKSPACE_VARIABLE
            ),
        )
    })?;
    if *name == current {
        ui.err(&messages::error(ui, &messages::deleting_current(name)));
        return Ok(1);
    }
    if name == DEFAULT_WORKSPACE {
        ui.err(&messages::error(ui, "Cannot delete the default workspace"));
        return Ok(1);
    }
    let tracked = {
        let store = configured.store(name)?;
        let _lock = common::lock(store.as_ref(), &common, "state-replace-provider")?;
        let state = store
            .read()
            .map_err(|err| common::state_failure(err, "Failed to load state"))?;
        tracked_objects(&state.unwrap_or_default())
    };
    let force = parsed.flag("force", false);
    if !tracked.is_empty() && !force {
        return Err(not_empty(name, &tracked));
    }
    backend::delete(&configured, name)?;
    ui.out(&messages::deleted(ui, name));
    if !tracked.is_empty() {
        ui.out(&messages::was_not_empty(ui, name));
    }
    Ok(0)
}

/// The managed resource instance objects a state tracks, as Terraform lists them.
fn tracked_objects(state: &State) -> Vec<String> {
    let managed = |addr: &crate::addrs::InstanceAddr| {
        addr.resource.mode == crate::addrs::ResourceMode::Managed
    };
    let current = state
        .instances
        .keys()
        .filter(|addr| managed(addr))
        .map(std::string::ToString::to_string);
    let deposed = state
        .deposed
        .keys()
        .filter(|(addr, _)| managed(addr))
        .map(|(addr, key)| format!("{addr} (deposed object {key})"));
    current.chain(deposed).collect()
}

fn not_empty(name: &str, tracked: &[String]) -> Failure {
    let list: String = tracked.iter().map(|addr| format!("\n  - {addr}")).collect();
    Failure::error(
        "Workspace is not empty",
        format!(
            "Workspace {} is currently tracking the following resource instances:{list}\n\n\
             Deleting this workspace would cause tenantform to lose track of any associated \
             remote objects, which would then require you to delete them manually outside of \
             tenantform. You should destroy these objects with tenantform before deleting the \
             workspace.\n\nIf you want to delete this workspace anyway, and have tenantform \
             forget about these managed objects, use the -force option to disable this safety \
             check.",
            messages::quoted(name)
        ),
    )
}
