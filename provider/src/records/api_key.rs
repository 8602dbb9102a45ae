//! The API key record.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Record;

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

impl Record for ApiKeyRecord {
    const KIND: &'static str = "tenant api key";
    const RESOURCE: &'static str = "tenant_api_key";
    /// The tenant's id and the name.
    type Key<'a> = (&'a str, &'a str);
    /// The tenant's id.
    type Scope<'a> = &'a str;

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> (&str, &str) {
        (&self.tenant_id, &self.name)
    }
    fn key_label(&self) -> String {
        format!("{:?}", self.name)
    }
}
