//! The entry point of the `provider_request` fuzz target in `fuzz/` and of its regression
//! tests: arbitrary bytes are decoded as a plugin protocol request body and handed to the
//! provider the way the gRPC server hands it over. No input may panic.
//!
//! Only requests that need no backend are sent (validation, state upgrade, planning without
//! a configured backend); a provider configuration is decoded and parsed but no backend is
//! opened, so a run touches no file and no database.

use std::sync::OnceLock;

use prost::Message;
use tenantform_proto::dynamic::from_optional_dynamic;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_server::Provider;
use tonic::Request;

use crate::TenantProvider;
use crate::data_sources::all_data_sources;
use crate::provider_config;
use crate::resources::all_resource_types;

#[cfg(test)]
mod tests;

/// Decodes `data` as a request and serves it. The first byte chooses the call (validate
/// the provider configuration, parse it as `ConfigureProvider` would, validate a resource
/// or data source configuration, upgrade a resource state, plan a resource change, read a
/// null resource state); the second, when it is below the number of resource types (data
/// sources, for a data source call), replaces the request's type name with that type's; the
/// rest is the protobuf request body.
pub fn provider_request(data: &[u8]) {
    let [call, type_choice, body @ ..] = data else {
        return;
    };
    block_on(serve(*call, usize::from(*type_choice), body));
}

/// The provider every input is served by, with its resource type and data source names.
struct Fixture {
    provider: TenantProvider,
    resource_names: Vec<&'static str>,
    data_source_names: Vec<&'static str>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        provider: TenantProvider::new(),
        resource_names: all_resource_types().keys().copied().collect(),
        data_source_names: all_data_sources().keys().copied().collect(),
    })
}

async fn serve(call: u8, type_choice: usize, body: &[u8]) {
    let Fixture {
        provider,
        resource_names,
        data_source_names,
    } = fixture();
    let resource_name = resource_names.get(type_choice).copied();
    let data_source_name = data_source_names.get(type_choice).copied();
    match call % 7 {
        0 => {
            if let Ok(request) = wire::validate_provider_config::Request::decode(body) {
                let _ = provider
                    .validate_provider_config(Request::new(request))
                    .await;
            }
        }
        1 => {
            if let Ok(request) = wire::configure_provider::Request::decode(body) {
                parse_provider_config(request.config.as_ref());
            }
        }
        2 => {
            if let Ok(mut request) = wire::validate_resource_config::Request::decode(body) {
                rename(&mut request.type_name, resource_name);
                let _ = provider
                    .validate_resource_config(Request::new(request))
                    .await;
            }
        }
        3 => {
            if let Ok(mut request) = wire::validate_data_resource_config::Request::decode(body) {
                rename(&mut request.type_name, data_source_name);
                let _ = provider
                    .validate_data_resource_config(Request::new(request))
                    .await;
            }
        }
        4 => {
            if let Ok(mut request) = wire::upgrade_resource_state::Request::decode(body) {
                rename(&mut request.type_name, resource_name);
                let _ = provider.upgrade_resource_state(Request::new(request)).await;
            }
        }
        5 => {
            if let Ok(mut request) = wire::plan_resource_change::Request::decode(body) {
                rename(&mut request.type_name, resource_name);
                let _ = provider.plan_resource_change(Request::new(request)).await;
            }
        }
        _ => {
            if let Ok(mut request) = wire::read_resource::Request::decode(body) {
                rename(&mut request.type_name, resource_name);
                let _ = provider.read_resource(Request::new(request)).await;
            }
        }
    }
}

fn rename(type_name: &mut String, chosen: Option<&str>) {
    if let Some(chosen) = chosen {
        *type_name = chosen.to_string();
    }
}

/// What `ConfigureProvider` does with its configuration before it opens a backend.
fn parse_provider_config(config: Option<&wire::DynamicValue>) {
    let ty = provider_config::provider_schema().block.implied_type();
    if let Ok(config) = from_optional_dynamic(config, &ty) {
        let _ = provider_config::validate(&config);
        let _ = provider_config::parse(&config);
    }
}

/// Runs `work` on a single-threaded runtime of this thread, built once.
fn block_on(work: impl std::future::Future<Output = ()>) {
    thread_local! {
        static RUNTIME: Option<tokio::runtime::Runtime> = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok();
    }
    RUNTIME.with(|runtime| {
        if let Some(runtime) = runtime {
            runtime.block_on(work);
        }
    });
}
