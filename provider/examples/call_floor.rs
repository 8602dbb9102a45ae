//! Times the provider's own share of the plugin protocol: N tenants, each with a database,
//! created through `PlanResourceChange` and `ApplyResourceChange`, then read back through
//! `ReadResource`, on the embedded backend in a temporary folder, called in process (values
//! msgpack-encoded as on the wire, no gRPC transport). Prints the wall time per call.
//!
//! Usage: `cargo run --release -p terraform-provider-tenant --example call_floor [N]`
//! (default N: 1000).

use std::sync::Arc;
use std::time::Instant;

use tenantform_proto::dynamic::from_dynamic;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_server::Provider;
use tenantform_proto::value::{Number, Type, Value};
use terraform_provider_tenant::TenantProvider;
use terraform_provider_tenant::provider_config::{BackendKind, ProviderConfig, open_backend};
use tonic::Request;

#[path = "support/values.rs"]
mod values;

use values::{Failure, config, dynamic, value_types};

/// Plans and applies the create of `type_name` from `config`; returns the new state.
async fn create(
    provider: &TenantProvider,
    type_name: &str,
    ty: &Type,
    config: &Value,
) -> Result<Value, Failure> {
    let plan = provider
        .plan_resource_change(Request::new(wire::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dynamic(&Value::Null, ty)?,
            proposed_new_state: dynamic(config, ty)?,
            config: dynamic(config, ty)?,
            ..Default::default()
        }))
        .await?
        .into_inner();
    let applied = provider
        .apply_resource_change(Request::new(wire::apply_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dynamic(&Value::Null, ty)?,
            planned_state: plan.planned_state,
            config: dynamic(config, ty)?,
            planned_private: plan.planned_private,
            ..Default::default()
        }))
        .await?
        .into_inner();
    if !applied.diagnostics.is_empty() {
        return Err(format!("{type_name}: {:?}", applied.diagnostics).into());
    }
    let state = applied.new_state.ok_or("no new state")?;
    Ok(from_dynamic(&state, ty)?)
}

async fn read(
    provider: &TenantProvider,
    type_name: &str,
    ty: &Type,
    state: &Value,
) -> Result<(), Failure> {
    let response = provider
        .read_resource(Request::new(wire::read_resource::Request {
            type_name: type_name.into(),
            current_state: dynamic(state, ty)?,
            ..Default::default()
        }))
        .await?
        .into_inner();
    if response.diagnostics.is_empty() {
        Ok(())
    } else {
        Err(format!("{type_name}: {:?}", response.diagnostics).into())
    }
}

fn report(what: &str, calls: usize, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    let per_call = seconds * 1e6 / calls as f64;
    println!("{what}: {calls} calls in {seconds:.2} s, {per_call:.0} µs per call");
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let count: usize = std::env::args().nth(1).map_or(Ok(1000), |n| n.parse())?;
    let dir = tempfile::tempdir()?;
    let backend = open_backend(&ProviderConfig {
        backend: BackendKind::Embedded,
        path: dir.path().to_path_buf(),
        dsn: None,
        archive_dir: None,
        storage_root: None,
    })
    .map_err(|diagnostic| format!("{diagnostic:?}"))?;
    let provider = Arc::new(TenantProvider::with_backend(backend));
    let types = value_types();
    let tenant_type = types.get("tenant").ok_or("no tenant type")?;
    let database_type = types.get("tenant_database").ok_or("no database type")?;

    let started = Instant::now();
    let mut tenants = Vec::with_capacity(count);
    for index in 0..count {
        let slug = Value::string(format!("tenant-{index:05}"));
        let tenant = config(
            tenant_type,
            &[("slug", slug), ("display_name", Value::string("Tenant"))],
        );
        tenants.push(create(&provider, "tenant", tenant_type, &tenant).await?);
    }
    report("tenant plan+apply", count, started);

    let started = Instant::now();
    let mut databases = Vec::with_capacity(count);
    for tenant in &tenants {
        let Value::Object(attributes) = tenant else {
            return Err("tenant state is not an object".into());
        };
        let id = attributes.get("id").cloned().unwrap_or(Value::Null);
        let database = config(
            database_type,
            &[
                ("tenant_id", id),
                ("name", Value::string("main")),
                ("connection_limit", Value::Number(Number::from_i64(20))),
            ],
        );
        databases.push(create(&provider, "tenant_database", database_type, &database).await?);
    }
    report("tenant_database plan+apply", count, started);

    let started = Instant::now();
    for tenant in &tenants {
        read(&provider, "tenant", tenant_type, tenant).await?;
    }
    report("tenant read", count, started);
    let started = Instant::now();
    for database in &databases {
        read(&provider, "tenant_database", database_type, database).await?;
    }
    report("tenant_database read", count, started);
    Ok(())
}
