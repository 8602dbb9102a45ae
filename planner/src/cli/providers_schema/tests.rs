//! Tests of the provider schema JSON: Terraform's field names, flags only when set, and
//! `description_kind` on every attribute and block.

use serde_json::json;
use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
use tenantform_proto::value::Type;

use super::schemas_json;
use crate::test_support::{block, map_of_strings, nested, provider_with_resources};

fn sample() -> ProviderSchema {
    let contact = block(
        &[(
            "email",
            Attribute::required(Type::String).describe("Where to write."),
        )],
        &[],
    );
    let contacts = NestedBlock {
        max_items: 3,
        ..nested(Nesting::List, contact)
    };
    let tenant = Block {
        description: "A tenant.".into(),
        ..block(
            &[
                ("id", Attribute::computed(Type::String)),
                ("labels", Attribute::optional(map_of_strings())),
                ("secret", Attribute::computed(Type::String).sensitive()),
            ],
            &[("contact", contacts)],
        )
    };
    let schema = Schema {
        version: 2,
        block: tenant,
    };
    provider_with_resources(&[("tenant", schema)])
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
