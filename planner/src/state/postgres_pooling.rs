//! Refuses a connection pooler in transaction mode (PgBouncer's `pool_mode = transaction`,
//! Amazon RDS Proxy) between tenantform and PostgreSQL. Such a pooler runs each transaction on
//! whichever server session is free, so the session advisory lock that is the state lock
//! (Terraform's `pg` scheme) neither stays with this run nor keeps other runs out. Right after
//! the lock is taken, two cheap checks tell: the lock connection's server session must hold the
//! lock, and a second connection must be given a server session of its own. Before that, a lock
//! statement that finds its prepared statement missing, or one of the same name left by another
//! client, has met such a pooler too.

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::StateError;
use super::postgres_conn::{self, PgSettings, backend_error};

/// What the refusal says; it names the cause and the way out.
pub(super) const TRANSACTION_POOLING_REFUSED: &str = "the connection goes through a connection \
    pooler in transaction mode (such as PgBouncer with pool_mode = transaction, or Amazon RDS \
    Proxy): it runs each transaction on whichever PostgreSQL session is free, so the session \
    advisory lock that protects the state would not stay with this run. Connect to PostgreSQL \
    directly, or through a pooler in session mode (PgBouncer pool_mode = session)";

/// The error of a failed lock statement. A prepared statement that is missing, or that another
/// client's statement of the same name already occupies, means the statements ran on server
/// sessions shared with other clients: the refusal of transaction pooling. Anything else is
/// the backend's error.
pub(super) fn lock_statement_error(
    settings: &PgSettings,
    err: tokio_postgres::Error,
) -> StateError {
    let shared_session = [
        SqlState::DUPLICATE_PSTATEMENT,
        SqlState::INVALID_SQL_STATEMENT_NAME,
    ];
    if err.code().is_some_and(|code| shared_session.contains(code)) {
        return refusal();
    }
    backend_error("take the state lock", settings, err)
}

fn refusal() -> StateError {
    StateError::Backend {
        action: "take the state lock",
        detail: TRANSACTION_POOLING_REFUSED.to_string(),
    }
}

/// Checks that the lock `key`, just taken on `lock_client`, belongs to a server session pinned
/// to that connection. On a refusal it releases the lock as well as it can (the session that
/// holds it may now serve anyone) and returns the error naming transaction pooling.
pub(super) async fn ensure_session_pinned(
    lock_client: &Client,
    settings: &PgSettings,
    key: i64,
) -> Result<(), StateError> {
    let failed = |err| backend_error("take the state lock", settings, err);
    let (lock_session, holds_lock) = session_and_lock(lock_client, key).await.map_err(failed)?;
    let probe = postgres_conn::connect(settings, "tenantform session check").await?;
    let (probe_session, _) = session_and_lock(&probe, key).await.map_err(failed)?;
    if holds_lock && probe_session != lock_session {
        return Ok(());
    }
    for client in [lock_client, &probe] {
        let _ = client
            .simple_query(&format!("SELECT pg_advisory_unlock({key})"))
            .await;
    }
    Err(refusal())
}

/// The server session (`pg_backend_pid()`) that runs a statement on `client`, and whether that
/// session holds the advisory lock `key`. One simple-protocol statement: it works the same
/// through any pooler (no prepared statement to lose between transactions).
async fn session_and_lock(
    client: &Client,
    key: i64,
) -> Result<(String, bool), tokio_postgres::Error> {
    let high = (key >> 32) & 0xffff_ffff;
    let low = key & 0xffff_ffff;
    let query = format!(
        "SELECT pg_backend_pid()::text, EXISTS (SELECT 1 FROM pg_locks \
         WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND pid = pg_backend_pid() \
         AND classid::bigint = {high} AND objid::bigint = {low})::text"
    );
    let messages = client.simple_query(&query).await?;
    let row = messages.iter().find_map(|message| match message {
        SimpleQueryMessage::Row(row) => Some(row),
        _ => None,
    });
    let session = row
        .and_then(|row| row.get(0))
        .unwrap_or_default()
        .to_string();
    let holds_lock = row.and_then(|row| row.get(1)) == Some("true");
    Ok((session, holds_lock))
}
