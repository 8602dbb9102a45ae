//! The backend: the only place where the provider touches SQL or the file system.
//!
//! [`Backend`] is synchronous; the server calls it from `tokio::task::spawn_blocking`. Every
//! mutating call commits its own transaction, so its effect is durable when the call returns,
//! and appends an entry to the backend's hash-chained audit log. Records carry ids chosen by
//! the caller, which lets an interrupted apply be adopted later under the same id.

pub mod embedded;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// The current time as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatabaseRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub connection_limit: i64,
    pub schema: String,
    pub owner_role: String,
    /// Assigned by the backend on create.
    pub connection_uri: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub login: String,
    /// A salted hash (see `secrets`), never the plaintext.
    #[serde(skip_serializing)]
    pub password_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantRecord {
    pub id: String,
    pub user_id: String,
    pub database_id: String,
    pub privileges: BTreeSet<String>,
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

/// Errors of backend operations. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("{kind} {id:?} does not exist")]
    NotFound { kind: &'static str, id: String },
    #[error("{kind} {key} already exists")]
    AlreadyExists { kind: &'static str, key: String },
    #[error("{kind} {key} still has {dependents}; destroy those first")]
    HasDependents {
        kind: &'static str,
        key: String,
        dependents: String,
    },
    #[error("{0}")]
    InvalidReference(String),
    #[error("the {0} backend is not supported yet")]
    Unsupported(&'static str),
    #[error("storage error at {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("catalog database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("corrupt catalog record: {0}")]
    Corrupt(String),
}

/// CRUD, natural-key lookup and listing for every record kind.
///
/// `delete_*` returns `Ok(false)` when the object was already gone, so destroy is idempotent.
pub trait Backend: Send + Sync {
    fn create_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError>;
    fn get_tenant(&self, id: &str) -> Result<Option<TenantRecord>, BackendError>;
    fn find_tenant_by_slug(&self, slug: &str) -> Result<Option<TenantRecord>, BackendError>;
    fn update_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError>;
    /// Fails with [`BackendError::HasDependents`] while the tenant has databases or users.
    fn delete_tenant(&self, id: &str) -> Result<bool, BackendError>;
    fn list_tenants(&self) -> Result<Vec<TenantRecord>, BackendError>;
    /// The live tenants `filter` matches, ordered by slug.
    fn find_tenants(&self, filter: &TenantFilter) -> Result<Vec<TenantRecord>, BackendError> {
        Ok(self
            .list_tenants()?
            .into_iter()
            .filter(|tenant| filter.matches(tenant))
            .collect())
    }

    fn create_database(&self, record: &DatabaseRecord) -> Result<DatabaseRecord, BackendError>;
    fn get_database(&self, id: &str) -> Result<Option<DatabaseRecord>, BackendError>;
    fn find_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError>;
    fn update_database(&self, record: &DatabaseRecord) -> Result<DatabaseRecord, BackendError>;
    /// Archives the data (with a verified checksum) before dropping it; fails while grants
    /// still reference the database.
    fn delete_database(&self, id: &str) -> Result<bool, BackendError>;
    fn list_databases(&self, tenant_id: &str) -> Result<Vec<DatabaseRecord>, BackendError>;

    fn create_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError>;
    fn get_user(&self, id: &str) -> Result<Option<UserRecord>, BackendError>;
    fn find_user(&self, tenant_id: &str, email: &str) -> Result<Option<UserRecord>, BackendError>;
    fn find_user_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError>;
    fn update_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError>;
    /// Fails while grants still reference the user.
    fn delete_user(&self, id: &str) -> Result<bool, BackendError>;
    fn list_users(&self, tenant_id: &str) -> Result<Vec<UserRecord>, BackendError>;

    fn create_grant(&self, record: &GrantRecord) -> Result<GrantRecord, BackendError>;
    fn get_grant(&self, id: &str) -> Result<Option<GrantRecord>, BackendError>;
    fn find_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError>;
    fn update_grant(&self, record: &GrantRecord) -> Result<GrantRecord, BackendError>;
    fn delete_grant(&self, id: &str) -> Result<bool, BackendError>;
    fn list_grants(&self, user_id: &str) -> Result<Vec<GrantRecord>, BackendError>;
}
