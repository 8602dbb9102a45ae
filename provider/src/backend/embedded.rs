//! The embedded backend: a SQLite catalog (`<path>/catalog.db`) plus one SQLite file per tenant
//! database under `<path>/databases/` and one storage directory per tenant under the storage
//! root. Deleted databases and storage are archived to `archive_dir` (see `backend::archive`)
//! and the archive verified before the originals are removed.
//!
//! One connection guarded by a mutex serves all calls (the planner applies up to ten resources
//! in parallel); each mutating call is one `IMMEDIATE` transaction in WAL mode, committed before
//! it returns, so a killed process loses no acknowledged change.

mod api_keys;
mod audit;
mod databases;
mod grants;
mod policies;
mod schema;
mod storage;
mod tenants;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{
    ApiKeyRecord, AuditEntry, Backend, BackendError, DatabaseRecord, GrantRecord, PolicyRecord,
    StorageRecord, TenantFilter, TenantRecord, UserRecord, now_rfc3339,
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The catalog's file name inside the backend's folder.
pub const CATALOG_FILE: &str = "catalog.db";

/// Where the embedded backend keeps its files.
#[derive(Clone, Debug)]
pub struct EmbeddedSettings {
    /// Root folder; holds `catalog.db` and `databases/`.
    pub path: PathBuf,
    /// Archives of deleted databases; defaults to `<path>/archive`.
    pub archive_dir: Option<PathBuf>,
    /// Tenant storage; defaults to `<path>/storage`.
    pub storage_root: Option<PathBuf>,
}

/// The embedded (SQLite) backend.
pub struct EmbeddedBackend {
    connection: Mutex<Connection>,
    layout: Layout,
}

/// Absolute folders the backend writes to.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub databases_dir: PathBuf,
    pub archive_dir: PathBuf,
    pub storage_root: PathBuf,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BackendError + '_ {
    move |source| BackendError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn create_dir(path: &Path) -> Result<PathBuf, BackendError> {
    std::fs::create_dir_all(path).map_err(io_error(path))?;
    path.canonicalize().map_err(io_error(path))
}

impl EmbeddedBackend {
    /// Opens (creating when needed) the catalog and the folders.
    pub fn open(settings: &EmbeddedSettings) -> Result<EmbeddedBackend, BackendError> {
        let root = create_dir(&settings.path)?;
        let layout = Layout {
            databases_dir: create_dir(&root.join("databases"))?,
            archive_dir: create_dir(
                settings
                    .archive_dir
                    .as_deref()
                    .unwrap_or(&root.join("archive")),
            )?,
            storage_root: create_dir(
                settings
                    .storage_root
                    .as_deref()
                    .unwrap_or(&root.join("storage")),
            )?,
        };
        let mut connection = Connection::open(root.join(CATALOG_FILE))?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut connection)?;
        Ok(EmbeddedBackend {
            connection: Mutex::new(connection),
            layout,
        })
    }

    /// The folder holding tenant storage.
    pub fn storage_root(&self) -> &Path {
        &self.layout.storage_root
    }

    /// Whether the user with this login may log in now (not disabled, tenant not suspended);
    /// `None` when no user has the login.
    pub fn login_enabled(&self, login: &str) -> Result<Option<bool>, BackendError> {
        self.read(|c| users::login_enabled(c, login))
    }

    /// Removes the tenant tombstones whose retention has passed; returns how many.
    pub fn purge_expired_tombstones(&self) -> Result<usize, BackendError> {
        self.write(|tx| tenants::purge_expired(tx, &now_rfc3339()))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (it rolls back on
        // drop), so a poisoned lock is still safe to use.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` in one committed transaction.
    fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = work(&transaction)?;
        transaction.commit()?;
        Ok(result)
    }

    fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        work(&self.lock())
    }
}

/// Maps a unique-constraint violation to [`BackendError::AlreadyExists`].
fn unique_violation(
    kind: &'static str,
    key: String,
) -> impl FnOnce(rusqlite::Error) -> BackendError {
    move |error| match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) if error.to_string().contains("UNIQUE") => {
            BackendError::AlreadyExists { kind, key }
        }
        _ => BackendError::Sqlite(error),
    }
}

impl Backend for EmbeddedBackend {
    fn create_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError> {
        self.write(|tx| tenants::create(tx, record))
    }
    fn get_tenant(&self, id: &str) -> Result<Option<TenantRecord>, BackendError> {
        self.read(|c| tenants::get(c, id))
    }
    fn find_tenant_by_slug(&self, slug: &str) -> Result<Option<TenantRecord>, BackendError> {
        self.read(|c| tenants::find_by_slug(c, slug))
    }
    fn update_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError> {
        self.write(|tx| tenants::update(tx, record))
    }
    fn delete_tenant(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| tenants::delete(tx, id))
    }
    fn list_tenants(&self) -> Result<Vec<TenantRecord>, BackendError> {
        self.read(tenants::list)
    }
    fn find_tenants(&self, filter: &TenantFilter) -> Result<Vec<TenantRecord>, BackendError> {
        self.read(|c| tenants::find(c, filter))
    }

    fn create_database(&self, record: &DatabaseRecord) -> Result<DatabaseRecord, BackendError> {
        self.write(|tx| databases::create(tx, &self.layout, record))
    }
    fn get_database(&self, id: &str) -> Result<Option<DatabaseRecord>, BackendError> {
        self.read(|c| databases::get(c, &self.layout, id))
    }
    fn find_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.read(|c| databases::find(c, &self.layout, tenant_id, name))
    }
    fn update_database(&self, record: &DatabaseRecord) -> Result<DatabaseRecord, BackendError> {
        self.write(|tx| databases::update(tx, &self.layout, record))
    }
    fn delete_database(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| databases::delete(tx, &self.layout, id))
    }
    fn list_databases(&self, tenant_id: &str) -> Result<Vec<DatabaseRecord>, BackendError> {
        self.read(|c| databases::list(c, &self.layout, tenant_id))
    }

    fn create_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError> {
        self.write(|tx| users::create(tx, record))
    }
    fn get_user(&self, id: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(|c| users::get(c, id))
    }
    fn find_user(&self, tenant_id: &str, email: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(|c| users::find(c, tenant_id, email))
    }
    fn find_user_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(|c| users::find_by_login(c, login))
    }
    fn update_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError> {
        self.write(|tx| users::update(tx, record))
    }
    fn delete_user(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| users::delete(tx, id))
    }
    fn list_users(&self, tenant_id: &str) -> Result<Vec<UserRecord>, BackendError> {
        self.read(|c| users::list(c, tenant_id))
    }

    fn create_grant(&self, record: &GrantRecord) -> Result<GrantRecord, BackendError> {
        self.write(|tx| grants::create(tx, record))
    }
    fn get_grant(&self, id: &str) -> Result<Option<GrantRecord>, BackendError> {
        self.read(|c| grants::get(c, id))
    }
    fn find_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.read(|c| grants::find(c, user_id, database_id))
    }
    fn update_grant(&self, record: &GrantRecord) -> Result<GrantRecord, BackendError> {
        self.write(|tx| grants::update(tx, record))
    }
    fn delete_grant(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| grants::delete(tx, id))
    }
    fn list_grants(&self, user_id: &str) -> Result<Vec<GrantRecord>, BackendError> {
        self.read(|c| grants::list(c, user_id))
    }

    fn create_storage(&self, record: &StorageRecord) -> Result<StorageRecord, BackendError> {
        self.write(|tx| storage::create(tx, &self.layout, record))
    }
    fn get_storage(&self, id: &str) -> Result<Option<StorageRecord>, BackendError> {
        self.read(|c| storage::get(c, id))
    }
    fn find_storage(&self, tenant_id: &str) -> Result<Option<StorageRecord>, BackendError> {
        self.read(|c| storage::find(c, tenant_id))
    }
    fn update_storage(&self, record: &StorageRecord) -> Result<StorageRecord, BackendError> {
        self.write(|tx| storage::update(tx, record))
    }
    fn delete_storage(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| storage::delete(tx, &self.layout, id))
    }

    fn create_api_key(&self, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError> {
        self.write(|tx| api_keys::create(tx, record))
    }
    fn get_api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, BackendError> {
        self.read(|c| api_keys::get(c, id))
    }
    fn find_api_key(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<ApiKeyRecord>, BackendError> {
        self.read(|c| api_keys::find(c, tenant_id, name))
    }
    fn update_api_key(&self, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError> {
        self.write(|tx| api_keys::update(tx, record))
    }
    fn delete_api_key(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| api_keys::revoke(tx, id))
    }
    fn list_api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKeyRecord>, BackendError> {
        self.read(|c| api_keys::list(c, tenant_id))
    }

    fn create_policy(&self, record: &PolicyRecord) -> Result<PolicyRecord, BackendError> {
        self.write(|tx| policies::create(tx, record))
    }
    fn get_policy(&self, id: &str) -> Result<Option<PolicyRecord>, BackendError> {
        self.read(|c| policies::get(c, id))
    }
    fn find_policy(&self, tenant_id: &str) -> Result<Option<PolicyRecord>, BackendError> {
        self.read(|c| policies::find(c, tenant_id))
    }
    fn update_policy(&self, record: &PolicyRecord) -> Result<PolicyRecord, BackendError> {
        self.write(|tx| policies::update(tx, record))
    }
    fn delete_policy(&self, id: &str) -> Result<bool, BackendError> {
        self.write(|tx| policies::delete(tx, id))
    }

    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError> {
        self.read(audit::entries)
    }
}

#[cfg(test)]
mod tests;
