//! The catalog tables of every record kind, the same on every backend: each kind's table,
//! natural key, listing scope and order, and its stored fields in column order (see
//! [`stored_columns!`](super::columns)).

use super::columns::Columns;
use crate::records::{
    ApiKeyRecord, DatabaseRecord, GrantRecord, PolicyRecord, StorageRecord, TenantRecord,
    UserRecord,
};

stored_columns! {
    TenantRecord in "tenants" {
        live: "deleted_at IS NULL",
        key: [slug],
        scope: [],
        order: slug,
        columns: [
            id, slug, display_name, tier, region, labels: json, status, deletion_protection,
            retention_days, contacts: json, created_at,
        ],
    }
}

stored_columns! {
    UserRecord in "users" {
        key: [tenant_id, email],
        scope: [tenant_id],
        order: email,
        columns: [id, tenant_id, email, role, disabled, login, password_hash, connection_limit],
    }
}

stored_columns! {
    DatabaseRecord in "databases" {
        key: [tenant_id, name],
        scope: [tenant_id],
        order: name,
        columns: [id, tenant_id, name, connection_limit, schema = "schema_name", owner_role],
        unstored: { connection_uri: String::new() },
    }
}

stored_columns! {
    GrantRecord in "grants" {
        key: [user_id, database_id],
        scope: [user_id],
        order: database_id,
        columns: [id, user_id, database_id, privileges: json],
    }
}

stored_columns! {
    StorageRecord in "storage" {
        key: [tenant_id],
        scope: [tenant_id],
        order: tenant_id,
        columns: [id, tenant_id, quota_gb, path],
        unstored: { used_bytes: 0 },
    }
}

stored_columns! {
    ApiKeyRecord in "api_keys" {
        live: "revoked_at IS NULL",
        key: [tenant_id, name],
        scope: [tenant_id],
        order: name,
        columns: [
            id, tenant_id, name, scopes: json, expires_at, fingerprint, secret_hash, suspended,
            created_at,
        ],
    }
}

stored_columns! {
    PolicyRecord in "policies" {
        key: [tenant_id],
        scope: [tenant_id],
        order: tenant_id,
        columns: [id, tenant_id, mfa_required, session_ttl, ip_allowlist: json],
    }
}

/// The tenant columns an update writes: every one but the first (`id`) and the last
/// (`created_at`), which are fixed at create.
pub(crate) const TENANT_UPDATED: &[&str] = between_first_and_last(TenantRecord::NAMES);

const fn between_first_and_last(names: &'static [&'static str]) -> &'static [&'static str] {
    match names.split_first() {
        Some((_, rest)) => match rest.split_last() {
            Some((_, middle)) => middle,
            None => &[],
        },
        None => &[],
    }
}
