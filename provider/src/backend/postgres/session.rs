//! The connection pool and the transaction runner: every mutating call is one transaction,
//! run again from the start (with backoff) when PostgreSQL reports a transient concurrency
//! failure or the connection was lost before it committed (a restarting server), and
//! serialized per tenant with a transaction-scoped advisory lock.

use std::future::Future;
use std::pin::Pin;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use pgtls::PgTls;
use sha2::{Digest, Sha256};
use tokio_postgres::Transaction;

use crate::backend::BackendError;

mod outcome;
mod retry;

use outcome::{CommitOutcome, commit_outcome};
use retry::{Failed, Retry, Stage, is_connection_loss};

/// Connections kept by the pool: above the planner's `-parallelism` default, below a small
/// server's `max_connections`.
pub(super) const POOL_SIZE: usize = 16;

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

/// Runs `work` in one transaction, committing it; run again as a whole on transient
/// failures, and on a lost or refused connection (a restarting server). When the connection
/// is lost while the commit is on its way, the server is asked whether the transaction
/// committed, so that a committed transaction is never run twice and a lost one is never
/// reported done.
pub(super) async fn write<T>(
    pool: &Pool,
    work: impl AsyncFn(&Transaction<'_>) -> Result<T, BackendError>,
) -> Result<T, BackendError> {
    let mut retry = Retry::new();
    loop {
        let failed = match write_once(pool, &work).await {
            Ok(value) => return Ok(value),
            Err(failed) => failed,
        };
        let Some(wait) = retry.next_wait(&failed) else {
            return Err(failed.error);
        };
        tracing::debug!(error = %failed.error, "running a PostgreSQL transaction again");
        tokio::time::sleep(wait).await;
    }
}

async fn write_once<T>(
    pool: &Pool,
    work: &impl AsyncFn(&Transaction<'_>) -> Result<T, BackendError>,
) -> Result<T, Failed> {
    let working = Failed::at(Stage::Working);
    let mut object = pool
        .get()
        .await
        .map_err(|e| Failed::at(Stage::Connecting)(e.into()))?;
    let client: &mut tokio_postgres::Client = &mut object;
    let transaction = client.transaction().await.map_err(|e| working(e.into()))?;
    let transaction_id: i64 = transaction
        .query_one("SELECT txid_current()", &[])
        .await
        .map_err(|e| Failed::at(Stage::Working)(e.into()))?
        .get(0);
    let result = work(&transaction)
        .await
        .map_err(Failed::at(Stage::Working))?;
    let Err(error) = transaction.commit().await else {
        return Ok(result);
    };
    drop(object);
    let error = BackendError::from(error);
    if !is_connection_loss(&error) {
        return Err(Failed::at(Stage::Committing)(error));
    }
    match commit_outcome(pool, transaction_id).await {
        CommitOutcome::Committed => Ok(result),
        CommitOutcome::RolledBack => Err(Failed::at(Stage::RolledBack)(error)),
        CommitOutcome::Unknown => Err(Failed::at(Stage::Committing)(error)),
    }
}

/// Runs read-only `work` on a pooled connection (run again like writes: live-object reads
/// can meet concurrently dropped catalog rows, and a restarting server).
pub(super) async fn read<T>(
    pool: &Pool,
    work: impl AsyncFn(&tokio_postgres::Client) -> Result<T, BackendError>,
) -> Result<T, BackendError> {
    let mut retry = Retry::new();
    loop {
        let failed = match pool.get().await {
            Ok(object) => match work(&object).await {
                Ok(value) => return Ok(value),
                Err(error) => Failed::at(Stage::Working)(error),
            },
            Err(error) => Failed::at(Stage::Connecting)(error.into()),
        };
        let Some(wait) = retry.next_wait(&failed) else {
            return Err(failed.error);
        };
        tokio::time::sleep(wait).await;
    }
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
