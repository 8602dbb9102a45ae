//! [`ProviderClient`] over the plugin protocol v6, for a launched plugin process.
//!
//! Values are converted with the types the provider's own schema implies. Every call has a
//! finite deadline (`-provider-timeout`, 20 minutes by default) so that a hung provider fails
//! the operation instead of hanging it (after one call got no answer, later calls fail at
//! once); a provider process that died is reported as such,
//! with the last lines it wrote to stderr.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tenantform_proto::dynamic::{from_optional_dynamic, path_from_wire, to_dynamic};
use tenantform_proto::handshake::PluginProcess;
use tenantform_proto::schema::ProviderSchema;
use tenantform_proto::schema_wire::provider_schema_from_wire;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::tfplugin6::provider_client::ProviderClient as WireClient;
use tenantform_proto::value::{Type, Value};
use tonic::transport::Channel;

use super::timeouts::Unanswered;
use super::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, ProviderClient,
    ProviderDiagnostic, ProviderError, ReadResponse,
};
use crate::diags::Severity;

/// How long provider calls may take (`-provider-timeout`, by default
/// [`super::timeouts::DEFAULT_PROVIDER_TIMEOUT`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    /// `ApplyResourceChange`, which may do long work (exports, copies).
    pub apply: Duration,
    /// Every other call.
    pub other: Duration,
}

impl Timeouts {
    /// The same bound for every call.
    pub(crate) fn uniform(bound: Duration) -> Timeouts {
        Timeouts {
            apply: bound,
            other: bound,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts::uniform(super::timeouts::DEFAULT_PROVIDER_TIMEOUT)
    }
}

/// The version this core reports to providers in `ConfigureProvider`.
const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A provider plugin process and the gRPC client to it.
pub(crate) struct GrpcProvider {
    /// The provider's source address, for messages.
    source: String,
    client: WireClient<Channel>,
    process: tokio::sync::Mutex<Option<PluginProcess>>,
    schema: OnceLock<Arc<ProviderSchema>>,
    /// The value types the schema implies, computed once instead of on every call.
    types: OnceLock<ImpliedTypes>,
    timeouts: Timeouts,
    /// The `generate_resource_config` server capability of the schema response.
    generates_config: OnceLock<bool>,
    /// The first call that got no answer in time: the provider is hung after it.
    unanswered: Unanswered,
}

/// The object types of every resource type and data source of a provider schema.
struct ImpliedTypes {
    resources: HashMap<String, Type>,
    data_sources: HashMap<String, Type>,
}

impl ImpliedTypes {
    fn of(schema: &ProviderSchema) -> ImpliedTypes {
        ImpliedTypes {
            resources: schema
                .resources
                .iter()
                .map(|(name, resource)| (name.clone(), resource.block.implied_type()))
                .collect(),
            data_sources: schema
                .data_sources
                .iter()
                .map(|(name, source)| (name.clone(), source.block.implied_type()))
                .collect(),
        }
    }
}

impl GrpcProvider {
    pub(crate) fn new(source: &str, process: PluginProcess, timeouts: Timeouts) -> GrpcProvider {
        GrpcProvider {
            source: source.to_string(),
            client: process.provider_client(),
            process: tokio::sync::Mutex::new(Some(process)),
            schema: OnceLock::new(),
            types: OnceLock::new(),
            timeouts,
            generates_config: OnceLock::new(),
            unanswered: Unanswered::default(),
        }
    }

    /// Runs one call with its deadline, mapping failures to [`ProviderError`].
    async fn call<T>(
        &self,
        operation: &'static str,
        timeout: Duration,
        request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, ProviderError> {
        if let Some(detail) = self.unanswered.refusal() {
            return Err(ProviderError::Unavailable {
                provider: self.source.clone(),
                detail,
            });
        }
        match tokio::time::timeout(timeout, request).await {
            Ok(Ok(response)) => Ok(response.into_inner()),
            Ok(Err(status)) => Err(self.failure(operation, status).await),
            Err(_) => {
                self.unanswered.record(operation, timeout);
                Err(ProviderError::Timeout {
                    provider: self.source.clone(),
                    operation,
                    timeout,
                })
            }
        }
    }

    async fn failure(&self, operation: &'static str, status: tonic::Status) -> ProviderError {
        let transport = matches!(
            status.code(),
            tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Cancelled
        );
        if transport && let Some(crash) = self.crash_report().await {
            return ProviderError::Unavailable {
                provider: self.source.clone(),
                detail: crash,
            };
        }
        ProviderError::Call {
            provider: self.source.clone(),
            operation,
            detail: format!("{:?}: {}", status.code(), status.message()),
        }
    }

    /// When the plugin process has exited, a report with its last stderr lines.
    async fn crash_report(&self) -> Option<String> {
        let mut guard = self.process.lock().await;
        let process = guard.as_mut()?;
        // A dying process may take a moment to be reaped after its connection drops.
        for _ in 0..10 {
            if let Some(status) = process.try_exit_status() {
                let tail = process.stderr_tail();
                let output = if tail.is_empty() {
                    "It wrote nothing to stderr.".to_string()
                } else {
                    format!("Its last output:\n{}", tail.join("\n"))
                };
                return Some(format!(
                    "The plugin process exited unexpectedly ({status}). {output}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    async fn cached_schema(&self) -> Result<Arc<ProviderSchema>, ProviderError> {
        if let Some(schema) = self.schema.get() {
            return Ok(schema.clone());
        }
        self.schema().await?;
        Ok(self.schema.get().cloned().unwrap_or_default())
    }

    async fn implied_types(&self) -> Result<&ImpliedTypes, ProviderError> {
        if let Some(types) = self.types.get() {
            return Ok(types);
        }
        let schema = self.cached_schema().await?;
        Ok(self.types.get_or_init(|| ImpliedTypes::of(&schema)))
    }

    async fn resource_type(&self, type_name: &str) -> Result<&Type, ProviderError> {
        match self.implied_types().await?.resources.get(type_name) {
            Some(ty) => Ok(ty),
            None => Err(ProviderError::Call {
                provider: self.source.clone(),
                operation: "schema lookup",
                detail: format!("the provider has no resource type {type_name:?}"),
            }),
        }
    }

    async fn data_source_type(&self, type_name: &str) -> Result<&Type, ProviderError> {
        match self.implied_types().await?.data_sources.get(type_name) {
            Some(ty) => Ok(ty),
            None => Err(ProviderError::Call {
                provider: self.source.clone(),
                operation: "schema lookup",
                detail: format!("the provider has no data source {type_name:?}"),
            }),
        }
    }

    fn encode(&self, value: &Value, ty: &Type) -> Result<wire::DynamicValue, ProviderError> {
        to_dynamic(value, ty).map_err(|e| ProviderError::Call {
            provider: self.source.clone(),
            operation: "encoding a value",
            detail: e.to_string(),
        })
    }

    fn decode(
        &self,
        value: Option<&wire::DynamicValue>,
        ty: &Type,
    ) -> Result<Value, ProviderError> {
        from_optional_dynamic(value, ty).map_err(|e| ProviderError::Decode {
            provider: self.source.clone(),
            detail: e.to_string(),
        })
    }

    fn client(&self) -> WireClient<Channel> {
        self.client.clone()
    }
}

fn diagnostics(diags: Vec<wire::Diagnostic>) -> Vec<ProviderDiagnostic> {
    diags
        .into_iter()
        .map(|message| ProviderDiagnostic::from(&message))
        .collect()
}

#[async_trait::async_trait]
impl ProviderClient for GrpcProvider {
    fn object_type(&self, data: bool, type_name: &str) -> Option<&Type> {
        let schema = self.schema.get()?;
        let types = self.types.get_or_init(|| ImpliedTypes::of(schema));
        match data {
            false => types.resources.get(type_name),
            true => types.data_sources.get(type_name),
        }
    }

    async fn schema(&self) -> Result<ProviderSchema, ProviderError> {
        if let Some(schema) = self.schema.get() {
            return Ok(ProviderSchema::clone(schema));
        }
        let mut client = self.client();
        let response = self
            .call("GetProviderSchema", self.timeouts.other, async move {
                client
                    .get_provider_schema(wire::get_provider_schema::Request {})
                    .await
            })
            .await?;
        let errors: Vec<String> = diagnostics(response.diagnostics.clone())
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect();
        if !errors.is_empty() {
            return Err(ProviderError::Call {
                provider: self.source.clone(),
                operation: "GetProviderSchema",
                detail: errors.join("; "),
            });
        }
        let schema = provider_schema_from_wire(&response).map_err(|e| ProviderError::Decode {
            provider: self.source.clone(),
            detail: e.to_string(),
        })?;
        let generates = response
            .server_capabilities
            .as_ref()
            .is_some_and(|c| c.generate_resource_config);
        let _ = self.generates_config.set(generates);
        let _ = self.schema.set(Arc::new(schema.clone()));
        Ok(schema)
    }

    fn generates_resource_config(&self) -> bool {
        self.generates_config.get().copied().unwrap_or(false)
    }

    async fn validate_provider_config(&self, config: &Value) -> super::Diagnosed {
        let ty = &self.cached_schema().await?.provider.block.implied_type();
        let request = wire::validate_provider_config::Request {
            config: Some(self.encode(config, ty)?),
        };
        let mut client = self.client();
        let response = self
            .call("ValidateProviderConfig", self.timeouts.other, async move {
                client.validate_provider_config(request).await
            })
            .await?;
        Ok(diagnostics(response.diagnostics))
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> super::Diagnosed {
        let ty = self.resource_type(type_name).await?;
        let request = wire::validate_resource_config::Request {
            type_name: type_name.to_string(),
            config: Some(self.encode(config, ty)?),
            client_capabilities: None,
        };
        let mut client = self.client();
        let response = self
            .call("ValidateResourceConfig", self.timeouts.other, async move {
                client.validate_resource_config(request).await
            })
            .await?;
        Ok(diagnostics(response.diagnostics))
    }

    async fn validate_data_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> super::Diagnosed {
        let ty = self.data_source_type(type_name).await?;
        let request = wire::validate_data_resource_config::Request {
            type_name: type_name.to_string(),
            config: Some(self.encode(config, ty)?),
        };
        let mut client = self.client();
        let response = self
            .call(
                "ValidateDataResourceConfig",
                self.timeouts.other,
                async move { client.validate_data_resource_config(request).await },
            )
            .await?;
        Ok(diagnostics(response.diagnostics))
    }

    async fn configure(&self, config: &Value) -> super::Diagnosed {
        let ty = &self.cached_schema().await?.provider.block.implied_type();
        let request = wire::configure_provider::Request {
            terraform_version: CLIENT_VERSION.to_string(),
            config: Some(self.encode(config, ty)?),
            client_capabilities: None,
        };
        let mut client = self.client();
        let response = self
            .call("ConfigureProvider", self.timeouts.other, async move {
                client.configure_provider(request).await
            })
            .await?;
        Ok(diagnostics(response.diagnostics))
    }

    async fn upgrade_resource_state(
        &self,
        type_name: &str,
        schema_version: i64,
        raw_json: &[u8],
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        let ty = self.resource_type(type_name).await?;
        let request = wire::upgrade_resource_state::Request {
            type_name: type_name.to_string(),
            version: schema_version,
            raw_state: Some(wire::RawState {
                json: raw_json.to_vec(),
                flatmap: Default::default(),
            }),
        };
        let mut client = self.client();
        let response = self
            .call("UpgradeResourceState", self.timeouts.other, async move {
                client.upgrade_resource_state(request).await
            })
            .await?;
        let value = self.decode(response.upgraded_state.as_ref(), ty)?;
        Ok((value, diagnostics(response.diagnostics)))
    }

    async fn read_resource(
        &self,
        type_name: &str,
        current: &Value,
        private: &[u8],
    ) -> Result<ReadResponse, ProviderError> {
        let ty = self.resource_type(type_name).await?;
        let request = wire::read_resource::Request {
            type_name: type_name.to_string(),
            current_state: Some(self.encode(current, ty)?),
            private: private.to_vec(),
            ..Default::default()
        };
        let mut client = self.client();
        let response = self
            .call("ReadResource", self.timeouts.other, async move {
                client.read_resource(request).await
            })
            .await?;
        Ok(ReadResponse {
            new_state: self.decode(response.new_state.as_ref(), ty)?,
            private: response.private,
            diagnostics: diagnostics(response.diagnostics),
        })
    }

    async fn plan_resource_change(
        &self,
        request: PlanRequest<'_>,
    ) -> Result<PlanResponse, ProviderError> {
        let ty = self.resource_type(request.type_name).await?;
        let wire_request = wire::plan_resource_change::Request {
            type_name: request.type_name.to_string(),
            prior_state: Some(self.encode(request.prior, ty)?),
            proposed_new_state: Some(self.encode(request.proposed, ty)?),
            config: Some(self.encode(request.config, ty)?),
            prior_private: request.prior_private.to_vec(),
            ..Default::default()
        };
        let mut client = self.client();
        let response = self
            .call("PlanResourceChange", self.timeouts.other, async move {
                client.plan_resource_change(wire_request).await
            })
            .await?;
        Ok(PlanResponse {
            unknown_collections: Vec::new(),
            planned: self.decode(response.planned_state.as_ref(), ty)?,
            requires_replace: response
                .requires_replace
                .iter()
                .map(path_from_wire)
                .collect(),
            planned_private: response.planned_private,
            diagnostics: diagnostics(response.diagnostics),
        })
    }

    async fn apply_resource_change(
        &self,
        request: ApplyRequest<'_>,
    ) -> Result<ApplyResponse, ProviderError> {
        let ty = self.resource_type(request.type_name).await?;
        let wire_request = wire::apply_resource_change::Request {
            type_name: request.type_name.to_string(),
            prior_state: Some(self.encode(request.prior, ty)?),
            planned_state: Some(self.encode(request.planned, ty)?),
            config: Some(self.encode(request.config, ty)?),
            planned_private: request.planned_private.to_vec(),
            ..Default::default()
        };
        let mut client = self.client();
        let response = self
            .call("ApplyResourceChange", self.timeouts.apply, async move {
                client.apply_resource_change(wire_request).await
            })
            .await?;
        Ok(ApplyResponse {
            new_state: self.decode(response.new_state.as_ref(), ty)?,
            private: response.private,
            diagnostics: diagnostics(response.diagnostics),
        })
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        let ty = self.data_source_type(type_name).await?;
        let request = wire::read_data_source::Request {
            type_name: type_name.to_string(),
            config: Some(self.encode(config, ty)?),
            ..Default::default()
        };
        let mut client = self.client();
        let response = self
            .call("ReadDataSource", self.timeouts.other, async move {
                client.read_data_source(request).await
            })
            .await?;
        Ok(ReadResponse {
            new_state: self.decode(response.state.as_ref(), ty)?,
            private: Vec::new(),
            diagnostics: diagnostics(response.diagnostics),
        })
    }

    async fn generate_resource_config(
        &self,
        type_name: &str,
        state: &Value,
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        let ty = self.resource_type(type_name).await?;
        let request = wire::generate_resource_config::Request {
            type_name: type_name.to_string(),
            state: Some(self.encode(state, ty)?),
        };
        let mut client = self.client();
        let response = self
            .call("GenerateResourceConfig", self.timeouts.other, async move {
                client.generate_resource_config(request).await
            })
            .await?;
        let config = self.decode(response.config.as_ref(), ty)?;
        Ok((config, diagnostics(response.diagnostics)))
    }

    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> Result<(Vec<ImportedObject>, Vec<ProviderDiagnostic>), ProviderError> {
        let request = wire::import_resource_state::Request {
            type_name: type_name.to_string(),
            id: id.to_string(),
            ..Default::default()
        };
        let mut client = self.client();
        let response = self
            .call("ImportResourceState", self.timeouts.other, async move {
                client.import_resource_state(request).await
            })
            .await?;
        let mut objects = Vec::new();
        for imported in response.imported_resources {
            let ty = self.resource_type(&imported.type_name).await?;
            objects.push(ImportedObject {
                state: self.decode(imported.state.as_ref(), ty)?,
                type_name: imported.type_name,
                private: imported.private,
            });
        }
        Ok((objects, diagnostics(response.diagnostics)))
    }

    async fn close(&self) {
        let process = self.process.lock().await.take();
        if let Some(process) = process
            && let Err(error) = process.shutdown().await
        {
            tracing::warn!(provider = %self.source, %error, "provider did not shut down cleanly");
        }
    }
}

#[cfg(test)]
mod tests;
