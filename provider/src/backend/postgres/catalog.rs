//! The platform catalog in schema `tenant_catalog`: created when missing and versioned like
//! the embedded catalog, so a newer layout is refused instead of misread.

use tokio_postgres::Transaction;

use super::session::lock_key;
use crate::backend::BackendError;

/// The schema holding the catalog tables.
pub const CATALOG_SCHEMA: &str = "tenant_catalog";
/// The catalog layout this code reads and writes.
pub const CATALOG_VERSION: i32 = 1;

/// Creates or checks the catalog, serialized with other provider processes doing the same.
pub(super) async fn migrate(tx: &Transaction<'_>) -> Result<(), BackendError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&lock_key("catalog", "migrate")],
    )
    .await?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS tenant_catalog;
         CREATE TABLE IF NOT EXISTS tenant_catalog.schema_version (version integer NOT NULL);",
    )
    .await?;
    let current: Option<i32> = tx
        .query_one(
            "SELECT max(version) FROM tenant_catalog.schema_version",
            &[],
        )
        .await?
        .get(0);
    match current {
        None => {
            tx.batch_execute(TABLES).await?;
            tx.execute(
                "INSERT INTO tenant_catalog.schema_version (version) VALUES ($1)",
                &[&CATALOG_VERSION],
            )
            .await?;
            Ok(())
        }
        Some(CATALOG_VERSION) => Ok(()),
        Some(other) => Err(BackendError::Corrupt(format!(
            "catalog schema version {other} is newer than this provider understands \
             ({CATALOG_VERSION}); upgrade the provider"
        ))),
    }
}

const TABLES: &str = "
CREATE TABLE tenant_catalog.tenants (
    id text PRIMARY KEY,
    slug text NOT NULL,
    display_name text NOT NULL,
    tier text NOT NULL,
    region text NOT NULL,
    labels text,
    status text NOT NULL,
    deletion_protection boolean NOT NULL,
    retention_days bigint NOT NULL,
    contacts text NOT NULL,
    created_at text NOT NULL,
    deleted_at timestamptz
);
CREATE UNIQUE INDEX tenants_live_slug ON tenant_catalog.tenants (slug) WHERE deleted_at IS NULL;
CREATE TABLE tenant_catalog.databases (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenant_catalog.tenants (id),
    name text NOT NULL,
    connection_limit bigint NOT NULL,
    schema_name text NOT NULL UNIQUE,
    owner_role text NOT NULL UNIQUE,
    UNIQUE (tenant_id, name)
);
CREATE TABLE tenant_catalog.users (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenant_catalog.tenants (id),
    email text NOT NULL,
    role text NOT NULL,
    disabled boolean NOT NULL,
    login text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    connection_limit bigint NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE TABLE tenant_catalog.grants (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES tenant_catalog.users (id),
    database_id text NOT NULL REFERENCES tenant_catalog.databases (id),
    privileges text NOT NULL,
    UNIQUE (user_id, database_id)
);
CREATE INDEX grants_database ON tenant_catalog.grants (database_id);
CREATE TABLE tenant_catalog.storage (
    id text PRIMARY KEY,
    tenant_id text NOT NULL UNIQUE REFERENCES tenant_catalog.tenants (id),
    quota_gb bigint NOT NULL,
    path text NOT NULL
);
CREATE TABLE tenant_catalog.api_keys (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenant_catalog.tenants (id),
    name text NOT NULL,
    scopes text NOT NULL,
    expires_at text,
    fingerprint text NOT NULL,
    secret_hash text NOT NULL,
    suspended boolean NOT NULL,
    created_at text NOT NULL,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX api_keys_live_name ON tenant_catalog.api_keys (tenant_id, name)
    WHERE revoked_at IS NULL;
CREATE TABLE tenant_catalog.policies (
    id text PRIMARY KEY,
    tenant_id text NOT NULL UNIQUE REFERENCES tenant_catalog.tenants (id),
    mfa_required boolean NOT NULL,
    session_ttl text NOT NULL,
    ip_allowlist text NOT NULL
);
CREATE TABLE tenant_catalog.audit_log (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    resource text NOT NULL,
    resource_id text NOT NULL,
    action text NOT NULL,
    before text,
    after text,
    prev_hash text NOT NULL,
    hash text NOT NULL
);
-- Append-only: changing or removing history is refused (the hash chain still reveals it
-- when someone with the rights to switch the trigger off does it anyway).
CREATE FUNCTION tenant_catalog.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON tenant_catalog.audit_log FOR EACH STATEMENT
    EXECUTE FUNCTION tenant_catalog.refuse_audit_change();
";
