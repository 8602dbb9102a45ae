//! The tenant security policy record.

use serde::Serialize;

use super::Record;

/// A tenant's security policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyRecord {
    pub id: String,
    pub tenant_id: String,
    pub mfa_required: bool,
    /// A duration such as `8h` or `30m`.
    pub session_ttl: String,
    /// CIDR blocks, in the configured order.
    pub ip_allowlist: Vec<String>,
}

impl Record for PolicyRecord {
    const KIND: &'static str = "tenant policy";
    const RESOURCE: &'static str = "tenant_policy";
    /// The tenant's id: one policy per tenant.
    type Key<'a> = &'a str;
    /// The tenant's id.
    type Scope<'a> = &'a str;

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> &str {
        &self.tenant_id
    }
    fn key_label(&self) -> String {
        format!("of tenant {:?}", self.tenant_id)
    }
}
