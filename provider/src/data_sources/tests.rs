//! Tests of the `tenant` and `tenants` data sources, directly on an embedded backend and
//! through the gRPC service with msgpack-encoded values, as on the wire.

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::dynamic::{from_dynamic, to_dynamic};
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_server::Provider;
use tenantform_proto::value::{Number, Type, Value};
use tonic::Request;

use super::*;
use crate::backend::embedded::{EmbeddedBackend, EmbeddedSettings};
use crate::backend::{Contact, TenantFilter, TenantRecord};
use crate::server::TenantProvider;
use crate::test_support::{answer, read_data_source};

fn backend(dir: &tempfile::TempDir) -> Arc<dyn Backend> {
    Arc::new(
        EmbeddedBackend::open(&EmbeddedSettings {
            path: dir.path().to_path_buf(),
            archive_dir: None,
            storage_root: None,
        })
        .unwrap(),
    )
}

fn tenant(slug: &str, tier: &str, region: &str, labels: &[(&str, &str)]) -> TenantRecord {
    TenantRecord {
        id: format!("id-{slug}"),
        slug: slug.to_string(),
        display_name: slug.to_uppercase(),
        tier: tier.to_string(),
        region: region.to_string(),
        labels: (!labels.is_empty()).then(|| {
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        }),
        status: "active".to_string(),
        deletion_protection: true,
        retention_days: 30,
        contacts: vec![Contact {
            name: "Ops".to_string(),
            email: "ops@example.com".to_string(),
            kind: None,
        }],
        created_at: "2024-01-01T00:00:00Z".to_string(),
    }
}

/// A backend holding three tenants, one of them deleted.
fn fleet(dir: &tempfile::TempDir) -> Arc<dyn Backend> {
    let backend = backend(dir);
    for record in [
        tenant(
            "acme",
            "enterprise",
            "eu-west-1",
            &[("team", "core"), ("env", "prod")],
        ),
        tenant("globex", "standard", "eu-west-1", &[("team", "core")]),
        tenant("initech", "enterprise", "us-east-1", &[("env", "prod")]),
        tenant("gone", "enterprise", "eu-west-1", &[]),
    ] {
        backend.tenants().create(&record).unwrap();
    }
    backend.tenants().delete("id-gone").unwrap();
    backend
}

/// A configuration object of `source` with the given arguments set, everything else null.
fn config(source: &dyn DataSource, arguments: &[(&str, Value)]) -> Value {
    let Type::Object(attributes) = source.schema().block.implied_type() else {
        panic!("not an object type");
    };
    let mut entries: BTreeMap<String, Value> = attributes
        .keys()
        .map(|name| (name.clone(), Value::Null))
        .collect();
    for (name, value) in arguments {
        entries.insert(name.to_string(), value.clone());
    }
    Value::Object(entries)
}

fn labels(pairs: &[(&str, &str)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::string(*v)))
            .collect(),
    )
}

fn slugs(state: &Value) -> Vec<String> {
    match state.get_attr("slugs") {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        other => panic!("slugs: {other:?}"),
    }
}

/// The first element of the list attribute `list` of `state` has the string `expected`.
fn assert_first_has(state: &Value, list: &str, expected: (&str, &str)) {
    let Some(Value::List(items)) = state.get_attr(list) else {
        panic!("{list}");
    };
    let (name, value) = expected;
    assert_eq!(items[0].get_attr(name), Some(&Value::string(value)));
}

/// The state conforms to the type of the data source's schema.
fn assert_fits_schema(source: &dyn DataSource, state: &Value) {
    to_dynamic(state, &source.schema().block.implied_type()).unwrap();
}

#[test]
fn tenant_reads_every_attribute_by_slug() {
    let dir = tempfile::tempdir().unwrap();
    let backend = fleet(&dir);
    let source = TenantDataSource;
    let state = source
        .read(
            &config(&source, &[("slug", Value::string("acme"))]),
            backend.as_ref(),
        )
        .unwrap();
    assert_eq!(state.get_attr("id"), Some(&Value::string("id-acme")));
    assert_eq!(state.get_attr("tier"), Some(&Value::string("enterprise")));
    assert_eq!(
        state.get_attr("retention_days"),
        Some(&Value::Number(Number::Int(30)))
    );
    assert_eq!(
        state.get_attr("labels"),
        Some(&labels(&[("env", "prod"), ("team", "core")]))
    );
    assert_first_has(&state, "contact", ("email", "ops@example.com"));
    assert_fits_schema(&source, &state);
}

#[test]
fn tenant_that_does_not_exist_is_an_error_on_slug() {
    let dir = tempfile::tempdir().unwrap();
    let backend = fleet(&dir);
    let source = TenantDataSource;
    for slug in ["nobody", "gone"] {
        let diags = source
            .read(
                &config(&source, &[("slug", Value::string(slug))]),
                backend.as_ref(),
            )
            .unwrap_err();
        assert_eq!(diags.0[0].summary, "Tenant not found");
        assert!(diags.0[0].attribute.is_some());
    }
    let diags = source.validate(&config(&source, &[("slug", Value::string("Not A Slug"))]));
    assert!(diags.has_errors());
    assert!(
        source
            .validate(&config(&source, &[("slug", Value::Unknown)]))
            .is_empty()
    );
}

#[test]
fn tenants_filters_by_tier_region_and_every_label() {
    let dir = tempfile::tempdir().unwrap();
    let backend = fleet(&dir);
    let source = TenantsDataSource;
    let read = |arguments: &[(&str, Value)]| {
        source
            .read(&config(&source, arguments), backend.as_ref())
            .unwrap()
    };
    assert_eq!(slugs(&read(&[])), ["acme", "globex", "initech"]);
    assert_eq!(
        slugs(&read(&[("tier", Value::string("enterprise"))])),
        ["acme", "initech"]
    );
    assert_eq!(
        slugs(&read(&[
            ("tier", Value::string("enterprise")),
            ("region", Value::string("eu-west-1")),
        ])),
        ["acme"]
    );
    assert_eq!(
        slugs(&read(&[("labels", labels(&[("team", "core")]))])),
        ["acme", "globex"]
    );
    assert_eq!(
        slugs(&read(&[(
            "labels",
            labels(&[("team", "core"), ("env", "prod")])
        )])),
        ["acme"]
    );
    assert!(slugs(&read(&[("labels", labels(&[("team", "other")]))])).is_empty());
    let state = read(&[("region", Value::string("us-east-1"))]);
    assert_eq!(
        state.get_attr("ids"),
        Some(&Value::List(vec![Value::string("id-initech")]))
    );
    assert_first_has(&state, "tenants", ("display_name", "INITECH"));
    assert_fits_schema(&source, &state);
}

#[test]
fn tenants_rejects_an_unknown_tier() {
    let source = TenantsDataSource;
    let diags = source.validate(&config(&source, &[("tier", Value::string("gold"))]));
    assert_eq!(diags.0[0].summary, "Invalid value for tier");
    assert!(source.validate(&config(&source, &[])).is_empty());
}

#[test]
fn backend_filter_matches_the_default_listing() {
    let dir = tempfile::tempdir().unwrap();
    let backend = fleet(&dir);
    let filter = TenantFilter {
        tier: Some("enterprise".into()),
        region: None,
        labels: BTreeMap::from([("env".to_string(), "prod".to_string())]),
    };
    let listed: Vec<String> = backend
        .tenants()
        .list(())
        .unwrap()
        .into_iter()
        .filter(|t| filter.matches(t))
        .map(|t| t.slug)
        .collect();
    let found: Vec<String> = backend
        .tenants()
        .find_matching(&filter)
        .unwrap()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    assert_eq!(found, listed);
    assert_eq!(found, ["acme", "initech"]);
}

#[tokio::test]
async fn data_sources_over_the_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let provider = TenantProvider::with_backend(fleet(&dir));
    let schema = answer(provider.get_provider_schema(Request::new(Default::default()))).await;
    assert!(schema.data_source_schemas.contains_key("tenant"));
    assert!(schema.data_source_schemas.contains_key("tenants"));
    let metadata = answer(provider.get_metadata(Request::new(Default::default()))).await;
    assert_eq!(metadata.data_sources.len(), 2);

    let source = TenantsDataSource;
    let ty = source.schema().block.implied_type();
    let value = config(&source, &[("tier", Value::string("enterprise"))]);
    let validated = answer(provider.validate_data_resource_config(Request::new(
        wire::validate_data_resource_config::Request {
            type_name: "tenants".into(),
            config: Some(to_dynamic(&value, &ty).unwrap()),
        },
    )))
    .await;
    assert!(validated.diagnostics.is_empty());
    let read = read_data_source(&provider, "tenants", Some(to_dynamic(&value, &ty).unwrap())).await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let state = from_dynamic(&read.state.unwrap(), &ty).unwrap();
    assert_eq!(slugs(&state), ["acme", "initech"]);

    let tenant_source = TenantDataSource;
    let tenant_ty = tenant_source.schema().block.implied_type();
    let missing = config(&tenant_source, &[("slug", Value::string("nobody"))]);
    let read = read_data_source(
        &provider,
        "tenant",
        Some(to_dynamic(&missing, &tenant_ty).unwrap()),
    )
    .await;
    assert_eq!(read.diagnostics[0].summary, "Tenant not found");

    let unknown = read_data_source(&provider, "tenant_nothing", None).await;
    assert_eq!(unknown.diagnostics[0].summary, "Unknown data source");
}

#[test]
fn schema_pattern_is_validated_and_refused_on_the_embedded_backend() {
    let source = TenantsDataSource;
    let invalid = config(
        &source,
        &[("schema_pattern", Value::string("^([a-z]+)_prod$"))],
    );
    let diagnostics = source.validate(&invalid);
    assert!(diagnostics.has_errors(), "{diagnostics:?}");
    assert!(format!("{diagnostics:?}").contains("named group `slug`"));
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let valid = config(
        &source,
        &[(
            "schema_pattern",
            Value::string("^(?P<slug>[a-z0-9]+)_prod$"),
        )],
    );
    assert!(!source.validate(&valid).has_errors());
    let refused = source.read(&valid, backend.as_ref()).unwrap_err();
    assert!(
        format!("{refused:?}").contains("embedded SQLite backend"),
        "{refused:?}"
    );
    // Without a pattern the candidate lists are empty.
    let plain = source
        .read(&config(&source, &[]), backend.as_ref())
        .unwrap();
    assert_eq!(plain.get_attr("candidates"), Some(&Value::List(Vec::new())));
    assert_eq!(
        plain.get_attr("candidate_roles"),
        Some(&Value::List(Vec::new()))
    );
}
