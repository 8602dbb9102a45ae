//! `tenantform state show [-state=PATH] ADDRESS`: one resource instance of the state in
//! Terraform's notation, using the provider schema (when the configuration's providers
//! start) to render nested blocks as blocks.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::path::Path;
use std::sync::Arc;

use tenantform_proto::schema::ProviderSchema;

use super::render::render_instance;
use super::{CommandResult, Failure, Ui, common, read_existing, store_for};
use crate::addrs::{InstanceAddr, ResourceMode};
use crate::config;

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
    let schemas = provider_schemas().await;
    let schema = schemas
        .iter()
        .find(|(source, _)| *source == instance.provider)
        .and_then(|(_, schema)| match addr.resource.mode {
            ResourceMode::Managed => schema.resources.get(&addr.resource.type_name),
            ResourceMode::Data => schema.data_sources.get(&addr.resource.type_name),
        })
        .map(|schema| &schema.block);
    ui.out(&render_instance(&addr, instance, schema));
    Ok(0)
}

/// The schemas of the working directory's providers by source address; empty when the
/// configuration does not load or its providers do not start.
async fn provider_schemas() -> Vec<(String, Arc<ProviderSchema>)> {
    let Ok(config) = config::load_dir(Path::new(".")) else {
        return Vec::new();
    };
    let Ok(providers) = common::start_providers(&config).await else {
        return Vec::new();
    };
    common::close_providers(&providers).await;
    providers
        .schemas
        .iter()
        .filter_map(|(local, schema)| {
            let source = providers.sources.get(local)?;
            Some((source.clone(), schema.clone()))
        })
        .collect()
}
