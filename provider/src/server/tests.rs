//! Tests of the gRPC service in process: values travel msgpack-encoded as on the wire.

use std::collections::BTreeMap;

use tenantform_proto::dynamic::{from_dynamic, to_dynamic};
use tenantform_proto::tfplugin6::diagnostic::Severity as WireSeverity;

use super::*;
use crate::test_support::{answer, import_resource, read_data_source};

fn provider(dir: &tempfile::TempDir) -> TenantProvider {
    TenantProvider::with_backend(
        provider_config::open_backend(&provider_config::ProviderConfig {
            backend: provider_config::BackendKind::Embedded,
            path: dir.path().to_path_buf(),
            dsn: None,
            archive_dir: None,
            storage_root: None,
        })
        .unwrap(),
    )
}

fn tenant_type(provider: &TenantProvider) -> Type {
    provider.resources["tenant"].value_type.clone()
}

fn tenant_config(slug: &str) -> Value {
    let mut attributes: BTreeMap<String, Value> = [
        "id",
        "slug",
        "display_name",
        "tier",
        "region",
        "labels",
        "status",
        "deletion_protection",
        "retention_days",
        "created_at",
    ]
    .iter()
    .map(|name| (name.to_string(), Value::Null))
    .collect();
    attributes.insert("slug".into(), Value::string(slug));
    attributes.insert("display_name".into(), Value::string("Acme"));
    attributes.insert("contact".into(), Value::List(Vec::new()));
    Value::Object(attributes)
}

fn dynamic(value: &Value, ty: &Type) -> Option<wire::DynamicValue> {
    Some(to_dynamic(value, ty).unwrap())
}

async fn plan(
    provider: &TenantProvider,
    prior: &Value,
    config: &Value,
) -> wire::plan_resource_change::Response {
    let ty = tenant_type(provider);
    answer(
        provider.plan_resource_change(Request::new(wire::plan_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: dynamic(prior, &ty),
            proposed_new_state: dynamic(config, &ty),
            config: dynamic(config, &ty),
            ..Default::default()
        })),
    )
    .await
}

#[tokio::test]
async fn schema_declares_resources_and_capabilities() {
    let provider = TenantProvider::new();
    let schema =
        answer(provider.get_provider_schema(Request::new(wire::get_provider_schema::Request {})))
            .await;
    let capabilities = schema.server_capabilities.unwrap();
    assert!(capabilities.plan_destroy);
    assert!(!capabilities.get_provider_schema_optional);
    let mut names: Vec<_> = schema.resource_schemas.keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "tenant",
            "tenant_api_key",
            "tenant_database",
            "tenant_grant",
            "tenant_policy",
            "tenant_storage",
            "tenant_user"
        ]
    );
    let metadata =
        answer(provider.get_metadata(Request::new(wire::get_metadata::Request {}))).await;
    assert_eq!(metadata.resources.len(), 7);
}

#[tokio::test]
async fn create_read_and_protected_destroy_over_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let provider = provider(&dir);
    let ty = tenant_type(&provider);
    let planned = plan(&provider, &Value::Null, &tenant_config("acme")).await;
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    let applied = answer(provider.apply_resource_change(Request::new(
        wire::apply_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: dynamic(&Value::Null, &ty),
            planned_state: planned.planned_state.clone(),
            config: dynamic(&tenant_config("acme"), &ty),
            ..Default::default()
        },
    )))
    .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = from_dynamic(applied.new_state.as_ref().unwrap(), &ty).unwrap();
    assert!(state.is_wholly_known());

    let read = answer(
        provider.read_resource(Request::new(wire::read_resource::Request {
            type_name: "tenant".into(),
            current_state: applied.new_state.clone(),
            ..Default::default()
        })),
    )
    .await;
    assert_eq!(
        from_dynamic(read.new_state.as_ref().unwrap(), &ty).unwrap(),
        state
    );

    let destroy = plan(&provider, &state, &Value::Null).await;
    assert_eq!(destroy.diagnostics.len(), 1);
    assert_eq!(destroy.diagnostics[0].severity, WireSeverity::Error as i32);
    assert_eq!(
        destroy.diagnostics[0].summary,
        "Tenant \"acme\" is protected from deletion"
    );

    let imported = import_resource(&provider, "tenant", "acme").await;
    let imported_state =
        from_dynamic(imported.imported_resources[0].state.as_ref().unwrap(), &ty).unwrap();
    assert_eq!(imported_state, state);
}

#[tokio::test]
async fn problems_are_diagnostics_not_grpc_errors() {
    let provider = TenantProvider::new();
    let unknown = answer(provider.validate_resource_config(Request::new(
        wire::validate_resource_config::Request {
            type_name: "tenant_nope".into(),
            ..Default::default()
        },
    )))
    .await;
    assert_eq!(unknown.diagnostics[0].summary, "Unknown resource type");
    let data = read_data_source(&provider, "tenant_nope", None).await;
    assert_eq!(data.diagnostics[0].summary, "Unknown data source");
    let garbage = answer(provider.plan_resource_change(Request::new(
        wire::plan_resource_change::Request {
            type_name: "tenant".into(),
            config: Some(wire::DynamicValue {
                msgpack: vec![0xc1],
                json: Vec::new(),
            }),
            ..Default::default()
        },
    )))
    .await;
    assert!(garbage.diagnostics[0].summary.starts_with("Invalid"));
    let unconfigured = import_resource(&provider, "tenant", "x").await;
    assert_eq!(
        unconfigured.diagnostics[0].summary,
        "Provider not configured"
    );
    let identity = provider
        .get_resource_identity_schemas(Request::new(
            wire::get_resource_identity_schemas::Request {},
        ))
        .await;
    assert_eq!(identity.unwrap_err().code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn configure_refuses_postgres_and_upgrade_decodes_json() {
    let provider = TenantProvider::new();
    let config = Value::Object(
        ["backend", "path", "dsn", "archive_dir", "storage_root"]
            .iter()
            .map(|name| (name.to_string(), Value::Null))
            .chain([("backend".to_string(), Value::string("postgres"))])
            .collect(),
    );
    let configured = answer(provider.configure_provider(Request::new(
        wire::configure_provider::Request {
            config: dynamic(&config, &provider.provider_type),
            ..Default::default()
        },
    )))
    .await;
    // Without a dsn (here or in TENANT_DSN) the postgres backend cannot be opened.
    assert!(
        configured.diagnostics[0].summary.contains("postgres"),
        "{:?}",
        configured.diagnostics[0]
    );

    let upgraded = answer(provider.upgrade_resource_state(Request::new(
        wire::upgrade_resource_state::Request {
            type_name: "tenant_grant".into(),
            version: 0,
            raw_state: Some(wire::RawState {
                json:
                    br#"{"id":"g","user_id":"u","database_id":"d","privileges":["read"]}"#.to_vec(),
                ..Default::default()
            }),
        },
    )))
    .await;
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    let ty = provider.resources["tenant_grant"].value_type.clone();
    let state = from_dynamic(upgraded.upgraded_state.as_ref().unwrap(), &ty).unwrap();
    assert_eq!(
        state.get_attr("privileges"),
        Some(&Value::Set(vec![Value::string("read")]))
    );
}
