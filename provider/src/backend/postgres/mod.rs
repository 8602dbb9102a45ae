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
mod grants;
mod live;
mod policies;
mod privileges;
mod roles;
mod runtime;
mod session;
mod sql;
mod storage;
mod tenants;
mod users;

use std::path::PathBuf;
use std::str::FromStr;

use deadpool_postgres::Pool;
use tokio_postgres::config::Host;

use super::{
    ApiKeyRecord, AuditEntry, Backend, BackendError, DatabaseRecord, GrantRecord, PolicyRecord,
    StorageRecord, TenantFilter, TenantRecord, UserRecord,
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
        let config = tokio_postgres::Config::from_str(&settings.dsn).map_err(|_| {
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
        let pool = session::build_pool(config)?;
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

impl Backend for PostgresBackend {
    fn create_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError> {
        self.write(async |tx| tenants::create(tx, record).await)
    }
    fn get_tenant(&self, id: &str) -> Result<Option<TenantRecord>, BackendError> {
        self.read(async |c| tenants::get(c, id).await)
    }
    fn find_tenant_by_slug(&self, slug: &str) -> Result<Option<TenantRecord>, BackendError> {
        self.read(async |c| tenants::find_by_slug(c, slug).await)
    }
    fn update_tenant(&self, record: &TenantRecord) -> Result<TenantRecord, BackendError> {
        self.write(async |tx| tenants::update(tx, &self.context, record).await)
    }
    fn delete_tenant(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| tenants::delete(tx, id).await)
    }
    fn list_tenants(&self) -> Result<Vec<TenantRecord>, BackendError> {
        self.read(async |c| tenants::list(c).await)
    }
    fn find_tenants(&self, filter: &TenantFilter) -> Result<Vec<TenantRecord>, BackendError> {
        self.read(async |c| tenants::find(c, filter).await)
    }

    fn create_database(&self, record: &DatabaseRecord) -> Result<DatabaseRecord, BackendError> {
        self.write(async |tx| databases::create(tx, &self.context, record).await)
    }
    fn get_database(&self, id: &str) -> Result<Option<DatabaseRecord>, BackendError> {
        self.read(async |c| databases::get(c, &self.context, id).await)
    }
    fn find_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.read(async |c| databases::find(c, &self.context, tenant_id, name).await)
    }
    fn update_database(&self, record: &DatabaseRecord) -> Result<DatabaseRecord, BackendError> {
        self.write(async |tx| databases::update(tx, &self.context, record).await)
    }
    fn delete_database(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| databases::delete(tx, &self.context, id).await)
    }
    fn list_databases(&self, tenant_id: &str) -> Result<Vec<DatabaseRecord>, BackendError> {
        self.read(async |c| databases::list(c, &self.context, tenant_id).await)
    }

    fn create_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError> {
        self.write(async |tx| users::create(tx, &self.context, record, None).await)
    }
    fn create_user_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        self.write(async |tx| users::create(tx, &self.context, record, Some(password)).await)
    }
    fn get_user(&self, id: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(async |c| users::get(c, id).await)
    }
    fn find_user(&self, tenant_id: &str, email: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(async |c| users::find(c, tenant_id, email).await)
    }
    fn find_user_by_login(&self, login: &str) -> Result<Option<UserRecord>, BackendError> {
        self.read(async |c| users::find_by_login(c, login).await)
    }
    fn update_user(&self, record: &UserRecord) -> Result<UserRecord, BackendError> {
        self.write(async |tx| users::update(tx, &self.context, record, None).await)
    }
    fn update_user_with_password(
        &self,
        record: &UserRecord,
        password: &str,
    ) -> Result<UserRecord, BackendError> {
        self.write(async |tx| users::update(tx, &self.context, record, Some(password)).await)
    }
    fn delete_user(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| users::delete(tx, &self.context, id).await)
    }
    fn list_users(&self, tenant_id: &str) -> Result<Vec<UserRecord>, BackendError> {
        self.read(async |c| users::list(c, tenant_id).await)
    }

    fn create_grant(&self, record: &GrantRecord) -> Result<GrantRecord, BackendError> {
        self.write(async |tx| grants::create(tx, &self.context, record).await)
    }
    fn get_grant(&self, id: &str) -> Result<Option<GrantRecord>, BackendError> {
        self.read(async |c| grants::get(c, &self.context, id).await)
    }
    fn find_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.read(async |c| grants::find(c, &self.context, user_id, database_id).await)
    }
    fn update_grant(&self, record: &GrantRecord) -> Result<GrantRecord, BackendError> {
        self.write(async |tx| grants::update(tx, &self.context, record).await)
    }
    fn delete_grant(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| grants::delete(tx, &self.context, id).await)
    }
    fn list_grants(&self, user_id: &str) -> Result<Vec<GrantRecord>, BackendError> {
        self.read(async |c| grants::list(c, &self.context, user_id).await)
    }

    fn create_storage(&self, record: &StorageRecord) -> Result<StorageRecord, BackendError> {
        self.write(async |tx| storage::create(tx, &self.context, record).await)
    }
    fn get_storage(&self, id: &str) -> Result<Option<StorageRecord>, BackendError> {
        self.read(async |c| storage::get(c, id).await)
    }
    fn find_storage(&self, tenant_id: &str) -> Result<Option<StorageRecord>, BackendError> {
        self.read(async |c| storage::find(c, tenant_id).await)
    }
    fn update_storage(&self, record: &StorageRecord) -> Result<StorageRecord, BackendError> {
        self.write(async |tx| storage::update(tx, record).await)
    }
    fn delete_storage(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| storage::delete(tx, &self.context, id).await)
    }

    fn create_api_key(&self, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError> {
        self.write(async |tx| api_keys::create(tx, record).await)
    }
    fn get_api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, BackendError> {
        self.read(async |c| api_keys::get(c, id).await)
    }
    fn find_api_key(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<ApiKeyRecord>, BackendError> {
        self.read(async |c| api_keys::find(c, tenant_id, name).await)
    }
    fn update_api_key(&self, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError> {
        self.write(async |tx| api_keys::update(tx, record).await)
    }
    fn delete_api_key(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| api_keys::revoke(tx, id).await)
    }
    fn list_api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKeyRecord>, BackendError> {
        self.read(async |c| api_keys::list(c, tenant_id).await)
    }

    fn create_policy(&self, record: &PolicyRecord) -> Result<PolicyRecord, BackendError> {
        self.write(async |tx| policies::create(tx, record).await)
    }
    fn get_policy(&self, id: &str) -> Result<Option<PolicyRecord>, BackendError> {
        self.read(async |c| policies::get(c, id).await)
    }
    fn find_policy(&self, tenant_id: &str) -> Result<Option<PolicyRecord>, BackendError> {
        self.read(async |c| policies::find(c, tenant_id).await)
    }
    fn update_policy(&self, record: &PolicyRecord) -> Result<PolicyRecord, BackendError> {
        self.write(async |tx| policies::update(tx, record).await)
    }
    fn delete_policy(&self, id: &str) -> Result<bool, BackendError> {
        self.write(async |tx| policies::delete(tx, id).await)
    }

    fn discover_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.write(async |tx| databases::discover(tx, &self.context, tenant_id, name).await)
    }
    fn discover_user(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> Result<Option<UserRecord>, BackendError> {
        self.write(async |tx| users::discover(tx, &self.context, tenant_id, email).await)
    }
    fn discover_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.write(async |tx| grants::discover(tx, &self.context, user_id, database_id).await)
    }

    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError> {
        self.read(async |c| audit::entries(c).await)
    }
}

#[cfg(test)]
mod tests;
