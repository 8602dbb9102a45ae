//! `tenantform import [options] ADDR ID`: adopts an existing object into state at ADDR.

use super::commands::Command;
use super::common::{self, Common};
use super::flag_defs;
use super::{CommandResult, Failure, Ui};
use crate::addrs::InstanceAddr;
use crate::engine;
use crate::state::StateStore;

pub(super) static COMMAND: Command = Command {
    name: "import",
    arguments: "[options] ADDR ID",
    about: "  Import existing infrastructure into your tenantform state.

  ADDR is the address of the resource instance to import to (for example
  tenant.acme or tenant_user.admin[0]); ID is the provider's identifier of the
  existing object. The configuration must contain a resource block for ADDR.",
    flags: flag_defs::RUN_FLAGS,
    refused: &[
        "config",
        "state",
        "state-out",
        "backup",
        "ignore-remote-version",
        "compact-warnings",
        "target",
    ],
};

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let [addr_text, id] = parsed.positional.as_slice() else {
        return Err(COMMAND.usage_error("The import command expects two arguments: ADDR and ID."));
    };
    let common = Common::from(&parsed, &COMMAND)?;
    let addr: InstanceAddr = addr_text
        .parse()
        .map_err(|e| Failure::error("Invalid address", format!("{e}")))?;
    let config = common::load_config()?;
    let store = common::store_for(&config)?;
    let _lock = common::lock(&store, &common, "OperationTypeImport")?;
    let state = common::read_state(&store)?;
    if state.get(&addr).is_some() {
        return Err(Failure::error(
            "Resource already managed by tenantform",
            format!(
                "tenantform is already managing a remote object for {addr}. To import to this \
                 address you must first remove the existing object from the state."
            ),
        ));
    }
    let variables = common.resolve_variables(ui, &config)?;
    let workspace = super::workspace::current()?;
    let providers = common::start_providers_for(&config, &common).await?;
    ui.out(&format!(
        "{}: Importing from ID {id:?}...\n",
        ui.bold(&addr.to_string())
    ));
    let target = engine::ImportTarget { addr: &addr, id };
    let imported =
        engine::import_with_variables(&config, &state, &providers, &variables, target, &workspace)
            .await;
    common::close_providers(&providers).await;
    let new_state = imported.map_err(|diags| common::with_sources(diags, &config))?;
    store
        .write(&new_state)
        .map_err(|e| common::state_failure(e, "Failed to persist state"))?;
    ui.out(&format!(
        "{}: Import prepared!\n\n{}\n\nThe resources that were imported are shown above. These \
         resources are now in\nyour tenantform state and will henceforth be managed by tenantform.\n",
        ui.bold(&addr.to_string()),
        ui.green("Import successful!")
    ));
    Ok(0)
}
