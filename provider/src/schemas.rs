//! Declaring schemas: the blocks of resources, data sources and the provider, built from
//! their attributes by name or read from Terraform's provider-schema JSON (the shape
//! `terraform providers schema -json` prints for one block).

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex, PoisonError};

use serde::Deserialize;
use serde_json::Value as Json;
use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use tenantform_proto::value::type_from_json;

/// Attributes keyed by their names.
pub fn named<const N: usize>(attributes: [(&str, Attribute); N]) -> BTreeMap<String, Attribute> {
    attributes
        .into_iter()
        .map(|(name, attribute)| (name.to_string(), attribute))
        .collect()
}

/// A version-0 schema of a block with `attributes`, described by `description`.
pub fn block_schema(description: &str, attributes: BTreeMap<String, Attribute>) -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes,
            description: description.to_string(),
            ..Block::default()
        },
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaJson {
    version: i64,
    block: BlockJson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockJson {
    #[serde(default)]
    attributes: BTreeMap<String, AttributeJson>,
    #[serde(default)]
    block_types: BTreeMap<String, NestedBlockJson>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    deprecated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributeJson {
    #[serde(rename = "type")]
    ty: Json,
    #[serde(default)]
    description: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    computed: bool,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    deprecated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NestedBlockJson {
    nesting_mode: String,
    block: BlockJson,
    #[serde(default)]
    min_items: i64,
    #[serde(default)]
    max_items: i64,
}

/// The schema that the provider-schema JSON `text` declares.
///
/// # Panics
/// When `text` is not such a schema; every schema file is parsed by a unit test.
/// Each text is parsed once per process: resources ask for their schema on every plan.
pub fn schema_from_json(text: &'static str) -> Schema {
    static PARSED: LazyLock<Mutex<HashMap<&'static str, Schema>>> = LazyLock::new(Mutex::default);
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    parsed
        .entry(text)
        .or_insert_with(|| parse_schema(text))
        .clone()
}

#[allow(
    clippy::panic,
    reason = "schema files are compiled in (`&'static str`); every one is parsed by the unit tests"
)]
fn parse_schema(text: &str) -> Schema {
    let parsed: SchemaJson = serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("a schema file is not provider-schema JSON: {error}"));
    Schema {
        version: parsed.version,
        block: block_from_json(parsed.block),
    }
}

fn block_from_json(block: BlockJson) -> Block {
    Block {
        attributes: block
            .attributes
            .into_iter()
            .map(|(name, attribute)| (name, attribute_from_json(attribute)))
            .collect(),
        block_types: block
            .block_types
            .into_iter()
            .map(|(name, nested)| (name, nested_block_from_json(nested)))
            .collect(),
        description: block.description,
        deprecated: block.deprecated,
    }
}

#[allow(
    clippy::panic,
    reason = "schema files are compiled in (`&'static str`); every one is parsed by the unit tests"
)]
fn attribute_from_json(attribute: AttributeJson) -> Attribute {
    Attribute {
        ty: type_from_json(&attribute.ty)
            .unwrap_or_else(|error| panic!("a schema attribute's type is invalid: {error}")),
        description: attribute.description,
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        deprecated: attribute.deprecated,
    }
}

#[allow(
    clippy::panic,
    reason = "schema files are compiled in (`&'static str`); every one is parsed by the unit tests"
)]
fn nested_block_from_json(nested: NestedBlockJson) -> NestedBlock {
    let nesting = match nested.nesting_mode.as_str() {
        "single" => Nesting::Single,
        "list" => Nesting::List,
        "set" => Nesting::Set,
        "map" => Nesting::Map,
        "group" => Nesting::Group,
        other => panic!("unknown nesting mode {other:?} in a schema"),
    };
    NestedBlock {
        nesting,
        block: block_from_json(nested.block),
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_block(block: &Block, path: &str) {
        assert!(!block.description.is_empty(), "{path} has no description");
        for (name, attribute) in &block.attributes {
            let (required, optional, computed) =
                (attribute.required, attribute.optional, attribute.computed);
            assert!(
                required ^ (optional || computed),
                "{path}.{name} must be required, optional or computed"
            );
            assert!(
                !attribute.description.is_empty(),
                "{path}.{name} has no description"
            );
        }
        for (name, nested) in &block.block_types {
            check_block(&nested.block, &format!("{path}.{name}"));
        }
    }

    #[test]
    fn every_schema_file_parses_into_described_attributes() {
        check_block(&crate::provider_config::provider_schema().block, "provider");
        for (name, resource) in crate::resources::all_resource_types() {
            let schema = resource.schema();
            assert_eq!(schema.version, 0, "{name}");
            assert!(!schema.block.attributes.is_empty(), "{name}");
            check_block(&schema.block, name);
        }
    }

    #[test]
    #[should_panic(expected = "not provider-schema JSON")]
    fn a_malformed_schema_file_is_refused() {
        schema_from_json(r#"{"version": 0, "block": {"attribute": {}}}"#);
    }
}
