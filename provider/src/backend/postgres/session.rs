//! The connection pool and the transaction runner: every mutating call is one transaction,
//! run again from the start (with backoff) when PostgreSQL reports a transient concurrency
//! failure or the connection was lost before the commit (a restarting server), and
//! serialized per tenant with a transaction-scoped advisory lock.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use pgtls::PgTls;
use sha2::{Digest, Sha256};
use tokio_postgres::Transaction;

use super::sql::is_retryable;
use crate::backend::BackendError;

/// Connections kept by the pool: above the planner's `-parallelism` default, below a small
/// server's `max_connections`.
pub(super) const POOL_SIZE: usize = 16;
const MAX_ATTEMPTS: u32 = 12;
const FIRST_BACKOFF: Duration = Duration::from_millis(15);
const MAX_BACKOFF: Duration = Duration::from_millis(800);

/// Opens the pool's connections with the dsn's TLS settings (libpq's `sslmode` order of
/// plain and TLS attempts).
struct TlsConnect(PgTls);

type ConnectFuture<'a> = Pin<
    Box<
        dyn Future<
                Output = Result<
                    (tokio_postgres::Client, tokio::task::JoinHandle<()>),
                    tokio_postgres::Error,
                >,
            > + Send
            + 'a,
    >,
>;

impl deadpool_postgres::Connect for TlsConnect {
    fn connect(&self, pg_config: &tokio_postgres::Config) -> ConnectFuture<'_> {
        let config = pg_config.clone();
        Box::pin(async move {
            let (client, connection) = self.0.connect(&config).await?;
            let handle = tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(%error, "a PostgreSQL connection closed");
                }
            });
            Ok((client, handle))
        })
    }
}

/// Builds the pool from a parsed connection configuration and its TLS side (no connection
/// is made yet).
pub(super) fn build_pool(config: tokio_postgres::Config, tls: PgTls) -> Result<Pool, BackendError> {
    let manager = Manager::from_connect(
        config,
        TlsConnect(tls),
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .build()
        .map_err(|error| BackendError::Postgres {
            code: "pool".to_string(),
            message: error.to_string(),
        })
}

/// Runs `work` in one transaction, committing it; retried as a whole on transient failures,
/// and on a lost or refused connection (a restarting server) before the commit was sent.
pub(super) async fn write<T>(
    pool: &Pool,
    work: impl AsyncFn(&Transaction<'_>) -> Result<T, BackendError>,
) -> Result<T, BackendError> {
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let outcome = write_once(pool, &work).await;
        match outcome {
            Err(failed) if attempt < MAX_ATTEMPTS && failed.may_run_again() => {
                tracing::debug!(attempt, error = %failed.error, "retrying a PostgreSQL transaction");
                tokio::time::sleep(backoff + jitter(backoff)).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                attempt += 1;
            }
            other => return other.map_err(|failed| failed.error),
        }
    }
}

/// Where an attempt failed: running a transaction again is safe unless its commit was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Getting a connection from the pool: nothing was sent.
    Connecting,
    /// Inside the transaction: a lost connection rolls it back.
    Working,
    /// The commit: when the connection is lost here, the outcome is unknown.
    Committing,
}

/// A failed attempt and where it failed.
struct Failed {
    error: BackendError,
    stage: Stage,
}

impl Failed {
    fn at(stage: Stage) -> impl FnOnce(BackendError) -> Failed {
        move |error| Failed { error, stage }
    }

    /// Whether the whole transaction may run again.
    fn may_run_again(&self) -> bool {
        is_retryable(&self.error)
            || match self.stage {
                Stage::Connecting => true,
                Stage::Working => is_connection_loss(&self.error),
                Stage::Committing => false,
            }
    }
}

/// Whether `error` says the connection is gone or the server is shutting down or starting.
fn is_connection_loss(error: &BackendError) -> bool {
    let BackendError::Postgres { code, .. } = error else {
        return false;
    };
    // Closed connections, admin/crash shutdown, "cannot connect now", connection exceptions.
    code == "connection" || code.starts_with("57P") || code.starts_with("08")
}

async fn write_once<T>(
    pool: &Pool,
    work: &impl AsyncFn(&Transaction<'_>) -> Result<T, BackendError>,
) -> Result<T, Failed> {
    let connecting = Failed::at(Stage::Connecting);
    let mut object = pool.get().await.map_err(|e| connecting(e.into()))?;
    let client: &mut tokio_postgres::Client = &mut object;
    let transaction = client
        .transaction()
        .await
        .map_err(|e| Failed::at(Stage::Working)(e.into()))?;
    let result = work(&transaction)
        .await
        .map_err(Failed::at(Stage::Working))?;
    transaction
        .commit()
        .await
        .map_err(|e| Failed::at(Stage::Committing)(e.into()))?;
    Ok(result)
}

/// Runs read-only `work` on a pooled connection (retried like writes: live-object reads can
/// meet concurrently dropped catalog rows, and a restarting server).
pub(super) async fn read<T>(
    pool: &Pool,
    work: impl AsyncFn(&tokio_postgres::Client) -> Result<T, BackendError>,
) -> Result<T, BackendError> {
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let outcome = match pool.get().await {
            Ok(object) => {
                let client: &tokio_postgres::Client = &object;
                work(client).await.map_err(Failed::at(Stage::Working))
            }
            Err(error) => Err(Failed::at(Stage::Connecting)(error.into())),
        };
        match outcome {
            Err(failed) if attempt < MAX_ATTEMPTS && failed.may_run_again() => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                attempt += 1;
            }
            other => return other.map_err(|failed| failed.error),
        }
    }
}

/// A random share of `backoff`, so that retrying transactions do not collide again.
fn jitter(backoff: Duration) -> Duration {
    let millis = backoff.as_millis().max(1) as u64;
    Duration::from_millis(rand::random::<u64>() % millis)
}

/// The advisory-lock key of a name: the first eight bytes of its SHA-256.
pub(super) fn lock_key(scope: &str, name: &str) -> i64 {
    let digest = Sha256::digest(format!("tenantform:{scope}:{name}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Serializes this transaction with every other one touching the same tenant.
pub(super) async fn lock_tenant(tx: &Transaction<'_>, tenant_id: &str) -> Result<(), BackendError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&lock_key("tenant", tenant_id)],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests;
