//! The provider seam: everything the planner core asks of a provider, as plain Rust types.
//! `grpc` implements it over the plugin protocol for a launched plugin process; unit tests
//! use an in-process fake.

pub(crate) mod builtin;
mod call_limit;
mod diagnostics;
pub(crate) mod discovery;
#[cfg(test)]
pub(crate) mod fake;
pub(crate) mod grpc;
mod launch;
mod requirements;
pub(crate) mod timeouts;

pub(crate) use diagnostics::ProviderDiagnostic;
pub(crate) use launch::start_with;
pub(crate) use requirements::required_providers;

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::schema::{Attribute, Block, ProviderSchema, Schema};
use tenantform_proto::value::{AttributePath, Type, Value};

/// The provider could not be asked at all (crashed, hung, protocol error).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProviderError {
    #[error("the provider {provider} is not available: {detail}")]
    Unavailable { provider: String, detail: String },
    #[error("the provider {provider} failed during {operation}: {detail}")]
    Call {
        provider: String,
        operation: &'static str,
        detail: String,
    },
    #[error(
        "the provider {provider} returned a value that does not conform to its schema: {detail}"
    )]
    Decode { provider: String, detail: String },
    /// A call that got no answer within `-provider-timeout`: its outcome is unknown.
    #[error(
        "the provider {provider} did not answer {operation} within {} (-provider-timeout); it \
         may be hung",
        timeouts::go_duration(*timeout)
    )]
    Timeout {
        provider: String,
        operation: &'static str,
        timeout: std::time::Duration,
    },
}

impl ProviderError {
    /// Whether the call timed out, so that its effect is unknown.
    pub(crate) fn is_timeout(&self) -> bool {
        matches!(self, ProviderError::Timeout { .. })
    }
}

pub(crate) struct PlanRequest<'a> {
    pub type_name: &'a str,
    pub prior: &'a Value,
    pub proposed: &'a Value,
    pub config: &'a Value,
    pub prior_private: &'a [u8],
}

pub(crate) struct PlanResponse {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Vec<ProviderDiagnostic>,
    /// Unknown collections in `planned` that the schema cannot tell (in `dynamic`
    /// attributes), as the provider typed them.
    pub unknown_collections: Vec<crate::plan::shapes::UnknownCollection>,
}

pub(crate) struct ApplyRequest<'a> {
    pub type_name: &'a str,
    pub prior: &'a Value,
    pub planned: &'a Value,
    pub config: &'a Value,
    pub planned_private: &'a [u8],
}

pub(crate) struct ApplyResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Vec<ProviderDiagnostic>,
}

pub(crate) struct ReadResponse {
    /// Null when the object no longer exists.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Vec<ProviderDiagnostic>,
}

pub(crate) struct ImportedObject {
    pub type_name: String,
    pub state: Value,
    pub private: Vec<u8>,
}

/// What a provider call that only reports diagnostics (validation, configuration) returns.
pub(crate) type Diagnosed = Result<Vec<ProviderDiagnostic>, ProviderError>;

/// One provider instance (one configured plugin process).
#[async_trait::async_trait]
pub(crate) trait ProviderClient: Send + Sync {
    async fn schema(&self) -> Result<ProviderSchema, ProviderError>;
    /// The object type of a managed resource type's schema (`data` false) or a data
    /// source's, when the client keeps the types of the schema it returned at hand.
    fn object_type(&self, data: bool, type_name: &str) -> Option<&Type> {
        let _ = (data, type_name);
        None
    }
    /// Whether the provider declared that it generates resource configuration itself (the
    /// `generate_resource_config` server capability); known once the schema was read.
    fn generates_resource_config(&self) -> bool {
        false
    }
    /// GenerateResourceConfig: a configuration for an imported object, from its state; asked
    /// only of providers that declare the capability.
    async fn generate_resource_config(
        &self,
        type_name: &str,
        _state: &Value,
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        Err(ProviderError::Call {
            provider: type_name.to_string(),
            operation: "GenerateResourceConfig",
            detail: "the provider does not generate resource configuration".into(),
        })
    }
    /// ValidateProviderConfig. A provider without configuration arguments accepts any.
    async fn validate_provider_config(&self, config: &Value) -> Diagnosed {
        let _ = config;
        Ok(Vec::new())
    }
    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnosed;
    async fn validate_data_resource_config(&self, type_name: &str, config: &Value) -> Diagnosed;
    async fn configure(&self, config: &Value) -> Diagnosed;
    /// Upgrades raw JSON state written with `schema_version` to the current schema.
    async fn upgrade_resource_state(
        &self,
        type_name: &str,
        schema_version: i64,
        raw_json: &[u8],
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError>;
    async fn read_resource(
        &self,
        type_name: &str,
        current: &Value,
        private: &[u8],
    ) -> Result<ReadResponse, ProviderError>;
    async fn plan_resource_change(
        &self,
        request: PlanRequest<'_>,
    ) -> Result<PlanResponse, ProviderError>;
    async fn apply_resource_change(
        &self,
        request: ApplyRequest<'_>,
    ) -> Result<ApplyResponse, ProviderError>;
    /// Reads a data source (ReadDataSource) with a wholly known configuration.
    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError>;
    /// Reads the data source instance `addr` ([`Self::read_data_source`] for every provider
    /// but the built-in one, whose `terraform_remote_state` picks the encryption target of
    /// `TF_ENCRYPTION`'s `remote_state_data_sources` by the address).
    async fn read_data_source_at(
        &self,
        addr: &crate::addrs::InstanceAddr,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        let _ = addr;
        self.read_data_source(type_name, config).await
    }
    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> Result<(Vec<ImportedObject>, Vec<ProviderDiagnostic>), ProviderError>;
    /// Shuts the provider process down. An in-process provider has none.
    async fn close(&self) {}
}

/// A version 0 schema of a block with these attributes and no nested blocks.
pub(crate) fn attribute_schema(attributes: &[(&str, Attribute)]) -> Schema {
    Schema {
        version: 0,
        block: attribute_block(attributes),
    }
}

/// A schema block with these attributes and no nested blocks.
pub(crate) fn attribute_block(attributes: &[(&str, Attribute)]) -> Block {
    Block {
        attributes: attributes
            .iter()
            .map(|(name, attribute)| (name.to_string(), attribute.clone()))
            .collect(),
        ..Block::default()
    }
}

/// The providers a configuration uses, by local name, with their schemas.
#[derive(Clone, Default)]
pub(crate) struct Providers {
    pub clients: BTreeMap<String, Arc<dyn ProviderClient>>,
    /// Fully qualified source address (`registry.terraform.io/tenantform/tenant`) by local name.
    pub sources: BTreeMap<String, String>,
    pub schemas: BTreeMap<String, Arc<ProviderSchema>>,
    /// Each provider's version identity by local name (see [`launch::version_identity`]).
    pub versions: BTreeMap<String, String>,
}

impl Providers {
    /// Shuts every provider process down.
    pub(crate) async fn close(&self) {
        for client in self.clients.values() {
            client.close().await;
        }
    }
}
