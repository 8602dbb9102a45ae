//! The `tenant_api_key` resource: an API key of a tenant. The secret (`tk_` and 40 letters and
//! digits) is generated on create, returned once in the new state and then kept from the prior
//! state by read; the backend stores only its salted hash and fingerprint, so after import the
//! secret is null. Destroying the resource revokes the key.

use tenantform_proto::value::Value;

use super::checks::Check;
use super::common::new_id;
use super::formats::{is_rfc3339, is_valid_key_name};
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::PlanRules;
use crate::backend::{ApiKeyRecord, Backend, Store, now_rfc3339};
use crate::secrets::{fingerprint, generate_api_key, hash_password};
use crate::values::{attr, required_string, string_field, string_set};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The `tenant_api_key` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiKeyKind;

impl Kind for ApiKeyKind {
    type Record = ApiKeyRecord;
    const IMPORT: ImportSpec = ImportSpec::new("tenant API key", "slug/name");
    const RULES: PlanRules = PlanRules {
        defaults: &[],
        forces_replacement: &["tenant_id", "name", "expires_at"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = Some("name");
    const KEY_ATTRIBUTES: &'static [&'static str] = &["tenant_id", "name"];
    const NOUN: Option<&'static str> = Some("key");
    const DESTROY_VERB: &'static str = "revoke";
    const SECRET_ATTRIBUTE: Option<&'static str> = Some("secret");

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant_api_key.json");

    const CHECKS: &'static [Check] = &[
        Check::Form(
            "name",
            is_valid_key_name,
            "a key name is 1 to 63 letters, digits, '-', '_' and '.', starting with a letter \
             or digit",
        ),
        Check::Form(
            "expires_at",
            is_rfc3339,
            "expected an RFC 3339 time such as 2027-01-01T00:00:00Z",
        ),
    ];

    fn check_more(config: &Value, diagnostics: &mut Diagnostics) {
        if let Value::Set(scopes) = attr(config, "scopes")
            && scopes.iter().any(|scope| scope.as_str() == Some(""))
        {
            diagnostics.push(
                Diagnostic::error("Invalid value for scopes", "A scope must not be empty.")
                    .at("scopes"),
            );
        }
    }

    fn store(backend: &dyn Backend) -> &dyn Store<ApiKeyRecord> {
        backend.api_keys()
    }

    fn new_record(planned: &Value, _backend: &dyn Backend) -> Result<ApiKeyRecord, Diagnostic> {
        let invalid = |detail: String| Diagnostic::error("Invalid planned tenant API key", detail);
        Ok(ApiKeyRecord {
            id: new_id(),
            tenant_id: required_string(planned, "tenant_id").map_err(invalid)?,
            name: required_string(planned, "name").map_err(invalid)?,
            scopes: string_set(attr(planned, "scopes")),
            expires_at: string_field(planned, "expires_at").known(),
            fingerprint: String::new(),
            secret_hash: String::new(),
            suspended: false,
            created_at: now_rfc3339(),
        })
    }

    /// The scopes change in place (the expiry forces a new key, so it only changes when an
    /// existing key is adopted).
    fn updated(existing: ApiKeyRecord, planned: &Value) -> Result<ApiKeyRecord, Diagnostic> {
        Ok(ApiKeyRecord {
            scopes: string_set(attr(planned, "scopes")),
            expires_at: string_field(planned, "expires_at").known(),
            ..existing
        })
    }

    /// `tk_` and 40 letters and digits; an adopted key gets a new one too, since the old one
    /// is known to nobody.
    fn generate_secret() -> Option<String> {
        Some(generate_api_key())
    }

    fn with_secret(record: ApiKeyRecord, secret: &str) -> ApiKeyRecord {
        ApiKeyRecord {
            fingerprint: fingerprint(secret),
            secret_hash: hash_password(secret),
            ..record
        }
    }
}
