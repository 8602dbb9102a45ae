//! The `pg` state lock, checked before every write: the lock is a session advisory lock, and
//! a session can end under a running command (a restarted server, `pg_terminate_backend`,
//! an idle timeout), releasing the lock while the data connection still works. Before each
//! journal row and each state write the store asks PostgreSQL whether the lock's session
//! still holds the lock, and stops with an error when it does not, so that nothing is ever
//! written without the lock.

use std::sync::{Arc, Mutex, PoisonError};

use tokio_postgres::Client;

use super::StateError;
use super::postgres_conn::{PgSettings, backend_error};

/// The lock this store's command holds, once taken: shared with the lock's guard, which
/// clears it when the lock is released.
pub(super) type HeldSession = Arc<Mutex<Option<LockSession>>>;

/// The PostgreSQL session holding the state lock, and the lock's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LockSession {
    pub pid: i32,
    pub key: i64,
}

/// The session of `client`, which has just taken the lock `key`.
pub(super) async fn session_of(
    client: &Client,
    key: i64,
    settings: &PgSettings,
) -> Result<LockSession, StateError> {
    let row = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .map_err(|err| backend_error("take the state lock", settings, err))?;
    Ok(LockSession {
        pid: row.get(0),
        key,
    })
}

/// Records `session` as held, or clears the record with `None`.
pub(super) fn set(held: &HeldSession, session: Option<LockSession>) {
    *held.lock().unwrap_or_else(PoisonError::into_inner) = session;
}

/// Fails unless the lock recorded in `held` (if any: with `-lock=false` there is none) is
/// still held by its session, asking over the data connection `client`.
pub(super) async fn ensure_held(
    client: &Client,
    held: &HeldSession,
    settings: &PgSettings,
) -> Result<(), StateError> {
    let recorded = *held.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(session) = recorded else {
        return Ok(());
    };
    let query = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND pid = $1 AND objsubid = 1 AND classid::bigint = $2 AND objid::bigint = $3)";
    let (high, low) = key_halves(session.key);
    let still_held: bool = client
        .query_one(query, &[&session.pid, &high, &low])
        .await
        .map_err(|err| backend_error("check the state lock", settings, err))?
        .get(0);
    if still_held {
        return Ok(());
    }
    Err(StateError::Backend {
        action: "write the state",
        detail: lock_lost_message(session.pid),
    })
}

/// Why nothing was written after the lock's session ended.
pub(super) fn lock_lost_message(pid: i32) -> String {
    format!(
        "the state lock is no longer held: its PostgreSQL session (process ID {pid}) ended, \
         for example because the server restarted or the session was terminated. Nothing \
         was written; run the command again"
    )
}

/// The two 32-bit halves of an advisory lock key, as `pg_locks` shows them.
pub(super) fn key_halves(key: i64) -> (i64, i64) {
    ((key >> 32) & 0xffff_ffff, key & 0xffff_ffff)
}

#[cfg(test)]
mod tests;
