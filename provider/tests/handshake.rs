//! Starts the real provider binary through the go-plugin handshake with mTLS and drives a
//! tenant through plan and apply over gRPC.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeMap;

use tenantform_proto::dynamic::{from_dynamic, to_dynamic};
use tenantform_proto::handshake::{LaunchOptions, launch};
use tenantform_proto::schema_wire::provider_schema_from_wire;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::value::Value;

#[tokio::test]
async fn the_binary_serves_the_protocol_over_mtls() {
    let dir = tempfile::tempdir().unwrap();
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-tenant"));
    let options = LaunchOptions {
        current_dir: Some(dir.path().to_path_buf()),
        ..LaunchOptions::default()
    };
    let plugin = launch(binary, options).await.expect("handshake");
    let mut client = plugin.provider_client();

    let schema_response = client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let schema = provider_schema_from_wire(&schema_response).unwrap();
    let provider_type = schema.provider.block.implied_type();
    let tenant_type = schema.resources["tenant"].block.implied_type();

    let null_config: BTreeMap<String, Value> =
        ["backend", "path", "dsn", "archive_dir", "storage_root"]
            .iter()
            .map(|name| (name.to_string(), Value::Null))
            .collect();
    let configured = client
        .configure_provider(wire::configure_provider::Request {
            config: Some(to_dynamic(&Value::Object(null_config), &provider_type).unwrap()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );

    let mut config: BTreeMap<String, Value> = schema.resources["tenant"]
        .block
        .attributes
        .keys()
        .map(|name| (name.clone(), Value::Null))
        .collect();
    config.insert("slug".into(), Value::string("acme"));
    config.insert("display_name".into(), Value::string("Acme"));
    config.insert("contact".into(), Value::List(Vec::new()));
    let config = to_dynamic(&Value::Object(config), &tenant_type).unwrap();
    let null = to_dynamic(&Value::Null, &tenant_type).unwrap();
    let planned = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: Some(null.clone()),
            proposed_new_state: Some(config.clone()),
            config: Some(config.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    let applied = client
        .apply_resource_change(wire::apply_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: Some(null),
            planned_state: planned.planned_state,
            config: Some(config),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = from_dynamic(applied.new_state.as_ref().unwrap(), &tenant_type).unwrap();
    assert_eq!(state.get_attr("region"), Some(&Value::string("eu-west-1")));
    assert!(dir.path().join(".tenants/catalog.db").is_file());
    plugin.shutdown().await.expect("clean shutdown");
}
