//! The embedded backend's storage of the audit log: the `audit_log` table holds the entries of
//! the shared model (`backend::audit`), appended in the transaction of the change they record.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use crate::backend::BackendError;
pub(super) use crate::backend::audit::Action;
use crate::backend::audit::{AuditEntry, GENESIS_HASH, to_json};

/// Appends one entry in the caller's transaction.
pub(super) fn append<T: Serialize>(
    tx: &Transaction<'_>,
    resource: &str,
    resource_id: &str,
    action: Action,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), BackendError> {
    append_json(
        tx,
        resource,
        resource_id,
        action,
        to_json(before)?,
        to_json(after)?,
    )
}

/// Appends one entry whose before and after are already JSON.
pub(super) fn append_json(
    tx: &Transaction<'_>,
    resource: &str,
    resource_id: &str,
    action: Action,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), BackendError> {
    let prev_hash: String = tx
        .prepare_cached("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let entry = AuditEntry::seal(&prev_hash, resource, resource_id, action, before, after);
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, resource, resource_id, action, before, after, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.at,
        entry.actor,
        entry.resource,
        entry.resource_id,
        entry.action,
        entry.before,
        entry.after,
        entry.prev_hash,
        entry.hash
    ])?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        resource: row.get(3)?,
        resource_id: row.get(4)?,
        action: row.get(5)?,
        before: row.get(6)?,
        after: row.get(7)?,
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
    })
}

/// Every entry, in log order.
pub(super) fn entries(connection: &Connection) -> Result<Vec<AuditEntry>, BackendError> {
    let mut statement = connection.prepare(
        "SELECT seq, at, actor, resource, resource_id, action, before, after, prev_hash, hash \
         FROM audit_log ORDER BY seq",
    )?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
