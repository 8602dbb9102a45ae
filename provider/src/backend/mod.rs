//! The backend: the only place where the provider touches SQL or the file system.
//!
//! [`Backend`] is synchronous; the server calls it from `tokio::task::spawn_blocking`, except
//! the reads of a backend whose [`Backend::reads_inline`] says they are local and short. Every
//! mutating call commits its own transaction, so its effect is durable when the call returns,
//! and appends an entry to the backend's hash-chained audit log. Records carry ids chosen by
//! the caller, which lets an interrupted apply be adopted later under the same id.

/// The store accessors of [`Backend`] for a backend that is the store of every kind itself.
macro_rules! stores_of_self {
    () => {
        fn tenants(&self) -> &dyn $crate::backend::TenantStore {
            self
        }
        fn databases(&self) -> &dyn $crate::backend::Store<$crate::records::DatabaseRecord> {
            self
        }
        fn users(&self) -> &dyn $crate::backend::UserStore {
            self
        }
        fn grants(&self) -> &dyn $crate::backend::Store<$crate::records::GrantRecord> {
            self
        }
        fn storage(&self) -> &dyn $crate::backend::Store<$crate::records::StorageRecord> {
            self
        }
        fn api_keys(&self) -> &dyn $crate::backend::Store<$crate::records::ApiKeyRecord> {
            self
        }
        fn policies(&self) -> &dyn $crate::backend::Store<$crate::records::PolicyRecord> {
            self
        }
    };
}

#[macro_use]
pub(crate) mod columns;

pub mod archive;
pub mod audit;
pub(crate) mod catalog_columns;
pub mod embedded;
pub mod foreign;
pub mod postgres;
pub mod storage_files;
pub mod store;

pub use crate::records::{
    ApiKeyRecord, Contact, DatabaseRecord, GrantRecord, PolicyRecord, StorageRecord, TenantFilter,
    TenantRecord, UserRecord,
};
pub use audit::{AuditEntry, AuditVerification};
pub use store::{Store, TenantStore, UserStore};

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

/// The stores of every record kind, the discovery of live objects for import, and the audit
/// log.
pub trait Backend: Send + Sync {
    fn tenants(&self) -> &dyn TenantStore;
    /// `delete` archives the data (with a verified checksum) before dropping it; it fails
    /// while grants still reference the database.
    fn databases(&self) -> &dyn Store<DatabaseRecord>;
    fn users(&self) -> &dyn UserStore;
    fn grants(&self) -> &dyn Store<GrantRecord>;
    /// One storage per tenant. Creating makes the directory; reads measure its usage;
    /// `delete` archives the directory with a verified checksum, then removes it and the
    /// record.
    fn storage(&self) -> &dyn Store<StorageRecord>;
    /// `delete` revokes the key: it is never accepted again and no longer listed; the audit
    /// log keeps the record of it.
    fn api_keys(&self) -> &dyn Store<ApiKeyRecord>;
    /// One policy per tenant.
    fn policies(&self) -> &dyn Store<PolicyRecord>;

    /// Whether reads (refresh and plan) are local and short enough, a few file pages of an
    /// embedded database, to run on the server's async worker rather than being handed to the
    /// blocking pool and back: two thread switches per call that cost more than the read
    /// itself. Writes always go to the blocking pool.
    fn reads_inline(&self) -> bool {
        false
    }

    /// The catalog's database of that name; else one that exists in the live system but not
    /// in the catalog (made by hand or by an older script), read only: its id derives from
    /// its schema's name and the apply of the update its import plans registers it (see
    /// [`foreign::ForeignObjects::register_database`]). Only import calls it.
    fn discover_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.databases().find((tenant_id, name))
    }
    /// Like [`Backend::discover_database`], for a login role.
    fn discover_user(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> Result<Option<UserRecord>, BackendError> {
        self.users().find((tenant_id, email))
    }
    /// The privileges a role holds on a schema, registered as a grant; both the user and the
    /// database must be in the catalog (their import's apply registers them).
    fn discover_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.grants().find((user_id, database_id))
    }

    /// Live schemas and roles outside the catalog, for the adoption of a platform without it;
    /// `None` when the backend has no such objects (the embedded SQLite backend).
    fn foreign(&self) -> Option<&dyn foreign::ForeignObjects> {
        None
    }

    /// Every audit entry, in log order.
    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError>;
    /// Recomputes the audit log's hash chain.
    fn verify_audit(&self) -> Result<AuditVerification, BackendError> {
        Ok(audit::verify(self.audit_entries()?))
    }
}
