//! The embedded catalog's layout and its migrations. A new catalog is built by running every
//! migration in turn, so new and upgraded catalogs are the same; `schema_version` records the
//! version reached, and a catalog newer than this code is refused.

use rusqlite::{Connection, TransactionBehavior};

use crate::backend::BackendError;

/// The catalog layout this code reads and writes.
pub(super) const CATALOG_SCHEMA_VERSION: i64 = 2;

/// Each step takes the catalog from the version before it to its index + 1.
const MIGRATIONS: &[&str] = &[SCHEMA_V1, SCHEMA_V2];

/// Brings the catalog to [`CATALOG_SCHEMA_VERSION`] in one transaction.
pub(super) fn migrate(connection: &mut Connection) -> Result<(), BackendError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    transaction
        .execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")?;
    let current: i64 = transaction
        .query_row("SELECT max(version) FROM schema_version", [], |row| {
            row.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0);
    if current > CATALOG_SCHEMA_VERSION {
        return Err(BackendError::Corrupt(format!(
            "catalog schema version {current} is newer than this provider understands \
             ({CATALOG_SCHEMA_VERSION}); upgrade the provider"
        )));
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        transaction.execute_batch(step)?;
        transaction.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [index as i64 + 1],
        )?;
    }
    transaction.commit()?;
    Ok(())
}

/// Version 1: tenants, databases, users, grants and the audit log.
pub(super) const SCHEMA_V1: &str = "
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL,
    display_name TEXT NOT NULL,
    tier TEXT NOT NULL,
    region TEXT NOT NULL,
    labels TEXT,
    status TEXT NOT NULL,
    deletion_protection INTEGER NOT NULL,
    retention_days INTEGER NOT NULL,
    contacts TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX tenants_live_slug ON tenants (slug) WHERE deleted_at IS NULL;
CREATE TABLE databases (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    connection_limit INTEGER NOT NULL,
    schema_name TEXT NOT NULL UNIQUE,
    owner_role TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL UNIQUE,
    UNIQUE (tenant_id, name)
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    database_id TEXT NOT NULL REFERENCES databases (id),
    privileges TEXT NOT NULL,
    UNIQUE (user_id, database_id)
);
CREATE INDEX grants_database ON grants (database_id);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
";

/// Version 2: storage, API keys (revoked keys keep their row) and policies; the effective
/// login of users, which a suspended tenant turns off; an index of tenant tombstones for the
/// retention purge; triggers that refuse changes to the audit log (append-only).
const SCHEMA_V2: &str = "
ALTER TABLE users ADD COLUMN login_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN connection_limit INTEGER NOT NULL DEFAULT -1;
UPDATE users SET login_enabled = CASE WHEN disabled = 0 AND tenant_id NOT IN 
    (SELECT id FROM tenants WHERE status = 'suspended') THEN 1 ELSE 0 END;
CREATE INDEX tenants_tombstones ON tenants (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE storage (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL UNIQUE REFERENCES tenants (id),
    quota_gb INTEGER NOT NULL,
    path TEXT NOT NULL UNIQUE
);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at TEXT,
    fingerprint TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    suspended INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (tenant_id, name) WHERE revoked_at IS NULL;
CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL UNIQUE REFERENCES tenants (id),
    mfa_required INTEGER NOT NULL,
    session_ttl TEXT NOT NULL,
    ip_allowlist TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed');
END;
";
