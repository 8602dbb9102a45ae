//! Tests of the value types the gRPC client caches from a provider schema.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
use tenantform_proto::value::Type;

use super::ImpliedTypes;

fn schema_with_nested_block() -> Schema {
    let contact = Block {
        attributes: BTreeMap::from([
            ("email".to_string(), Attribute::required(Type::String)),
            ("kind".to_string(), Attribute::optional(Type::String)),
        ]),
        ..Block::default()
    };
    Schema {
        version: 1,
        block: Block {
            attributes: BTreeMap::from([
                ("id".to_string(), Attribute::computed(Type::String)),
                (
                    "labels".to_string(),
                    Attribute::optional(Type::Map(Box::new(Type::String))),
                ),
            ]),
            block_types: BTreeMap::from([(
                "contact".to_string(),
                NestedBlock {
                    nesting: Nesting::List,
                    block: contact,
                    min_items: 0,
                    max_items: 0,
                },
            )]),
            ..Block::default()
        },
    }
}

#[test]
fn cached_types_are_the_types_each_schema_implies() {
    let resource = schema_with_nested_block();
    let data_source = Schema {
        version: 0,
        block: Block {
            attributes: BTreeMap::from([("slug".to_string(), Attribute::required(Type::String))]),
            ..Block::default()
        },
    };
    let schema = ProviderSchema {
        provider: Schema::default(),
        resources: BTreeMap::from([("tenant".to_string(), resource.clone())]),
        data_sources: BTreeMap::from([("tenant".to_string(), data_source.clone())]),
    };
    let types = ImpliedTypes::of(&schema);
    assert_eq!(types.resources.len(), 1);
    assert_eq!(types.resources["tenant"], resource.block.implied_type());
    assert_eq!(
        types.data_sources["tenant"],
        data_source.block.implied_type()
    );
    let Type::Object(attributes) = &types.resources["tenant"] else {
        panic!("a resource's type is an object type");
    };
    assert_eq!(
        attributes.keys().collect::<Vec<_>>(),
        ["contact", "id", "labels"]
    );
    assert!(matches!(attributes["contact"], Type::List(_)));
}
