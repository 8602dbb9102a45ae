//! Terraform's built-in provider, `terraform.io/builtin/terraform`, served in-process: the
//! `terraform_data` resource (`terraform_data.rs`) and the `terraform_remote_state` data
//! source (`remote_state.rs`), with Terraform 1.15's schemas. A configuration uses it without
//! declaring it, as in Terraform: the local name `terraform` implies this source.

mod remote_state;
mod terraform_data;

use std::collections::BTreeMap;
use std::path::PathBuf;

use tenantform_proto::schema::{ProviderSchema, Schema};
use tenantform_proto::value::{AttributePath, Value, decode_json};

use super::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, ProviderClient,
    ProviderDiagnostic, ProviderError, ReadResponse,
};

/// The built-in provider's source address.
pub(crate) const SOURCE: &str = "terraform.io/builtin/terraform";

const DATA: &str = "terraform_data";
const REMOTE_STATE: &str = "terraform_remote_state";

/// The in-process built-in provider. Relative paths (a local state's `path`) resolve
/// against `working_dir`.
pub(crate) struct BuiltinProvider {
    working_dir: PathBuf,
}

impl BuiltinProvider {
    pub(crate) fn new(working_dir: PathBuf) -> BuiltinProvider {
        BuiltinProvider { working_dir }
    }
}

/// Terraform 1.15's schemas of the built-in provider.
pub(crate) fn schema() -> ProviderSchema {
    ProviderSchema {
        provider: Schema::default(),
        resources: BTreeMap::from([(DATA.to_string(), terraform_data::schema())]),
        data_sources: BTreeMap::from([(REMOTE_STATE.to_string(), remote_state::schema())]),
    }
}

fn attr(value: &Value, name: &str) -> Value {
    value.get_attr(name).cloned().unwrap_or(Value::Null)
}

fn error(summary: &str, detail: String, attribute: Option<&str>) -> ProviderDiagnostic {
    ProviderDiagnostic {
        attribute: attribute.map(AttributePath::attr),
        ..ProviderDiagnostic::error(summary, detail)
    }
}

fn unsupported(type_name: &str, operation: &'static str) -> ProviderError {
    ProviderError::Call {
        provider: SOURCE.to_string(),
        operation,
        detail: format!("the built-in provider has no {type_name:?}"),
    }
}

impl BuiltinProvider {
    /// Reads `terraform_remote_state`; `key` names the data source instance for
    /// `TF_ENCRYPTION`'s `remote_state_data_source` targets.
    async fn read_remote_state(
        &self,
        key: Option<String>,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        if type_name != REMOTE_STATE {
            return Err(unsupported(type_name, "ReadDataSource"));
        }
        let config = config.clone();
        let working_dir = self.working_dir.clone();
        // Reading a state may block on a database; keep it off the async workers.
        tokio::task::spawn_blocking(move || remote_state::read(&config, &working_dir, key))
            .await
            .map_err(|e| ProviderError::Call {
                provider: SOURCE.to_string(),
                operation: "ReadDataSource",
                detail: e.to_string(),
            })
    }
}

#[async_trait::async_trait]
impl ProviderClient for BuiltinProvider {
    async fn schema(&self) -> Result<ProviderSchema, ProviderError> {
        Ok(schema())
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> super::Diagnosed {
        match type_name {
            DATA => Ok(terraform_data::validate(config)),
            _ => Err(unsupported(type_name, "ValidateResourceConfig")),
        }
    }

    async fn validate_data_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> super::Diagnosed {
        match type_name {
            REMOTE_STATE => Ok(remote_state::validate(config)),
            _ => Err(unsupported(type_name, "ValidateDataResourceConfig")),
        }
    }

    async fn configure(&self, _config: &Value) -> super::Diagnosed {
        Ok(Vec::new())
    }

    async fn upgrade_resource_state(
        &self,
        type_name: &str,
        _schema_version: i64,
        raw_json: &[u8],
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        if type_name != DATA {
            return Err(unsupported(type_name, "UpgradeResourceState"));
        }
        let decoded = serde_json::from_slice(raw_json)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                decode_json(&json, &terraform_data::schema().block.implied_type())
                    .map_err(|e| e.to_string())
            });
        match decoded {
            Ok(value) => Ok((value, Vec::new())),
            Err(detail) => Ok((
                Value::Null,
                vec![error("Invalid stored object", detail, None)],
            )),
        }
    }

    async fn read_resource(
        &self,
        _type_name: &str,
        current: &Value,
        private: &[u8],
    ) -> Result<ReadResponse, ProviderError> {
        Ok(ReadResponse {
            new_state: current.clone(),
            private: private.to_vec(),
            diagnostics: Vec::new(),
        })
    }

    async fn plan_resource_change(
        &self,
        request: PlanRequest<'_>,
    ) -> Result<PlanResponse, ProviderError> {
        match request.type_name {
            DATA => Ok(terraform_data::plan(request.prior, request.proposed)),
            other => Err(unsupported(other, "PlanResourceChange")),
        }
    }

    async fn apply_resource_change(
        &self,
        request: ApplyRequest<'_>,
    ) -> Result<ApplyResponse, ProviderError> {
        match request.type_name {
            DATA => Ok(terraform_data::apply(request.planned)),
            other => Err(unsupported(other, "ApplyResourceChange")),
        }
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        self.read_remote_state(None, type_name, config).await
    }

    async fn read_data_source_at(
        &self,
        addr: &crate::addrs::InstanceAddr,
        type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        self.read_remote_state(Some(remote_state::encryption_key(addr)), type_name, config)
            .await
    }

    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> Result<(Vec<ImportedObject>, Vec<ProviderDiagnostic>), ProviderError> {
        match type_name {
            DATA => Ok(terraform_data::import(id)),
            other => Err(unsupported(other, "ImportResourceState")),
        }
    }
}
