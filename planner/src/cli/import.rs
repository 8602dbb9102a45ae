//! `tenantform import [options] ADDR ID`: adopts an existing object into state at ADDR.

use super::common::{self, Common};
use super::{CommandResult, Failure, Ui};
use crate::addrs::InstanceAddr;
use crate::engine;
use crate::state::StateStore;

pub const USAGE: &str = "Usage: tenantform [global options] import [options] ADDR ID

  Import existing infrastructure into your tenantform state.

  ADDR is the address of the resource instance to import to (for example
  tenant.acme or tenant_user.admin[0]); ID is the provider's identifier of the
  existing object. The configuration must contain a resource block for ADDR.

Options:

  -input=false        Disable interactive input.
  -lock=false         Don't hold a state lock during the operation.
  -lock-timeout=0s    Duration to retry a state lock.
  -no-color           If specified, output won't contain any color.
  -var 'foo=bar'      Set a value for one of the input variables.
  -var-file=FILE      Load variable values from the given file.
";

pub async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = common::parse(args, &[], USAGE)?;
    let [addr_text, id] = parsed.positional.as_slice() else {
        return Err(Failure::Usage(
            "The import command expects two arguments: ADDR and ID.".into(),
            USAGE,
        ));
    };
    let common = Common::from(&parsed, USAGE)?;
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
    let providers = common::start_providers(&config).await?;
    ui.out(&format!(
        "{}: Importing from ID {id:?}...\n",
        ui.bold(&addr.to_string())
    ));
    let imported =
        engine::import_with_variables(&config, &state, &providers, &variables, &addr, id).await;
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
