//! Tests of the JSON plan's `configuration`.

use std::sync::Arc;

use super::*;
use crate::test_support::{block, nested};
use tenantform_proto::schema::{Attribute, Nesting, Schema};
use tenantform_proto::value::Type;

const MAIN: &str = r#"
provider "fake" {
  endpoint = "${var.endpoint}/api"
}

variable "endpoint" {
  type        = string
  default     = "x"
  description = "Where"
  sensitive   = true
}

variable "sizes" {
  type = list(number)
}

resource "fake_thing" "a" {
  count    = 2
  provider = fake
  name     = "a-${count.index}"
  tag {
    key = var.endpoint
  }
  tag {
    key = "b"
  }
  dynamic "tag" {
    for_each = var.sizes
    content {
      key = tag.value
    }
  }
  depends_on = [fake_thing.b]
}

resource "fake_thing" "b" {
  name = upper("b")
}

data "fake_lookup" "l" {
  name = fake_thing.a[0].name
}

output "name" {
  value       = fake_thing.b.name
  description = "The name"
  sensitive   = true
  depends_on  = [data.fake_lookup.l]
}
"#;

fn schemas() -> Schemas {
    let thing = block(
        &[("name", Attribute::required(Type::String))],
        &[(
            "tag",
            nested(
                Nesting::List,
                block(&[("key", Attribute::required(Type::String))], &[]),
            ),
        )],
    );
    let lookup = block(&[("name", Attribute::required(Type::String))], &[]);
    let provider = ProviderSchema {
        provider: Schema {
            version: 0,
            block: block(&[("endpoint", Attribute::optional(Type::String))], &[]),
        },
        resources: BTreeMap::from([(
            "fake_thing".to_string(),
            Schema {
                version: 3,
                block: thing,
            },
        )]),
        data_sources: BTreeMap::from([(
            "fake_lookup".to_string(),
            Schema {
                version: 0,
                block: lookup,
            },
        )]),
    };
    BTreeMap::from([("fake".to_string(), Arc::new(provider))])
}

fn configuration() -> Json {
    let files = BTreeMap::from([("main.tf".to_string(), MAIN.to_string())]);
    let config = crate::config::load_sources(std::path::Path::new("."), files).expect("valid");
    configuration_json(&config, &schemas())
}

#[test]
fn providers_are_keyed_by_name() {
    let doc = configuration();
    assert_eq!(
        doc["provider_config"],
        json!({
            "fake": {"name": "fake", "full_name": "registry.terraform.io/hashicorp/fake",
                     "expressions": {"endpoint": {"references": ["var.endpoint"]}}}
        })
    );
}

#[test]
fn resources_have_their_expressions_by_schema() {
    let doc = configuration();
    let resources = doc["root_module"]["resources"].as_array().unwrap();
    let addresses: Vec<&str> = resources
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["fake_thing.a", "fake_thing.b", "data.fake_lookup.l"]
    );
    assert_eq!(
        resources[0],
        json!({
            "address": "fake_thing.a", "mode": "managed", "type": "fake_thing", "name": "a",
            "provider_config_key": "fake", "schema_version": 3,
            "count_expression": {"constant_value": 2},
            "expressions": {
                "name": {"references": ["count.index"]},
                // `dynamic` blocks are not in the schema, so they are left out.
                "tag": [{"key": {"references": ["var.endpoint"]}},
                        {"key": {"constant_value": "b"}}]
            },
            "depends_on": ["fake_thing.b"]
        })
    );
    assert_eq!(resources[1]["expressions"], json!({"name": {}}));
    assert_eq!(resources[2]["mode"], "data");
    assert_eq!(
        resources[2]["expressions"]["name"]["references"],
        json!(["fake_thing.a[0].name", "fake_thing.a[0]", "fake_thing.a"])
    );
}

#[test]
fn outputs_and_variables_carry_their_declarations() {
    let doc = configuration();
    assert_eq!(
        doc["root_module"]["outputs"]["name"],
        json!({
            "sensitive": true, "description": "The name",
            "expression": {"references": ["fake_thing.b.name", "fake_thing.b"]},
            "depends_on": ["data.fake_lookup.l"]
        })
    );
    assert_eq!(
        doc["root_module"]["variables"],
        json!({
            "endpoint": {"default": "x", "description": "Where", "sensitive": true},
            "sizes": {}
        })
    );
}
