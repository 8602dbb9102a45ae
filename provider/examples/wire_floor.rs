//! Times the plugin protocol's floor for a no-op plan: the three calls `tenantform plan` and
//! Terraform make per resource instance (`ValidateResourceConfig`, `ReadResource`,
//! `PlanResourceChange`) against the real provider process, launched through the go-plugin
//! handshake (mTLS, Unix socket) on the embedded backend, with `-parallelism` calls in
//! flight on one thread, as the core runs them, and no evaluation around them. What a plan
//! costs beyond this is the core's own work.
//!
//! Usage: `cargo run --release -p terraform-provider-tenant --example wire_floor [N] [P]`
//! (default N: 1000 instances, P: 10 in flight). Uses the `terraform-provider-tenant` binary
//! of the same profile (build it first).

use std::path::PathBuf;
use std::time::Instant;

use futures_util::{StreamExt, stream};
use tenantform_proto::dynamic::from_dynamic;
use tenantform_proto::handshake::{LaunchOptions, launch};
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_client::ProviderClient;
use tenantform_proto::value::{Type, Value};
use terraform_provider_tenant::provider_config::provider_schema;
use tonic::transport::Channel;

#[path = "support/values.rs"]
mod values;

use values::{Failure, config, dynamic, value_types};

type Client = ProviderClient<Channel>;

/// The provider binary beside this example's directory (`target/PROFILE/examples/..`).
fn provider_binary() -> Result<PathBuf, Failure> {
    let example = std::env::current_exe()?;
    let profile_dir = example
        .parent()
        .and_then(|examples| examples.parent())
        .ok_or("cannot find the target directory")?;
    let binary = profile_dir.join("terraform-provider-tenant");
    if binary.exists() {
        Ok(binary)
    } else {
        Err(format!("{} is missing: build the provider first", binary.display()).into())
    }
}

async fn configure(client: &mut Client, dir: &std::path::Path) -> Result<(), Failure> {
    let ty = provider_schema().block.implied_type();
    let path = Value::string(dir.to_string_lossy().into_owned());
    let settings = config(
        &ty,
        &[("backend", Value::string("embedded")), ("path", path)],
    );
    let response = client
        .configure_provider(wire::configure_provider::Request {
            config: dynamic(&settings, &ty)?,
            ..Default::default()
        })
        .await?
        .into_inner();
    if response.diagnostics.is_empty() {
        Ok(())
    } else {
        Err(format!("configure: {:?}", response.diagnostics).into())
    }
}

/// Creates one tenant through plan and apply; returns its configuration and state.
async fn create(mut client: Client, ty: &Type, index: usize) -> Result<(Value, Value), Failure> {
    let settings = config(
        ty,
        &[
            ("slug", Value::string(format!("tenant-{index:05}"))),
            ("display_name", Value::string(format!("Tenant {index}"))),
        ],
    );
    let planned = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: dynamic(&Value::Null, ty)?,
            proposed_new_state: dynamic(&settings, ty)?,
            config: dynamic(&settings, ty)?,
            ..Default::default()
        })
        .await?
        .into_inner();
    let applied = client
        .apply_resource_change(wire::apply_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: dynamic(&Value::Null, ty)?,
            planned_state: planned.planned_state,
            config: dynamic(&settings, ty)?,
            planned_private: planned.planned_private,
            ..Default::default()
        })
        .await?
        .into_inner();
    let state = applied.new_state.ok_or("no new state")?;
    Ok((settings, from_dynamic(&state, ty)?))
}

/// The three calls of a no-op plan for one instance, each value encoded as the core does.
async fn plan_instance(
    mut client: Client,
    ty: &Type,
    settings: &Value,
    state: &Value,
) -> Result<(), Failure> {
    client
        .validate_resource_config(wire::validate_resource_config::Request {
            type_name: "tenant".into(),
            config: dynamic(settings, ty)?,
            ..Default::default()
        })
        .await?;
    let read = client
        .read_resource(wire::read_resource::Request {
            type_name: "tenant".into(),
            current_state: dynamic(state, ty)?,
            ..Default::default()
        })
        .await?
        .into_inner();
    let refreshed = from_dynamic(&read.new_state.ok_or("no new state")?, ty)?;
    let planned = client
        .plan_resource_change(wire::plan_resource_change::Request {
            type_name: "tenant".into(),
            prior_state: dynamic(&refreshed, ty)?,
            proposed_new_state: dynamic(&refreshed, ty)?,
            config: dynamic(settings, ty)?,
            prior_private: read.private,
            ..Default::default()
        })
        .await?
        .into_inner();
    from_dynamic(&planned.planned_state.ok_or("no planned state")?, ty)?;
    Ok(())
}

fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    let parallelism: usize = args.next().map_or(Ok(10), |n| n.parse())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(count, parallelism))
}

async fn run(count: usize, parallelism: usize) -> Result<(), Failure> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let plugin = launch(&provider_binary()?, LaunchOptions::default()).await?;
    let mut client = plugin.provider_client();
    client
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await?;
    configure(&mut client, dir.path()).await?;
    println!(
        "launch, handshake, schema and configure: {:.1} ms",
        ms(started)
    );

    let types = value_types();
    let ty = types.get("tenant").ok_or("no tenant type")?;
    let tenants: Vec<(Value, Value)> = stream::iter(0..count)
        .map(|index| create(client.clone(), ty, index))
        .buffer_unordered(parallelism)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;

    let started = Instant::now();
    let results: Vec<Result<(), Failure>> = stream::iter(&tenants)
        .map(|(settings, state)| plan_instance(client.clone(), ty, settings, state))
        .buffer_unordered(parallelism)
        .collect()
        .await;
    results.into_iter().collect::<Result<(), _>>()?;
    let total = ms(started);
    println!(
        "no-op plan calls: {count} instances x 3 calls in {total:.1} ms, {:.1} µs per instance",
        total * 1000.0 / count as f64
    );
    plugin.shutdown().await?;
    Ok(())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
