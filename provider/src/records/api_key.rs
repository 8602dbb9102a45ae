//! The API key record.

use std::collections::BTreeSet;

use serde::Serialize;

/// An API key. The secret exists in plaintext only in the create response; the backend keeps
/// its salted hash and a fingerprint that identifies it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub scopes: BTreeSet<String>,
    /// RFC 3339, or `None` for a key that does not expire.
    pub expires_at: Option<String>,
    /// The first 16 hex digits of the SHA-256 of the secret.
    pub fingerprint: String,
    #[serde(skip_serializing)]
    pub secret_hash: String,
    /// True while the tenant is suspended: the key is kept but refused.
    pub suspended: bool,
    pub created_at: String,
}

record_kind!(ApiKeyRecord {
    kind: "tenant api key",
    resource: "tenant_api_key",
    named by name within tenant,
    dependents: [],
});
