//! The hash-chained audit log: every change appends one row whose hash covers the previous
//! row's hash, so any edit or deletion of history breaks the chain. Records are serialized
//! with their secrets skipped (see the `Serialize` impls of the records).

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::now_rfc3339;
use crate::backend::BackendError;

const GENESIS_HASH: &str = "";
const DEFAULT_ACTOR: &str = "terraform-provider-tenant";

/// What happened to a resource.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

fn actor() -> String {
    std::env::var("TENANT_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| DEFAULT_ACTOR.to_string())
}

fn to_json<T: Serialize>(value: Option<&T>) -> Result<Option<String>, BackendError> {
    value
        .map(|v| serde_json::to_string(v).map_err(|e| BackendError::Corrupt(e.to_string())))
        .transpose()
}

/// Appends one entry in the caller's transaction.
pub fn append<T: Serialize>(
    tx: &Transaction<'_>,
    resource: &str,
    resource_id: &str,
    action: Action,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), BackendError> {
    let prev_hash: String = tx
        .query_row(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let at = now_rfc3339();
    let actor = actor();
    let before = to_json(before)?;
    let after = to_json(after)?;
    let hash = entry_hash(&EntryFields {
        prev_hash: &prev_hash,
        at: &at,
        actor: &actor,
        resource,
        resource_id,
        action: action.as_str(),
        before: before.as_deref(),
        after: after.as_deref(),
    });
    tx.execute(
        "INSERT INTO audit_log (at, actor, resource, resource_id, action, before, after, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            at,
            actor,
            resource,
            resource_id,
            action.as_str(),
            before,
            after,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

struct EntryFields<'a> {
    prev_hash: &'a str,
    at: &'a str,
    actor: &'a str,
    resource: &'a str,
    resource_id: &'a str,
    action: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

fn entry_hash(fields: &EntryFields<'_>) -> String {
    let mut hasher = Sha256::new();
    for part in [
        fields.prev_hash,
        fields.at,
        fields.actor,
        fields.resource,
        fields.resource_id,
        fields.action,
        fields.before.unwrap_or("null"),
        fields.after.unwrap_or("null"),
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Recomputes the chain; returns the number of entries, or the first broken sequence number.
pub fn verify_chain(connection: &rusqlite::Connection) -> Result<Result<usize, i64>, BackendError> {
    let mut statement = connection.prepare(
        "SELECT seq, at, actor, resource, resource_id, action, before, after, prev_hash, hash \
         FROM audit_log ORDER BY seq",
    )?;
    let mut rows = statement.query([])?;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let texts: Vec<Option<String>> = (1..10).map(|i| row.get(i)).collect::<Result<_, _>>()?;
        let text = |i: usize| texts[i].as_deref().unwrap_or("");
        let recomputed = entry_hash(&EntryFields {
            prev_hash: text(7),
            at: text(0),
            actor: text(1),
            resource: text(2),
            resource_id: text(3),
            action: text(4),
            before: texts[5].as_deref(),
            after: texts[6].as_deref(),
        });
        if text(7) != expected_prev || recomputed != text(8) {
            return Ok(Err(seq));
        }
        expected_prev = recomputed;
        count += 1;
    }
    Ok(Ok(count))
}
