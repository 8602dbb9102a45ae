//! Tests of the provider schema JSON: Terraform's field names, flags only when set, and
//! `description_kind` on every attribute and block.

use std::collections::BTreeMap;

use serde_json::json;
use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
use tenantform_proto::value::Type;

use super::schemas_json;

fn sample() -> ProviderSchema {
    let contact = Block {
        attributes: BTreeMap::from([(
            "email".to_string(),
            Attribute::required(Type::String).describe("Where to write."),
        )]),
        ..Block::default()
    };
    let tenant = Block {
        attributes: BTreeMap::from([
            ("id".to_string(), Attribute::computed(Type::String)),
            (
                "labels".to_string(),
                Attribute::optional(Type::Map(Box::new(Type::String))),
            ),
            (
                "secret".to_string(),
                Attribute::computed(Type::String).sensitive(),
            ),
        ]),
        block_types: BTreeMap::from([(
            "contact".to_string(),
            NestedBlock {
                nesting: Nesting::List,
                block: contact,
                min_items: 0,
                max_items: 3,
            },
        )]),
        description: "A tenant.".into(),
        deprecated: false,
    };
    ProviderSchema {
        provider: Schema::default(),
        resources: BTreeMap::from([(
            "tenant".to_string(),
            Schema {
                version: 2,
                block: tenant,
            },
        )]),
        data_sources: BTreeMap::new(),
    }
}

#[test]
fn schemas_are_rendered_in_terraforms_format() {
    let schema = sample();
    let doc = schemas_json([("registry.terraform.io/tenantform/tenant", &schema)]);
    assert_eq!(
        doc,
        json!({
            "format_version": "1.0",
            "provider_schemas": {
                "registry.terraform.io/tenantform/tenant": {
                    "provider": {"version": 0, "block": {"description_kind": "plain"}},
                    "resource_schemas": {
                        "tenant": {
                            "version": 2,
                            "block": {
                                "attributes": {
                                    "id": {"type": "string", "description_kind": "plain", "computed": true},
                                    "labels": {"type": ["map", "string"], "description_kind": "plain", "optional": true},
                                    "secret": {"type": "string", "description_kind": "plain", "computed": true, "sensitive": true}
                                },
                                "block_types": {
                                    "contact": {
                                        "nesting_mode": "list",
                                        "max_items": 3,
                                        "block": {
                                            "attributes": {
                                                "email": {"type": "string", "description": "Where to write.", "description_kind": "plain", "required": true}
                                            },
                                            "description_kind": "plain"
                                        }
                                    }
                                },
                                "description": "A tenant.",
                                "description_kind": "plain"
                            }
                        }
                    }
                }
            }
        })
    );
}
