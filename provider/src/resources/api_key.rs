//! The `tenant_api_key` resource: an API key of a tenant. The secret (`tk_` and 40 letters and
//! digits) is generated on create, returned once in the new state and then kept from the prior
//! state by read; the backend stores only its salted hash and fingerprint, so after import the
//! secret is null. Destroying the resource revokes the key.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Schema};
use tenantform_proto::value::{AttributePath, Type, Value};

use super::common::{
    Adoption, apply_outcome, backend_failure, check_string, destroy_by_id, new_id, plan_with_rules,
    planned_for_create, read_by_id,
};
use super::formats::{is_rfc3339, is_valid_key_name};
use super::import::ImportSpec;
use super::plan::PlanRules;
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{ApiKeyRecord, Backend, BackendError, now_rfc3339};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::secrets::{fingerprint, generate_api_key, hash_password};
use crate::values::{
    Field, attr, object, optional_string_value, required_string, string_field, string_set,
    string_set_value,
};

const RULES: PlanRules = PlanRules {
    defaults: &[],
    forces_replacement: &["tenant_id", "name", "expires_at"],
};
const IMPORT: ImportSpec = ImportSpec {
    what: "tenant API key",
    natural_key: "slug/name",
};

/// The `tenant_api_key` resource type.
pub struct TenantApiKey;

fn schema() -> Schema {
    let attributes = BTreeMap::from([
        (
            "id".to_string(),
            Attribute::computed(Type::String).describe("The key's id."),
        ),
        (
            "tenant_id".to_string(),
            Attribute::required(Type::String)
                .describe("The owning tenant's id. Changing it replaces the key."),
        ),
        (
            "name".to_string(),
            Attribute::required(Type::String).describe(
                "Name within the tenant: letters, digits, '-', '_' and '.'. Changing it \
                 replaces the key.",
            ),
        ),
        (
            "scopes".to_string(),
            Attribute::required(Type::Set(Box::new(Type::String)))
                .describe("What the key may do, e.g. [\"read\", \"write\"]."),
        ),
        (
            "expires_at".to_string(),
            Attribute::optional(Type::String).describe(
                "When the key stops working, RFC 3339 (e.g. 2027-01-01T00:00:00Z); never when \
                 unset. Changing it replaces the key.",
            ),
        ),
        (
            "fingerprint".to_string(),
            Attribute::computed(Type::String)
                .describe("The first 16 hex digits of the SHA-256 of the secret."),
        ),
        (
            "secret".to_string(),
            Attribute::computed(Type::String)
                .sensitive()
                .describe("The key, generated on create; null after import."),
        ),
    ]);
    Schema {
        version: 0,
        block: Block {
            attributes,
            description: "An API key of a tenant, stored hashed.".to_string(),
            ..Block::default()
        },
    }
}

fn label(state: &Value) -> String {
    format!(
        "tenant API key {:?}",
        string_field(state, "name").known().unwrap_or_default()
    )
}

/// The state value of a key record with the given secret (null when not known).
pub fn record_to_value(record: &ApiKeyRecord, secret: Value) -> Value {
    object([
        ("id", Value::string(&record.id)),
        ("tenant_id", Value::string(&record.tenant_id)),
        ("name", Value::string(&record.name)),
        ("scopes", string_set_value(&record.scopes)),
        (
            "expires_at",
            optional_string_value(record.expires_at.as_deref()),
        ),
        ("fingerprint", Value::string(&record.fingerprint)),
        ("secret", secret),
    ])
}

impl TenantApiKey {
    /// Returns the record and the new plaintext secret.
    fn create_or_adopt(
        &self,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<(ApiKeyRecord, String), Diagnostic> {
        let failure = |error: BackendError| {
            backend_failure(format!("Failed to create {}", label(planned)), &error)
        };
        let invalid = |detail: String| Diagnostic::error("Invalid planned tenant API key", detail);
        let secret = generate_api_key();
        let scopes = string_set(attr(planned, "scopes"));
        let expires_at = string_field(planned, "expires_at").known();
        if let Some(id) = string_field(planned, "id").known()
            && let Some(existing) = backend.api_keys().get(&id).map_err(failure)?
        {
            // An adopted key gets a new secret: the old one is known to nobody.
            let updated = backend
                .api_keys()
                .update(&ApiKeyRecord {
                    scopes,
                    expires_at,
                    fingerprint: fingerprint(&secret),
                    secret_hash: hash_password(&secret),
                    ..existing
                })
                .map_err(failure)?;
            return Ok((updated, secret));
        }
        let record = ApiKeyRecord {
            id: new_id(),
            tenant_id: required_string(planned, "tenant_id").map_err(invalid)?,
            name: required_string(planned, "name").map_err(invalid)?,
            scopes,
            expires_at,
            fingerprint: fingerprint(&secret),
            secret_hash: hash_password(&secret),
            suspended: false,
            created_at: now_rfc3339(),
        };
        let created = backend.api_keys().create(&record).map_err(failure)?;
        Ok((created, secret))
    }

    /// Only the scopes change in place.
    fn update(
        &self,
        prior: &Value,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<ApiKeyRecord, Diagnostic> {
        let failure = |error: BackendError| {
            backend_failure(format!("Failed to update {}", label(planned)), &error)
        };
        let id = string_field(prior, "id").known().unwrap_or_default();
        let existing = backend
            .api_keys()
            .get(&id)
            .map_err(failure)?
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Failed to update {}", label(planned)),
                    "The key no longer exists; refresh and plan again to re-create it.",
                )
            })?;
        backend
            .api_keys()
            .update(&ApiKeyRecord {
                scopes: string_set(attr(planned, "scopes")),
                ..existing
            })
            .map_err(failure)
    }
}

impl ResourceType for TenantApiKey {
    fn type_name(&self) -> &'static str {
        "tenant_api_key"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        check_string(
            config,
            "name",
            is_valid_key_name,
            "a key name is 1 to 63 letters, digits, '-', '_' and '.', starting with a letter \
             or digit",
            AttributePath::attr("name"),
            &mut diagnostics,
        );
        check_string(
            config,
            "expires_at",
            is_rfc3339,
            "expected an RFC 3339 time such as 2027-01-01T00:00:00Z",
            AttributePath::attr("expires_at"),
            &mut diagnostics,
        );
        if let Value::Set(scopes) = attr(config, "scopes")
            && scopes.iter().any(|scope| scope.as_str() == Some(""))
        {
            diagnostics.push(
                Diagnostic::error("Invalid value for scopes", "A scope must not be empty.")
                    .at("scopes"),
            );
        }
        diagnostics
    }

    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput {
        let validation = self.validate(input.config);
        plan_with_rules(&schema(), &RULES, input, validation, |planned| {
            let (Some(backend), Field::Known(tenant_id), Field::Known(name)) = (
                backend,
                string_field(planned, "tenant_id"),
                string_field(planned, "name"),
            ) else {
                return Ok(None);
            };
            Ok(backend
                .api_keys()
                .find((&tenant_id, &name))?
                .map(|existing| Adoption {
                    id: existing.id,
                    label: format!("tenant API key {name:?}"),
                }))
        })
    }

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput {
        if input.planned.is_null() {
            return destroy_by_id(
                input.prior,
                format!("Failed to revoke {}", label(input.prior)),
                |id| backend.api_keys().delete(id),
            );
        }
        let result = if input.prior.is_null() {
            self.create_or_adopt(&planned_for_create(&input), backend)
                .map(|(record, secret)| record_to_value(&record, Value::String(secret)))
        } else {
            self.update(input.prior, input.planned, backend)
                .map(|record| record_to_value(&record, attr(input.prior, "secret").clone()))
        };
        apply_outcome(input.prior, result, Value::clone)
    }

    /// Keeps the secret from `state`: the backend holds only its hash.
    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        read_by_id(
            state,
            format!("Failed to read {}", label(state)),
            |id| backend.api_keys().get(id),
            |record| record_to_value(record, attr(state, "secret").clone()),
        )
    }

    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        IMPORT.import(
            id,
            backend,
            |id| backend.api_keys().get(id),
            |tenant, rest| backend.api_keys().find((&tenant.id, rest[0])),
            |record| record_to_value(record, Value::Null),
        )
    }
}
