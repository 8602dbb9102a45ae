use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Nesting};
use tenantform_proto::value::{Type, Value};

use super::*;
use crate::test_support::{block, map_of_strings, nested};

fn schema() -> Block {
    let contact = crate::providers::attribute_block(&[
        ("pin", Attribute::optional(Type::String).sensitive()),
        ("name", Attribute::required(Type::String)),
        ("kind", Attribute::optional(Type::String)),
    ]);
    block(
        &[
            ("password", Attribute::optional(Type::String).sensitive()),
            ("id", Attribute::computed(Type::String)),
            ("slug", Attribute::required(Type::String)),
            ("tier", Attribute::optional_computed(Type::String)),
            ("labels", Attribute::optional(map_of_strings())),
        ],
        &[("contact", nested(Nesting::List, contact))],
    )
}

fn object(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn state(slug: &str, tier: Value) -> Value {
    object(&[
        ("id", Value::string("0f1e")),
        ("slug", Value::string(slug)),
        ("tier", tier),
        ("labels", Value::Null),
        ("password", Value::string("hunter2")),
        (
            "contact",
            Value::List(vec![object(&[
                ("name", Value::string("Jo")),
                ("kind", Value::string("")),
                ("pin", Value::string("4242")),
            ])]),
        ),
    ])
}

#[test]
fn read_only_attributes_and_empty_optional_strings_are_left_out() {
    let config = config_from_state(&schema(), &state("acme", Value::string("gold")));
    assert_eq!(config.get_attr("id"), Some(&Value::Null));
    assert_eq!(config.get_attr("slug"), Some(&Value::string("acme")));
    let Some(Value::List(contacts)) = config.get_attr("contact") else {
        panic!("contact block kept: {config:?}");
    };
    assert_eq!(contacts[0].get_attr("kind"), Some(&Value::Null));
    let written = as_written(&schema(), &config);
    assert_eq!(written.get_attr("password"), Some(&Value::Null));
}

#[test]
fn a_resource_block_is_written_as_terraform_writes_it() {
    let block = schema();
    let config = config_from_state(&block, &state("acme", Value::Null));
    let text = resource_block(&ResourceAddr::managed("tenant", "acme"), &block, &config);
    assert_eq!(
        text,
        "resource \"tenant\" \"acme\" {\n  labels   = null\n  password = null # sensitive\n  \
         slug     = \"acme\"\n  contact {\n    kind = null\n    name = \"Jo\"\n    pin  = null # \
         sensitive\n  }\n}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("4242"),
        "secrets are never written"
    );
}

#[test]
fn a_for_each_import_gets_one_resource_reading_a_locals_map() {
    let block = schema();
    let configs = BTreeMap::from([
        (
            "acme".to_string(),
            config_from_state(&block, &state("acme", Value::string("gold"))),
        ),
        (
            "beta co".to_string(),
            config_from_state(&block, &state("beta", Value::Null)),
        ),
    ]);
    let text = for_each_blocks(&ResourceAddr::managed("tenant", "this"), &block, &configs);
    assert!(text.starts_with("locals {\n  tenant_this_import = {\n    \"acme\" = {\n"));
    assert!(text.contains("    \"beta co\" = {\n"), "{text}");
    // A computed attribute one object sets is null for the others.
    assert!(text.contains("      tier   = null\n"), "{text}");
    assert!(
        text.contains("  for_each = local.tenant_this_import\n"),
        "{text}"
    );
    assert!(text.contains("  password = null # sensitive\n"), "{text}");
    assert!(text.contains("  tier     = each.value.tier\n"), "{text}");
    assert!(text.contains("  dynamic \"contact\" {\n    for_each = each.value.contact\n"));
    assert!(text.contains("      name = contact.value.name\n"), "{text}");
    assert!(!text.contains("hunter2"), "secrets are never written");
    assert!(!text.contains("4242"), "nested secrets are never written");
    assert!(text.contains("      pin  = null # sensitive\n"), "{text}");
}

#[test]
fn strings_are_quoted_without_interpolation() {
    assert_eq!(hcl_string("a\"b${c}%{d}\n"), "\"a\\\"b$${c}%%{d}\\n\"");
    assert_eq!(
        hcl_value(&Value::Map(BTreeMap::from([
            ("env".to_string(), Value::string("prod")),
            ("cost center".to_string(), Value::string("1")),
        ]))),
        "{\n\"cost center\" = \"1\"\nenv = \"prod\"\n}"
    );
}

#[test]
fn a_for_each_import_leaves_out_sensitive_read_only_attributes() {
    let block = block(
        &[
            ("name", Attribute::required(Type::String)),
            ("uri", Attribute::computed(Type::String).sensitive()),
        ],
        &[],
    );
    let state = object(&[
        ("name", Value::string("main")),
        ("uri", Value::string("postgresql://db/main")),
    ]);
    let configs = BTreeMap::from([("a".to_string(), config_from_state(&block, &state))]);
    let text = for_each_blocks(
        &ResourceAddr::managed("tenant_database", "this"),
        &block,
        &configs,
    );
    assert!(text.contains("  name     = each.value.name\n"), "{text}");
    assert!(
        !text.contains("uri"),
        "a read-only attribute is not configurable: {text}"
    );
}
