//! The tenant record, its contacts and the filter tenant listings take.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Dependent;

/// A tenant contact (the `contact` nested block).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub kind: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenantRecord {
    pub id: String,
    pub slug: String,
    pub display_name: String,
    pub tier: String,
    pub region: String,
    pub labels: Option<BTreeMap<String, String>>,
    pub status: String,
    pub deletion_protection: bool,
    pub retention_days: i64,
    pub contacts: Vec<Contact>,
    /// RFC 3339, set by the caller on create and kept afterwards.
    pub created_at: String,
}

/// The status of a suspended tenant: its users cannot log in and its API keys are refused.
pub const SUSPENDED_STATUS: &str = "suspended";

impl TenantRecord {
    pub fn is_suspended(&self) -> bool {
        self.status == SUSPENDED_STATUS
    }
}

record_kind!(TenantRecord {
    kind: "tenant",
    resource: "tenant",
    key: (slug): &'a str,
    scope: (),
    label: |record| format!("{:?}", record.slug),
    dependents: [
        Dependent::referencing("databases", "tenant_id", "database(s)"),
        Dependent::referencing("users", "tenant_id", "user(s)"),
        Dependent::referencing("storage", "tenant_id", "storage"),
        Dependent {
            live_only: "revoked_at IS NULL",
            ..Dependent::referencing("api_keys", "tenant_id", "API key(s)")
        },
        Dependent::referencing("policies", "tenant_id", "policy"),
    ],
});

/// Which tenants a listing returns: every condition that is set must hold. `labels` match
/// when the tenant has each of them with the same value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantFilter {
    pub tier: Option<String>,
    pub region: Option<String>,
    pub labels: BTreeMap<String, String>,
}

impl TenantFilter {
    pub fn matches(&self, tenant: &TenantRecord) -> bool {
        let same =
            |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|w| w == actual);
        let empty = BTreeMap::new();
        let labels = tenant.labels.as_ref().unwrap_or(&empty);
        same(&self.tier, &tenant.tier)
            && same(&self.region, &tenant.region)
            && self
                .labels
                .iter()
                .all(|(key, value)| labels.get(key) == Some(value))
    }
}
