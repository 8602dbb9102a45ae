//! The tenant record, its contacts and the filter tenant listings take.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Dependent, Record};

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

const fn per_tenant(table: &'static str, label: &'static str) -> Dependent {
    Dependent {
        table,
        column: "tenant_id",
        label,
        live_only: "",
    }
}

impl Record for TenantRecord {
    const KIND: &'static str = "tenant";
    const RESOURCE: &'static str = "tenant";
    const DEPENDENTS: &'static [Dependent] = &[
        per_tenant("databases", "database(s)"),
        per_tenant("users", "user(s)"),
        per_tenant("storage", "storage"),
        Dependent {
            live_only: "revoked_at IS NULL",
            ..per_tenant("api_keys", "API key(s)")
        },
        per_tenant("policies", "policy"),
    ];
    /// The slug.
    type Key<'a> = &'a str;
    type Scope<'a> = ();

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> &str {
        &self.slug
    }
    fn key_label(&self) -> String {
        format!("{:?}", self.slug)
    }
}

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
