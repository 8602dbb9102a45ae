//! The PostgreSQL backend: the platform catalog lives in schema `tenant_catalog` of the
//! target database, and tenant objects are real PostgreSQL objects there: a schema with a
//! NOLOGIN owner role per tenant database, a LOGIN role per user, GRANT/REVOKE per grant.
//!
//! Every mutating call is one transaction (catalog rows, DDL and audit entry together),
//! serialized per tenant with an advisory lock and retried on transient concurrency errors.
//! Reads look at the live objects, so changes made behind the provider's back show as drift.
//! It works as a superuser and as a non-superuser with `CREATEROLE CREATEDB` that owns the
//! database, as managed PostgreSQL services run.

mod api_keys;
mod audit;
mod catalog;
mod databases;
mod export;
mod foreign;
mod grants;
mod handover;
mod live;
mod policies;
mod privileges;
mod roles;
mod runtime;
mod session;
mod sql;
mod storage;
mod table;
mod tenants;
mod users;

use std::path::PathBuf;
use std::str::FromStr;

use deadpool_postgres::Pool;
use tokio_postgres::config::Host;

use super::{
    AuditEntry, Backend, BackendError, DatabaseRecord, GrantRecord, TenantStore, UserRecord,
    UserStore,
};
pub use catalog::{CATALOG_SCHEMA, CATALOG_VERSION};
use runtime::RuntimeBridge;
pub use sql::{quote_ident, quote_literal};

/// Where the PostgreSQL backend connects and keeps its files.
#[derive(Clone, Debug)]
pub struct PostgresSettings {
    /// A libpq-style connection string or `postgresql://` URI.
    pub dsn: String,
    /// Archives of deleted databases and storage.
    pub archive_dir: PathBuf,
    /// Tenant storage directories.
    pub storage_root: PathBuf,
}

/// What the per-kind modules need besides a connection.
pub struct Context {
    pub archive_dir: PathBuf,
    pub storage_root: PathBuf,
    /// Superusers need no role memberships to manage tenant roles.
    pub is_superuser: bool,
    /// `postgresql://host:port/database`, without user or password.
    uri_base: String,
}

impl Context {
    /// The connection URI of a tenant database: no credentials, its schema as search_path.
    pub fn connection_uri(&self, schema: &str) -> String {
        format!("{}?options=-csearch_path%3D{schema}", self.uri_base)
    }
}

/// The PostgreSQL backend.
pub struct PostgresBackend {
    pool: Pool,
    context: Context,
    // Declared last: the pool's connections must close before the runtime they run on.
    runtime: RuntimeBridge,
}

fn invalid_dsn(message: String) -> BackendError {
    BackendError::Postgres {
        code: "dsn".to_string(),
        message,
    }
}

/// `postgresql://host:port/database` from the parsed configuration.
fn uri_base(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) if name.contains(':') => format!("[{name}]"),
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => format!(
            "%2F{}",
            path.display()
                .to_string()
                .trim_start_matches('/')
                .replace('/', "%2F")
        ),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgresql://{host}:{port}/{database}")
}

impl PostgresBackend {
    /// Connects, creates or checks the catalog, and creates the folders.
    pub fn open(settings: &PostgresSettings) -> Result<PostgresBackend, BackendError> {
        let prepared = pgtls::prepare(&settings.dsn, pgtls::Semantics::Libpq)
            .map_err(|error| invalid_dsn(format!("the dsn's TLS settings: {error}")))?;
        let config = tokio_postgres::Config::from_str(&prepared.conn_str).map_err(|_| {
            invalid_dsn("the dsn is not a valid PostgreSQL connection string".into())
        })?;
        for dir in [&settings.archive_dir, &settings.storage_root] {
            std::fs::create_dir_all(dir).map_err(|source| BackendError::Io {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let absolute = |dir: &PathBuf| dir.canonicalize().unwrap_or_else(|_| dir.clone());
        let runtime = RuntimeBridge::new()?;
        let uri_base = uri_base(&config);
        let pool = session::build_pool(config, prepared.tls)?;
        let is_superuser = runtime.block_on(async {
            let object = pool.get().await?;
            let row = object
                .query_one(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
                    &[],
                )
                .await?;
            Ok::<bool, BackendError>(row.get(0))
        })?;
        runtime.block_on(session::write(&pool, async |tx| catalog::migrate(tx).await))?;
        Ok(PostgresBackend {
            pool,
            context: Context {
                archive_dir: absolute(&settings.archive_dir),
                storage_root: absolute(&settings.storage_root),
                is_superuser,
                uri_base,
            },
            runtime,
        })
    }

    /// Whether the connected role is a superuser.
    pub fn is_superuser(&self) -> bool {
        self.context.is_superuser
    }

    fn write<T>(
        &self,
        work: impl AsyncFn(&tokio_postgres::Transaction<'_>) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        self.runtime.block_on(session::write(&self.pool, work))
    }

    fn read<T>(
        &self,
        work: impl AsyncFn(&tokio_postgres::Client) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        self.runtime.block_on(session::read(&self.pool, work))
    }
}

impl TenantStore for PostgresBackend {}

impl UserStore for PostgresBackend {
    fn create_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        self.write(async |tx| {
            users::create_with_password(tx, &self.context, record, Some(password)).await
        })
    }
    fn update_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        self.write(async |tx| {
            users::update_with_password(tx, &self.context, record, Some(password)).await
        })
    }
    fn find_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(async |c| users::find_by_login(c, &self.context, login).await)
    }
}

impl Backend for PostgresBackend {
    stores_of_self!();

    fn discover_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.read(async |c| databases::discover(c, &self.context, tenant_id, name).await)
    }
    fn discover_user(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> Result<Option<UserRecord>, BackendError> {
        self.read(async |c| users::discover(c, &self.context, tenant_id, email).await)
    }
    fn discover_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.write(async |tx| grants::discover(tx, &self.context, user_id, database_id).await)
    }

    fn foreign(&self) -> Option<&dyn super::foreign::ForeignObjects> {
        Some(self)
    }

    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError> {
        self.read(async |c| audit::entries(c).await)
    }
}

#[cfg(test)]
mod tests;
