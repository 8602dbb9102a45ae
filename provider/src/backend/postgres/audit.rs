//! The audit log in `tenant_catalog.audit_log`: appended in the caller's transaction under a
//! global advisory lock, so that parallel applies still produce one linear hash chain with
//! gap-free sequence numbers (a sequence would leave gaps on rollback).

use serde::Serialize;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::session::lock_key;
use crate::backend::BackendError;
use crate::backend::audit::{self, Action, AuditEntry, GENESIS_HASH};

/// Appends one entry; the lock it takes is held until the transaction ends, so take it last.
pub(super) async fn append<T: Serialize>(
    tx: &Transaction<'_>,
    resource: &str,
    resource_id: &str,
    action: Action,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), BackendError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&lock_key("audit", "append")],
    )
    .await?;
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM tenant_catalog.audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.get::<_, i64>(0) + 1, row.get::<_, String>(1)),
        None => (1, GENESIS_HASH.to_string()),
    };
    let mut entry = AuditEntry::seal(
        &prev_hash,
        resource,
        resource_id,
        action,
        audit::to_json(before)?,
        audit::to_json(after)?,
    );
    entry.seq = seq;
    tx.execute(
        "INSERT INTO tenant_catalog.audit_log (seq, at, actor, resource, resource_id, action, \
         before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &entry.seq,
            &entry.at,
            &entry.actor,
            &entry.resource,
            &entry.resource_id,
            &entry.action,
            &entry.before,
            &entry.after,
            &entry.prev_hash,
            &entry.hash,
        ],
    )
    .await?;
    Ok(())
}

fn from_row(row: &Row) -> AuditEntry {
    AuditEntry {
        seq: row.get(0),
        at: row.get(1),
        actor: row.get(2),
        resource: row.get(3),
        resource_id: row.get(4),
        action: row.get(5),
        before: row.get(6),
        after: row.get(7),
        prev_hash: row.get(8),
        hash: row.get(9),
    }
}

/// Every entry, in log order.
pub(super) async fn entries(client: &impl GenericClient) -> Result<Vec<AuditEntry>, BackendError> {
    let rows = client
        .query(
            "SELECT seq, at, actor, resource, resource_id, action, before, after, prev_hash, \
             hash FROM tenant_catalog.audit_log ORDER BY seq",
            &[],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}
