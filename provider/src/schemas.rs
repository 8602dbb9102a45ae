//! Declaring schemas: the blocks of resources, data sources and the provider, built from
//! their attributes by name.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Schema};

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
