//! Resource instances between state and values: decoding a stored instance (upgrading it
//! through the provider when its schema version is older), encoding a new object for the
//! state, and finding the provider an instance in state belongs to.

use std::collections::BTreeMap;

use tenantform_proto::schema::Schema;
use tenantform_proto::value::{AttributePath, Value, encode_json};

use crate::addrs::{InstanceAddr, ResourceMode};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::lang::Sensitivity;
use crate::plan::objchange::sensitive_paths;
use crate::providers::{ProviderClient, Providers};
use crate::state::{self, InstanceState};

use super::diagnostics::{provider_diagnostics, provider_failure};

/// A stored object as the planner works with it.
#[derive(Clone, Debug)]
pub(crate) struct PriorObject {
    pub value: Value,
    pub private: Vec<u8>,
    pub tainted: bool,
    /// The paths the state records as sensitive (by the schema or by the configuration).
    pub sensitive: Vec<AttributePath>,
}

/// Decodes an instance from state into a value of the current schema.
pub(crate) async fn decode_instance(
    client: &dyn ProviderClient,
    schema: &Schema,
    addr: &InstanceAddr,
    instance: &InstanceState,
    range: Option<SourceRange>,
) -> Result<PriorObject, Diagnostics> {
    let subject = addr.to_string();
    let value = if i64::try_from(instance.schema_version) == Ok(schema.version) {
        let data = addr.resource.mode == ResourceMode::Data;
        let built;
        let ty = match client.object_type(data, &addr.resource.type_name) {
            Some(ty) => ty,
            None => {
                built = schema.block.implied_type();
                &built
            }
        };
        instance.attributes.decode(ty).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(
                    "Invalid resource instance data in state",
                    format!("The stored object of {subject} does not match its schema: {e}"),
                )
                .with_range(range.clone()),
            )
        })?
    } else {
        let raw = serde_json::to_vec(&instance.attributes).unwrap_or_default();
        let (value, diags) = client
            .upgrade_resource_state(
                &addr.resource.type_name,
                i64::try_from(instance.schema_version).unwrap_or(i64::MAX),
                &raw,
            )
            .await
            .map_err(|e| Diagnostics::from(provider_failure(&subject, &e, range.clone())))?;
        let diags = provider_diagnostics(&subject, diags, range);
        if diags.has_errors() {
            return Err(diags);
        }
        value
    };
    Ok(PriorObject {
        value,
        private: instance.private.clone().unwrap_or_default(),
        tainted: instance.tainted,
        sensitive: state::sensitive::decode_stored(&instance.sensitive_attributes),
    })
}

/// What to store for a new object.
pub(crate) struct NewObject<'a> {
    pub provider: &'a str,
    pub schema: &'a Schema,
    pub value: &'a Value,
    /// Parts sensitive beyond what the schema declares (marked by the configuration).
    pub also_sensitive: &'a [AttributePath],
    pub private: Vec<u8>,
    pub dependencies: Vec<String>,
    pub create_before_destroy: bool,
    pub tainted: bool,
}

/// Encodes a new object for the state. Unknown values cannot be stored.
pub(crate) fn encode_instance(object: NewObject<'_>) -> Result<InstanceState, String> {
    let attributes = encode_json(object.value, &object.schema.block.implied_type())
        .map_err(|e| e.to_string())?;
    let mut sensitive = sensitive_paths(&object.schema.block, object.value);
    let marked = Sensitivity::from_paths(object.also_sensitive).fitted(object.value);
    sensitive.extend(marked.paths(object.value));
    sensitive.sort();
    sensitive.dedup();
    Ok(InstanceState {
        provider: object.provider.to_string(),
        schema_version: u64::try_from(object.schema.version).unwrap_or_default(),
        attributes: state::StoredJson::from_json(&attributes),
        sensitive_attributes: state::sensitive::encode_stored(&sensitive),
        private: if object.private.is_empty() {
            None
        } else {
            Some(object.private)
        },
        dependencies: object.dependencies,
        create_before_destroy: object.create_before_destroy,
        tainted: object.tainted,
        ..InstanceState::default()
    })
}

/// Maps fully qualified provider addresses to local names.
pub(crate) struct ProviderNames {
    by_source: BTreeMap<String, String>,
}

impl ProviderNames {
    pub(super) fn new(providers: &Providers) -> ProviderNames {
        ProviderNames {
            by_source: providers
                .sources
                .iter()
                .map(|(local, source)| (source.clone(), local.clone()))
                .collect(),
        }
    }

    /// The local name of the provider an instance in state belongs to.
    pub(super) fn local_name(&self, addr: &InstanceAddr, instance: &InstanceState) -> String {
        let source = instance
            .provider
            .trim_start_matches("provider[\"")
            .trim_end_matches("\"]")
            .to_string();
        self.by_source
            .get(&source)
            .cloned()
            .unwrap_or_else(|| addr.resource.implied_provider().to_string())
    }
}
