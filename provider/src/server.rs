//! The gRPC face of the provider: [`TenantProvider`] implements `tfplugin6.Provider`.
//!
//! Each call decodes its `DynamicValue`s with the schema's type, runs the resource logic (on
//! the blocking pool when it touches the backend, except an embedded backend's reads, which
//! are shorter than the hand-off) and encodes the answer. Every problem a user
//! can act on is returned as a diagnostic in the response; gRPC errors are reserved for RPCs
//! this provider does not implement.

mod generate_config;
mod responses;
mod state_upgrade;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tenantform_proto::dynamic::{from_optional_dynamic, path_to_wire, to_dynamic};
use tenantform_proto::schema::ProviderSchema;
use tenantform_proto::schema_wire::provider_schema_to_wire;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_server::Provider;
use tenantform_proto::value::{Type, Value};
use tonic::{Request, Response, Status};

use self::responses::{report, respond};
use crate::backend::Backend;
use crate::data_sources::{DataSource, all_data_sources};
use crate::provider_config;
use crate::resources::{ApplyInput, PlanInput, ResourceType, all_resource_types};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

type RpcResult<T> = Result<Response<T>, Status>;

/// One resource type with its value type, ready to decode and encode.
#[derive(Clone)]
struct RegisteredType {
    resource: Arc<dyn ResourceType>,
    value_type: Type,
}

/// One data source with its value type.
#[derive(Clone)]
struct RegisteredDataSource {
    source: Arc<dyn DataSource>,
    value_type: Type,
}

/// The `terraform-provider-tenant` provider service.
pub struct TenantProvider {
    resources: BTreeMap<&'static str, RegisteredType>,
    data_sources: BTreeMap<&'static str, RegisteredDataSource>,
    provider_type: Type,
    schema_response: wire::get_provider_schema::Response,
    backend: RwLock<Option<Arc<dyn Backend>>>,
}

impl Default for TenantProvider {
    fn default() -> Self {
        TenantProvider::new()
    }
}

fn server_capabilities() -> wire::ServerCapabilities {
    wire::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: false,
        generate_resource_config: true,
        ..Default::default()
    }
}

impl TenantProvider {
    pub fn new() -> TenantProvider {
        let mut schema = ProviderSchema {
            provider: provider_config::provider_schema(),
            ..ProviderSchema::default()
        };
        let mut resources = BTreeMap::new();
        for (name, resource) in all_resource_types() {
            let resource_schema = resource.schema();
            resources.insert(
                name,
                RegisteredType {
                    resource: Arc::from(resource),
                    value_type: resource_schema.block.implied_type(),
                },
            );
            schema.resources.insert(name.to_string(), resource_schema);
        }
        let mut data_sources = BTreeMap::new();
        for (name, source) in all_data_sources() {
            let source_schema = source.schema();
            data_sources.insert(
                name,
                RegisteredDataSource {
                    source: Arc::from(source),
                    value_type: source_schema.block.implied_type(),
                },
            );
            schema.data_sources.insert(name.to_string(), source_schema);
        }
        let mut schema_response = provider_schema_to_wire(&schema);
        schema_response.server_capabilities = Some(server_capabilities());
        TenantProvider {
            resources,
            data_sources,
            provider_type: schema.provider.block.implied_type(),
            schema_response,
            backend: RwLock::new(None),
        }
    }

    /// A provider already configured with `backend` (used by tests).
    pub fn with_backend(backend: Arc<dyn Backend>) -> TenantProvider {
        let provider = TenantProvider::new();
        *provider
            .backend
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(backend);
        provider
    }

    fn registered(&self, type_name: &str) -> Result<RegisteredType, Diagnostics> {
        self.resources.get(type_name).cloned().ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!(
                    "The provider has no resource type {type_name:?}; it manages {}.",
                    self.resources
                        .keys()
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .into()
        })
    }

    fn registered_data_source(&self, type_name: &str) -> Result<RegisteredDataSource, Diagnostics> {
        self.data_sources.get(type_name).cloned().ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source",
                format!(
                    "The provider has no data source {type_name:?}; it offers {}.",
                    self.data_sources
                        .keys()
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .into()
        })
    }

    fn configured_backend(&self) -> Option<Arc<dyn Backend>> {
        self.backend
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn backend(&self) -> Result<Arc<dyn Backend>, Diagnostics> {
        self.configured_backend().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "ConfigureProvider must be called before resources are read, applied or imported.",
            )
            .into()
        })
    }
}

fn decode(
    dynamic: Option<&wire::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    from_optional_dynamic(dynamic, ty).map_err(|error| {
        Diagnostic::error(
            format!("Invalid {what}"),
            format!("The {what} could not be decoded: {error}"),
        )
        .into()
    })
}

fn encode(value: &Value, ty: &Type, what: &str) -> Result<wire::DynamicValue, Diagnostics> {
    to_dynamic(value, ty).map_err(|error| {
        Diagnostic::error(
            "Provider produced an invalid value",
            format!("The {what} could not be encoded: {error}. This is a bug in the provider."),
        )
        .into()
    })
}

/// Runs a backend read where [`Backend::reads_inline`] says: on this worker (`inline`), or on
/// the blocking pool.
async fn read_work<T: Send + 'static>(
    inline: bool,
    work: impl FnOnce() -> Result<T, Diagnostics> + Send + 'static,
) -> Result<T, Diagnostics> {
    if inline { work() } else { blocking(work).await }
}

/// Runs backend work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Diagnostics> + Send + 'static,
) -> Result<T, Diagnostics> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|error| {
            Err(Diagnostic::error(
                "Internal provider error",
                format!("A provider task failed: {error}. This is a bug in the provider."),
            )
            .into())
        })
}

#[tonic::async_trait]
impl Provider for TenantProvider {
    async fn get_metadata(
        &self,
        _: Request<wire::get_metadata::Request>,
    ) -> RpcResult<wire::get_metadata::Response> {
        Ok(Response::new(wire::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            resources: self
                .resources
                .keys()
                .map(|name| wire::get_metadata::ResourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|name| wire::get_metadata::DataSourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<wire::get_provider_schema::Request>,
    ) -> RpcResult<wire::get_provider_schema::Response> {
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<wire::validate_provider_config::Request>,
    ) -> RpcResult<wire::validate_provider_config::Response> {
        let request = request.into_inner();
        let diagnostics = decode(
            request.config.as_ref(),
            &self.provider_type,
            "provider configuration",
        )
        .map(|config| provider_config::validate(&config))
        .unwrap_or_else(|diagnostics| diagnostics);
        report::<wire::validate_provider_config::Response>(&diagnostics)
    }

    async fn validate_resource_config(
        &self,
        request: Request<wire::validate_resource_config::Request>,
    ) -> RpcResult<wire::validate_resource_config::Response> {
        let request = request.into_inner();
        let diagnostics = self
            .registered(&request.type_name)
            .and_then(|registered| {
                let config = decode(
                    request.config.as_ref(),
                    &registered.value_type,
                    "resource configuration",
                )?;
                Ok(registered.resource.validate(&config))
            })
            .unwrap_or_else(|diagnostics| diagnostics);
        report::<wire::validate_resource_config::Response>(&diagnostics)
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<wire::validate_data_resource_config::Request>,
    ) -> RpcResult<wire::validate_data_resource_config::Response> {
        let request = request.into_inner();
        let diagnostics = self
            .registered_data_source(&request.type_name)
            .and_then(|registered| {
                let config = decode(
                    request.config.as_ref(),
                    &registered.value_type,
                    "data source configuration",
                )?;
                Ok(registered.source.validate(&config))
            })
            .unwrap_or_else(|diagnostics| diagnostics);
        report::<wire::validate_data_resource_config::Response>(&diagnostics)
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<wire::upgrade_resource_state::Request>,
    ) -> RpcResult<wire::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let result = self.registered(&request.type_name).and_then(|registered| {
            let upgraded = state_upgrade::upgrade(
                request.version,
                request.raw_state.as_ref(),
                &registered.value_type,
            )?;
            encode(&upgraded, &registered.value_type, "upgraded state")
        });
        respond(result.map(|state| wire::upgrade_resource_state::Response {
            upgraded_state: Some(state),
            diagnostics: Vec::new(),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<wire::configure_provider::Request>,
    ) -> RpcResult<wire::configure_provider::Response> {
        let request = request.into_inner();
        let config = decode(
            request.config.as_ref(),
            &self.provider_type,
            "provider configuration",
        );
        let opened = match config.and_then(|config| provider_config::parse(&config)) {
            Ok(config) => {
                blocking(move || provider_config::open_backend(&config).map_err(Diagnostics::from))
                    .await
            }
            Err(diagnostics) => Err(diagnostics),
        };
        let diagnostics = match opened {
            Ok(backend) => {
                *self
                    .backend
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(backend);
                tracing::debug!("provider configured");
                Diagnostics::new()
            }
            Err(diagnostics) => diagnostics,
        };
        report::<wire::configure_provider::Response>(&diagnostics)
    }

    async fn read_resource(
        &self,
        request: Request<wire::read_resource::Request>,
    ) -> RpcResult<wire::read_resource::Response> {
        let request = request.into_inner();
        let result = async {
            let registered = self.registered(&request.type_name)?;
            let state = decode(
                request.current_state.as_ref(),
                &registered.value_type,
                "current state",
            )?;
            if state.is_null() {
                return encode(&Value::Null, &registered.value_type, "new state");
            }
            let backend = self.backend()?;
            let resource = Arc::clone(&registered.resource);
            let inline = backend.reads_inline();
            let new_state =
                read_work(inline, move || resource.read(&state, backend.as_ref())).await?;
            encode(&new_state, &registered.value_type, "new state")
        }
        .await;
        Ok(Response::new(match result {
            Ok(new_state) => wire::read_resource::Response {
                new_state: Some(new_state),
                private: request.private,
                ..Default::default()
            },
            Err(diagnostics) => wire::read_resource::Response {
                new_state: request.current_state,
                private: request.private,
                diagnostics: diagnostics.to_wire(),
                ..Default::default()
            },
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<wire::plan_resource_change::Request>,
    ) -> RpcResult<wire::plan_resource_change::Response> {
        let request = request.into_inner();
        let result = async {
            let registered = self.registered(&request.type_name)?;
            let ty = &registered.value_type;
            let prior = decode(request.prior_state.as_ref(), ty, "prior state")?;
            let proposed = decode(
                request.proposed_new_state.as_ref(),
                ty,
                "proposed new state",
            )?;
            let config = decode(request.config.as_ref(), ty, "configuration")?;
            let backend = self.configured_backend();
            let inline = backend
                .as_ref()
                .is_none_or(|backend| backend.reads_inline());
            let resource = Arc::clone(&registered.resource);
            tracing::debug!(
                type_name = %request.type_name,
                creating = prior.is_null(),
                destroying = proposed.is_null(),
                "planning"
            );
            let output = read_work(inline, move || {
                let input = PlanInput {
                    prior: &prior,
                    proposed: &proposed,
                    config: &config,
                };
                Ok(resource.plan(input, backend.as_deref()))
            })
            .await?;
            let planned = encode(&output.planned, ty, "planned state")?;
            // Only a create carries private data of its own (its adoption candidate); any
            // other change keeps the prior object's.
            let planned_private = if output.planned_private.is_empty() {
                request.prior_private.clone()
            } else {
                output.planned_private.clone()
            };
            Ok(wire::plan_resource_change::Response {
                planned_state: Some(planned),
                requires_replace: output.requires_replace.iter().map(path_to_wire).collect(),
                planned_private,
                diagnostics: output.diagnostics.to_wire(),
                ..Default::default()
            })
        }
        .await;
        respond(result)
    }

    async fn apply_resource_change(
        &self,
        request: Request<wire::apply_resource_change::Request>,
    ) -> RpcResult<wire::apply_resource_change::Response> {
        let request = request.into_inner();
        let result = async {
            let registered = self.registered(&request.type_name)?;
            let ty = &registered.value_type;
            let prior = decode(request.prior_state.as_ref(), ty, "prior state")?;
            let planned = decode(request.planned_state.as_ref(), ty, "planned state")?;
            let config = decode(request.config.as_ref(), ty, "configuration")?;
            let backend = self.backend()?;
            let resource = Arc::clone(&registered.resource);
            let planned_private = request.planned_private.clone();
            tracing::debug!(
                type_name = %request.type_name,
                creating = prior.is_null(),
                destroying = planned.is_null(),
                "applying"
            );
            let output = blocking(move || {
                let input = ApplyInput {
                    prior: &prior,
                    planned: &planned,
                    config: &config,
                    planned_private: &planned_private,
                };
                Ok(resource.apply(input, backend.as_ref()))
            })
            .await?;
            let new_state = encode(&output.new_state, ty, "new state")?;
            Ok(wire::apply_resource_change::Response {
                new_state: Some(new_state),
                private: request.planned_private.clone(),
                diagnostics: output.diagnostics.to_wire(),
                ..Default::default()
            })
        }
        .await;
        Ok(Response::new(result.unwrap_or_else(
            |diagnostics: Diagnostics| wire::apply_resource_change::Response {
                new_state: request.prior_state,
                diagnostics: diagnostics.to_wire(),
                ..Default::default()
            },
        )))
    }

    async fn generate_resource_config(
        &self,
        request: Request<wire::generate_resource_config::Request>,
    ) -> RpcResult<wire::generate_resource_config::Response> {
        let request = request.into_inner();
        let result = self.registered(&request.type_name).and_then(|registered| {
            let state = decode(request.state.as_ref(), &registered.value_type, "state")?;
            let block = registered.resource.schema().block;
            let config = generate_config::config_from_state(&block, &state);
            encode(&config, &registered.value_type, "generated configuration")
        });
        respond(
            result.map(|config| wire::generate_resource_config::Response {
                config: Some(config),
                diagnostics: Vec::new(),
            }),
        )
    }

    async fn import_resource_state(
        &self,
        request: Request<wire::import_resource_state::Request>,
    ) -> RpcResult<wire::import_resource_state::Response> {
        let request = request.into_inner();
        let result = async {
            let registered = self.registered(&request.type_name)?;
            let backend = self.backend()?;
            let resource = Arc::clone(&registered.resource);
            let id = request.id.clone();
            let state = blocking(move || resource.import(&id, backend.as_ref())).await?;
            encode(&state, &registered.value_type, "imported state")
        }
        .await;
        respond(result.map(|state| wire::import_resource_state::Response {
            imported_resources: vec![wire::import_resource_state::ImportedResource {
                type_name: request.type_name,
                state: Some(state),
                ..Default::default()
            }],
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<wire::read_data_source::Request>,
    ) -> RpcResult<wire::read_data_source::Response> {
        let request = request.into_inner();
        let result = async {
            let registered = self.registered_data_source(&request.type_name)?;
            let ty = &registered.value_type;
            let config = decode(request.config.as_ref(), ty, "data source configuration")?;
            let backend = self.backend()?;
            let source = Arc::clone(&registered.source);
            let state = blocking(move || source.read(&config, backend.as_ref())).await?;
            encode(&state, ty, "data source state")
        }
        .await;
        respond(result.map(|state| wire::read_data_source::Response {
            state: Some(state),
            ..Default::default()
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<wire::stop_provider::Request>,
    ) -> RpcResult<wire::stop_provider::Response> {
        Ok(Response::new(wire::stop_provider::Response::default()))
    }
}

#[cfg(test)]
mod tests;
