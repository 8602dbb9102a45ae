//! The outcome of a commit whose connection was lost before the answer came: the server is
//! asked, by transaction id (`txid_status`, PostgreSQL 10 and later), whether it committed.

use deadpool_postgres::Pool;

use super::retry::{Retry, is_connection_loss};
use crate::backend::BackendError;

/// What the server says became of a transaction whose commit was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommitOutcome {
    /// It committed: its work is done and must not run again.
    Committed,
    /// It rolled back (a shutdown or crash came first): running it again is safe.
    RolledBack,
    /// The server no longer knows, or could not be asked in time.
    Unknown,
}

/// Asks the server what became of `transaction_id`, reconnecting while it restarts, and
/// waiting while the transaction is still in progress on a server that lost only the
/// connection.
pub(super) async fn commit_outcome(pool: &Pool, transaction_id: i64) -> CommitOutcome {
    let mut retry = Retry::new();
    loop {
        match transaction_status(pool, transaction_id).await {
            Ok(Some(status)) if status == "committed" => return CommitOutcome::Committed,
            Ok(Some(status)) if status == "aborted" => return CommitOutcome::RolledBack,
            Ok(None) => return CommitOutcome::Unknown,
            Ok(Some(_in_progress)) => {}
            Err(error) if is_unreachable(&error) => {
                tracing::debug!(%error, "asking PostgreSQL how a commit ended");
            }
            Err(_) => return CommitOutcome::Unknown,
        }
        let Some(wait) = retry.next_wait_unreachable() else {
            return CommitOutcome::Unknown;
        };
        tokio::time::sleep(wait).await;
    }
}

/// `committed`, `aborted` or `in progress`; `None` when the id is too old to be known.
async fn transaction_status(
    pool: &Pool,
    transaction_id: i64,
) -> Result<Option<String>, BackendError> {
    let client = pool.get().await?;
    let row = client
        .query_one("SELECT txid_status($1)", &[&transaction_id])
        .await?;
    Ok(row.get(0))
}

/// Whether asking failed because the server is not reachable yet (a refused connection, a
/// closed one, a server still starting), rather than because of the question.
fn is_unreachable(error: &BackendError) -> bool {
    is_connection_loss(error)
        || matches!(error, BackendError::Postgres { code, .. } if code == "client" || code == "pool")
}

#[cfg(test)]
mod tests;
