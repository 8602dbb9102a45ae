//! The tenant security policy record.

use serde::Serialize;

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

record_kind!(PolicyRecord {
    kind: "tenant policy",
    resource: "tenant_policy",
    one per tenant,
    dependents: [],
});
