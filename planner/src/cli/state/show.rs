//! `tenantform state show [-state=PATH] ADDRESS`: one resource instance of the state as
//! `show` renders it, decoded and laid out with its provider's schema (the configuration's
//! providers are started for it, as Terraform loads them).

use crate::cli::commands::Command;
use crate::cli::flag_defs;

use super::super::output::{schema_of, stored_object_text, stored_schemas};
use super::{CommandResult, Failure, Ui, read_existing, store_for};
use crate::addrs::InstanceAddr;

pub(super) static COMMAND: Command = Command {
    name: "state show",
    arguments: "[options] ADDRESS",
    about: "  Shows the attributes of a resource in the tenantform state.

  This command shows the attributes of a single resource in the tenantform
  state. The address argument must be used to specify a single resource.
  You can view the list of available resources with \"tenantform state list\".",
    flags: &[flag_defs::STATE_PATH, flag_defs::NO_COLOR],
    refused: &["json"],
};

const NOT_FOUND: &str = "No instance found for the given address!

This command requires that the address references one specific instance.
To view the available instances, use \"tenantform state list\". Please modify
the address to reference a specific instance.
";

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let [address] = parsed.positional.as_slice() else {
        return Err(COMMAND.usage_error("Exactly one argument expected."));
    };
    let addr: InstanceAddr = address.parse().map_err(|_| {
        Failure::error(
            "Invalid address",
            "Resource specification must include a resource type and name.",
        )
    })?;
    let store = store_for(&parsed)?;
    let Some(state) = read_existing(store.as_ref())? else {
        return Err(super::no_state_failure());
    };
    let Some(instance) = state.get(&addr) else {
        ui.err(NOT_FOUND);
        return Ok(1);
    };
    let schemas = stored_schemas().await?;
    let block = schema_of(&schemas, &addr, &instance.provider).map(|schema| &schema.block);
    ui.out(&stored_object_text(&addr, instance, block));
    Ok(0)
}
