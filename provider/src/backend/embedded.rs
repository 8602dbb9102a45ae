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
mod table;
mod tenants;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{AuditEntry, Backend, BackendError, TenantStore, UserRecord, UserStore, now_rfc3339};

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Prepared statements kept for reuse: the reads, inserts and updates of every kind and the
/// audit log's, so that none is parsed again per call.
const STATEMENT_CACHE_CAPACITY: usize = 64;
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
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
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
        self.write(|tx| tenants::purge_expired(tx, &self.layout, &now_rfc3339()))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (it rolls back on
        // drop), so a poisoned lock is still safe to use.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

impl TenantStore for EmbeddedBackend {}

impl UserStore for EmbeddedBackend {
    fn find_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(|c| users::find_by_login(c, &self.layout, login))
    }
}

impl Backend for EmbeddedBackend {
    fn reads_inline(&self) -> bool {
        true
    }

    stores_of_self!();
    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError> {
        self.read(audit::entries)
    }
}

#[cfg(test)]
mod tests;
