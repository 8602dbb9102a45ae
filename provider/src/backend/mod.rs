//! The backend: the only place where the provider touches SQL or the file system.
//!
//! [`Backend`] is synchronous; the server calls it from `tokio::task::spawn_blocking`. Every
//! mutating call commits its own transaction, so its effect is durable when the call returns,
//! and appends an entry to the backend's hash-chained audit log. Records carry ids chosen by
//! the caller, which lets an interrupted apply be adopted later under the same id.

pub mod archive;
pub mod audit;
pub mod embedded;
pub mod postgres;
pub mod storage_files;

pub use crate::records::{
    ApiKeyRecord, Contact, DatabaseRecord, GrantRecord, PolicyRecord, StorageRecord, TenantFilter,
    TenantRecord, UserRecord,
};
pub use audit::{AuditEntry, AuditVerification};

/// The current time as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_else(|_| now.unix_timestamp().to_string())
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
    #[error("archive error: {0}")]
    Archive(String),
    /// A PostgreSQL failure: its SQLSTATE (or `client`/`connection`/`pool` for failures
    /// outside the server) and message.
    #[error("{message} (PostgreSQL {code})")]
    Postgres { code: String, message: String },
}

/// CRUD, natural-key lookup and listing for every record kind.
///
/// `delete_*` returns `Ok(false)` when the object was already gone, so destroy is idempotent.
pub trait Backend: Send + Sync {
    fn create_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError>;
    fn get_tenant(&self, id: &str) -> Result<Option<TenantRecord>, BackendError>;
    fn find_tenant_by_slug(&self, slug: &str) -> Result<Option<TenantRecord>, BackendError>;
    /// A change of `status` takes effect here: to `suspended`, every user's login is turned
    /// off (and its sessions ended) and every API key suspended; back to `active`, users that
    /// are not disabled can log in again and the keys are accepted again. Nothing is deleted.
    fn update_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError>;
    /// Tombstones the tenant: the record is kept, marked deleted, for `retention_days`, then
    /// purged. Fails with [`BackendError::HasDependents`] while the tenant has any live
    /// database, user, storage, API key or policy.
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
    /// [`Backend::create_user`] with the plaintext password the login is to accept. Backends
    /// whose logins are real database roles need it to set the role's password verifier; the
    /// plaintext is never stored, logged or audited.
    fn create_user_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        let _ = password;
        self.create_user(record)
    }
    fn get_user(&self, id: &str) -> Result<Option<UserRecord>, BackendError>;
    fn find_user(&self, tenant_id: &str, email: &str) -> Result<Option<UserRecord>, BackendError>;
    fn find_user_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError>;
    fn update_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError>;
    /// [`Backend::update_user`] that also sets a new password (see
    /// [`Backend::create_user_with_password`]).
    fn update_user_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        let _ = password;
        self.update_user(record)
    }
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

    /// One storage per tenant. Creating makes the directory; reads measure its usage.
    fn create_storage(&self, record: &StorageRecord) -> Result<StorageRecord, BackendError>;
    fn get_storage(&self, id: &str) -> Result<Option<StorageRecord>, BackendError>;
    fn find_storage(&self, tenant_id: &str) -> Result<Option<StorageRecord>, BackendError>;
    fn update_storage(&self, record: &StorageRecord) -> Result<StorageRecord, BackendError>;
    /// Archives the directory to the archive directory with a verified checksum, then removes
    /// it and the record.
    fn delete_storage(&self, id: &str) -> Result<bool, BackendError>;

    /// `find_api_key` looks up a live key by its tenant and name.
    fn create_api_key(&self, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError>;
    fn get_api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, BackendError>;
    fn find_api_key(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<ApiKeyRecord>, BackendError>;
    fn update_api_key(&self, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError>;
    /// Revokes the key: it is never accepted again and no longer listed; the audit log keeps
    /// the record of it.
    fn delete_api_key(&self, id: &str) -> Result<bool, BackendError>;
    fn list_api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKeyRecord>, BackendError>;

    /// One policy per tenant.
    fn create_policy(&self, record: &PolicyRecord) -> Result<PolicyRecord, BackendError>;
    fn get_policy(&self, id: &str) -> Result<Option<PolicyRecord>, BackendError>;
    fn find_policy(&self, tenant_id: &str) -> Result<Option<PolicyRecord>, BackendError>;
    fn update_policy(&self, record: &PolicyRecord) -> Result<PolicyRecord, BackendError>;
    fn delete_policy(&self, id: &str) -> Result<bool, BackendError>;

    /// A database that exists in the live system but not in the catalog (made by hand or by
    /// an older script), registered in the catalog and returned; else [`Backend::find_database`].
    /// Only import calls it: planning never changes anything.
    fn discover_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.find_database(tenant_id, name)
    }
    /// Like [`Backend::discover_database`], for a login role.
    fn discover_user(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> Result<Option<UserRecord>, BackendError> {
        self.find_user(tenant_id, email)
    }
    /// Like [`Backend::discover_database`], for the privileges a role holds on a schema.
    fn discover_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.find_grant(user_id, database_id)
    }

    /// Every audit entry, in log order.
    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError>;
    /// Recomputes the audit log's hash chain.
    fn verify_audit(&self) -> Result<AuditVerification, BackendError> {
        Ok(audit::verify(self.audit_entries()?))
    }
}
