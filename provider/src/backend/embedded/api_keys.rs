//! API keys of the embedded backend: catalog rows holding the salted hash and fingerprint of the
//! secret, never the secret. Deleting a key revokes it: the row is kept with `revoked_at` set
//! (so the audit trail can name it) and is no longer returned by any lookup.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::audit::{self, Action};
use super::tenants::{self, SUSPENDED_STATUS};
use super::{now_rfc3339, unique_violation};
use crate::backend::{ApiKeyRecord, BackendError};
use crate::records::Record;

const KIND: &str = ApiKeyRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = ApiKeyRecord::RESOURCE;
const COLUMNS: &str =
    "id, tenant_id, name, scopes, expires_at, fingerprint, secret_hash, suspended, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ApiKeyRecord> {
    let scopes: String = row.get(3)?;
    Ok(ApiKeyRecord {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        name: row.get(2)?,
        scopes: serde_json::from_str::<BTreeSet<String>>(&scopes).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        expires_at: row.get(4)?,
        fingerprint: row.get(5)?,
        secret_hash: row.get(6)?,
        suspended: row.get(7)?,
        created_at: row.get(8)?,
    })
}

fn scopes_json(record: &ApiKeyRecord) -> Result<String, BackendError> {
    serde_json::to_string(&record.scopes).map_err(|e| BackendError::Corrupt(e.to_string()))
}

fn query_one(
    connection: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Option<ApiKeyRecord>, BackendError> {
    Ok(connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM api_keys WHERE revoked_at IS NULL AND {filter}"),
            params,
            from_row,
        )
        .optional()?)
}

pub fn get(connection: &Connection, id: &str) -> Result<Option<ApiKeyRecord>, BackendError> {
    query_one(connection, "id = ?1", [id])
}

pub fn find(
    connection: &Connection,
    tenant_id: &str,
    name: &str,
) -> Result<Option<ApiKeyRecord>, BackendError> {
    query_one(
        connection,
        "tenant_id = ?1 AND name = ?2",
        [tenant_id, name],
    )
}

/// The tenant's live keys, by name.
pub fn list(connection: &Connection, tenant_id: &str) -> Result<Vec<ApiKeyRecord>, BackendError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE tenant_id = ?1 AND revoked_at IS NULL ORDER BY name"
    ))?;
    let rows = statement.query_map([tenant_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A key made while its tenant is suspended starts suspended.
pub fn create(tx: &Transaction<'_>, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError> {
    let tenant = tenants::get(tx, &record.tenant_id)?.ok_or_else(|| {
        BackendError::InvalidReference(format!("tenant {:?} does not exist", record.tenant_id))
    })?;
    let created = ApiKeyRecord {
        suspended: tenant.status == SUSPENDED_STATUS,
        ..record.clone()
    };
    tx.execute(
        &format!("INSERT INTO api_keys ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        params![
            created.id,
            created.tenant_id,
            created.name,
            scopes_json(&created)?,
            created.expires_at,
            created.fingerprint,
            created.secret_hash,
            created.suspended,
            created.created_at
        ],
    )
    .map_err(unique_violation(KIND, format!("{:?}", created.name)))?;
    audit::append(
        tx,
        RESOURCE,
        &created.id,
        Action::Create,
        None,
        Some(&created),
    )?;
    Ok(created)
}

/// Updates the scopes, the expiry and the secret (hash and fingerprint); the tenant, the name
/// and the suspension are not the caller's to change.
pub fn update(tx: &Transaction<'_>, record: &ApiKeyRecord) -> Result<ApiKeyRecord, BackendError> {
    let before = get(tx, &record.id)?.ok_or_else(|| BackendError::NotFound {
        kind: KIND,
        id: record.id.clone(),
    })?;
    let after = ApiKeyRecord {
        scopes: record.scopes.clone(),
        expires_at: record.expires_at.clone(),
        fingerprint: record.fingerprint.clone(),
        secret_hash: record.secret_hash.clone(),
        ..before.clone()
    };
    tx.execute(
        "UPDATE api_keys SET scopes = ?2, expires_at = ?3, fingerprint = ?4, secret_hash = ?5 \
         WHERE id = ?1",
        params![
            after.id,
            scopes_json(&after)?,
            after.expires_at,
            after.fingerprint,
            after.secret_hash
        ],
    )?;
    audit::append(
        tx,
        RESOURCE,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Revokes the key.
pub fn revoke(tx: &Transaction<'_>, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, id)? else {
        return Ok(false);
    };
    tx.execute(
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1",
        params![id, now_rfc3339()],
    )?;
    audit::append(tx, RESOURCE, id, Action::Revoke, Some(&before), None)?;
    Ok(true)
}

/// Sets `suspended` on every live key of the tenant, one audit entry per key changed.
pub fn set_suspended(
    tx: &Transaction<'_>,
    tenant_id: &str,
    suspended: bool,
) -> Result<usize, BackendError> {
    let action = if suspended {
        Action::Suspend
    } else {
        Action::Resume
    };
    let mut changed = 0;
    for before in list(tx, tenant_id)?
        .into_iter()
        .filter(|key| key.suspended != suspended)
    {
        tx.execute(
            "UPDATE api_keys SET suspended = ?2 WHERE id = ?1",
            params![before.id, suspended],
        )?;
        let after = ApiKeyRecord {
            suspended,
            ..before.clone()
        };
        audit::append(
            tx,
            RESOURCE,
            &before.id,
            action,
            Some(&before),
            Some(&after),
        )?;
        changed += 1;
    }
    Ok(changed)
}
