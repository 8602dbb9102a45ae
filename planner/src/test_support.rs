//! Builders the unit tests share: values (`s`, `n`, `obj`), schema blocks and provider
//! schemas, planned resource changes, stored instances with their addresses, and the
//! in-process fake provider set up as `fake`.

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
use tenantform_proto::value::{Number, Type, Value};

use crate::addrs::InstanceAddr;
use crate::lang::functions::Implementation;
use crate::plan::{Action, ResourceChange};
use crate::providers::Providers;
use crate::providers::attribute_block;
use crate::providers::fake::{FakeProvider, fake_schema};
use crate::state::InstanceState;

/// The source address of the provider the tests plan against.
pub(crate) const TENANT_PROVIDER: &str = "registry.terraform.io/tenantform/tenant";

/// A string value.
pub(crate) fn s(text: &str) -> Value {
    Value::string(text)
}

/// An integer number value.
pub(crate) fn n(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

/// An object value with these attributes.
pub(crate) fn obj(entries: &[(&str, Value)]) -> Value {
    Value::object_of(entries)
}

/// `map(string)`.
pub(crate) fn map_of_strings() -> Type {
    Type::Map(Box::new(Type::String))
}

/// A block with these attributes and nested block types.
pub(crate) fn block(attributes: &[(&str, Attribute)], nested: &[(&str, NestedBlock)]) -> Block {
    Block {
        block_types: nested
            .iter()
            .map(|(name, nested)| (name.to_string(), nested.clone()))
            .collect(),
        ..attribute_block(attributes)
    }
}

/// `block` nested with this nesting mode and no limits on its number.
pub(crate) fn nested(nesting: Nesting, block: Block) -> NestedBlock {
    NestedBlock {
        nesting,
        block,
        min_items: 0,
        max_items: 0,
    }
}

/// A provider schema with these managed resource types and nothing else.
pub(crate) fn provider_with_resources(resources: &[(&str, Schema)]) -> ProviderSchema {
    ProviderSchema {
        resources: resources
            .iter()
            .map(|(name, schema)| (name.to_string(), schema.clone()))
            .collect::<BTreeMap<_, _>>(),
        ..ProviderSchema::default()
    }
}

/// A change of the tenant provider's instance `addr` from `prior` to `planned`, whose
/// configuration is `planned`.
pub(crate) fn resource_change(
    addr: &str,
    action: Action,
    prior: Value,
    planned: Value,
) -> ResourceChange {
    ResourceChange {
        addr: addr.parse().unwrap(),
        previous_address: None,
        deposed: None,
        provider: TENANT_PROVIDER.into(),
        provider_local_name: "tenant".into(),
        action,
        action_reason: None,
        prior: prior.into(),
        planned: planned.clone().into(),
        config: planned,
        prior_private: vec![],
        planned_private: vec![],
        requires_replace: vec![],
        sensitive_paths: vec![],
        unknown_collections: vec![],
        dependencies: vec![],
        schema_version: 0,
        importing: None,
        generated_config: None,
    }
}

/// A resource instance address.
pub(crate) fn instance_addr(text: &str) -> InstanceAddr {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A stored object of the tenant provider with these attributes and no sensitive ones.
pub(crate) fn stored_instance(attributes: serde_json::Value) -> InstanceState {
    InstanceState {
        provider: TENANT_PROVIDER.into(),
        attributes: crate::state::StoredJson::from_json(&attributes),
        sensitive_attributes: crate::state::StoredJson::empty_array(),
        ..InstanceState::default()
    }
}

/// A stored object at schema version 1 whose `id` and `slug` are both `id`.
pub(crate) fn stored_tenant(id: &str) -> InstanceState {
    InstanceState {
        schema_version: 1,
        ..stored_instance(serde_json::json!({ "id": id, "slug": id }))
    }
}

/// The providers of a configuration that uses only the fake provider, as `fake`.
pub(crate) fn fake_providers(fake: Arc<FakeProvider>) -> Providers {
    let mut providers = Providers::default();
    providers.clients.insert("fake".into(), fake);
    providers
        .sources
        .insert("fake".into(), "registry.terraform.io/test/fake".into());
    providers
        .schemas
        .insert("fake".into(), Arc::new(fake_schema()));
    providers
}

/// Asserts that each function returns the string after its arrow for the string arguments
/// before it.
pub(crate) fn assert_string_results(cases: &[(Implementation, &[&str], &str)]) {
    for (function, args, expected) in cases {
        let args: Vec<Value> = args.iter().map(|a| s(a)).collect();
        assert_eq!(
            function(args.clone()),
            Ok(s(expected)),
            "arguments {args:?}"
        );
    }
}
