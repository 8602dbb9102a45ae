//! `tenantform providers schema -json`: the schemas of the configuration's providers in
//! Terraform's JSON format (`format_version` 1.0), after starting the providers as `plan`
//! does.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use serde_json::{Map, Value as Json, json};
use tenantform_proto::schema::{Attribute, Block, Nesting, ProviderSchema, Schema};
use tenantform_proto::value::type_to_json;

use super::args::Flag;
use super::{CommandResult, Ui, common};

pub(super) static COMMAND: Command = Command {
    name: "providers schema",
    arguments: "-json",
    about: "  Prints out a json representation of the schemas for all providers used
  in the current configuration.",
    flags: &[
        Flag::bool(
            "json",
            "Prints out a json representation of the schemas (required).",
        ),
        flag_defs::NO_COLOR,
    ],
    refused: &["var", "var-file"],
};

/// `tenantform providers SUBCOMMAND`; only `schema` is available.
pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    match args.split_first() {
        Some((subcommand, rest)) if subcommand == "schema" => run_schema(ui, rest).await,
        Some((subcommand, _)) if matches!(subcommand.as_str(), "lock" | "mirror") => {
            ui.err(&format!(
                "Error: the \"providers {subcommand}\" command is not supported by tenantform\n"
            ));
            Ok(1)
        }
        _ => {
            Err(COMMAND
                .usage_error("The providers command only supports the \"schema\" subcommand."))
        }
    }
}

async fn run_schema(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    if !parsed.flag("json", false) {
        return Err(COMMAND
            .usage_error("The `tenantform providers schema` command requires the `-json` flag."));
    }
    COMMAND.check_at_most(&parsed, 0, "Expected no positional arguments.")?;
    let config = common::load_config()?;
    let providers = common::start_providers(&config).await?;
    common::close_providers(&providers).await;
    let schemas = providers
        .schemas
        .iter()
        .filter_map(|(local, schema)| Some((providers.sources.get(local)?.as_str(), &**schema)));
    ui.out(&format!("{}\n", schemas_json(schemas)));
    Ok(0)
}

/// The whole document for the given providers (by source address).
pub(super) fn schemas_json<'a>(
    providers: impl IntoIterator<Item = (&'a str, &'a ProviderSchema)>,
) -> Json {
    let provider_schemas: Map<String, Json> = providers
        .into_iter()
        .map(|(source, schema)| (source.to_string(), provider_json(schema)))
        .collect();
    json!({"format_version": "1.0", "provider_schemas": provider_schemas})
}

fn provider_json(schema: &ProviderSchema) -> Json {
    let mut out = Map::new();
    out.insert("provider".into(), schema_json(&schema.provider));
    let by_name = |schemas: &std::collections::BTreeMap<String, Schema>| -> Json {
        Json::Object(
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), schema_json(schema)))
                .collect(),
        )
    };
    if !schema.resources.is_empty() {
        out.insert("resource_schemas".into(), by_name(&schema.resources));
    }
    if !schema.data_sources.is_empty() {
        out.insert("data_source_schemas".into(), by_name(&schema.data_sources));
    }
    Json::Object(out)
}

fn schema_json(schema: &Schema) -> Json {
    json!({"version": schema.version, "block": block_json(&schema.block)})
}

fn block_json(block: &Block) -> Json {
    let mut out = Map::new();
    if !block.attributes.is_empty() {
        let attributes: Map<String, Json> = block
            .attributes
            .iter()
            .map(|(name, attribute)| (name.clone(), attribute_json(attribute)))
            .collect();
        out.insert("attributes".into(), Json::Object(attributes));
    }
    if !block.block_types.is_empty() {
        let block_types: Map<String, Json> = block
            .block_types
            .iter()
            .map(|(name, nested)| {
                let mut entry = Map::new();
                entry.insert("nesting_mode".into(), nesting_name(nested.nesting).into());
                entry.insert("block".into(), block_json(&nested.block));
                if nested.min_items > 0 {
                    entry.insert("min_items".into(), nested.min_items.into());
                }
                if nested.max_items > 0 {
                    entry.insert("max_items".into(), nested.max_items.into());
                }
                (name.clone(), Json::Object(entry))
            })
            .collect();
        out.insert("block_types".into(), Json::Object(block_types));
    }
    describe(&mut out, &block.description, block.deprecated);
    Json::Object(out)
}

fn attribute_json(attribute: &Attribute) -> Json {
    let mut out = Map::new();
    out.insert("type".into(), type_to_json(&attribute.ty));
    describe(&mut out, &attribute.description, attribute.deprecated);
    for (flag, set) in [
        ("required", attribute.required),
        ("optional", attribute.optional),
        ("computed", attribute.computed),
        ("sensitive", attribute.sensitive),
    ] {
        if set {
            out.insert(flag.into(), true.into());
        }
    }
    Json::Object(out)
}

/// `description` (when any), `description_kind` (always `plain`) and `deprecated` (when set).
fn describe(out: &mut Map<String, Json>, description: &str, deprecated: bool) {
    if !description.is_empty() {
        out.insert("description".into(), description.into());
    }
    out.insert("description_kind".into(), "plain".into());
    if deprecated {
        out.insert("deprecated".into(), true.into());
    }
}

fn nesting_name(nesting: Nesting) -> &'static str {
    match nesting {
        Nesting::Single => "single",
        Nesting::List => "list",
        Nesting::Set => "set",
        Nesting::Map => "map",
        Nesting::Group => "group",
    }
}

#[cfg(test)]
mod tests;
