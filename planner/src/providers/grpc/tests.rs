//! Tests of the value types the gRPC client caches from a provider schema.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Nesting, ProviderSchema, Schema};
use tenantform_proto::value::Type;

use super::ImpliedTypes;
use crate::test_support::{block, map_of_strings, nested};

fn schema_with_nested_block() -> Schema {
    let contact = crate::providers::attribute_block(&[
        ("email", Attribute::required(Type::String)),
        ("kind", Attribute::optional(Type::String)),
    ]);
    let resource = block(
        &[
            ("id", Attribute::computed(Type::String)),
            ("labels", Attribute::optional(map_of_strings())),
        ],
        &[("contact", nested(Nesting::List, contact))],
    );
    Schema {
        version: 1,
        block: resource,
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
