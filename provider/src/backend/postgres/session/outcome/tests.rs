//! The commit outcome asked of a real PostgreSQL 15.

use std::str::FromStr;

use acceptance_tests::postgres::{PostgresServer, Profile};

use super::*;
use crate::backend::postgres::session::build_pool;

fn pool_of(server: &PostgresServer) -> Pool {
    let prepared = pgtls::prepare(&server.dsn(), pgtls::Semantics::Libpq).expect("dsn");
    let config = tokio_postgres::Config::from_str(&prepared.conn_str).expect("config");
    build_pool(config, prepared.tls).expect("pool")
}

/// Runs a transaction that takes an id and ends with `end`, returning the id.
async fn finished_transaction(pool: &Pool, end: &str) -> i64 {
    let client = pool.get().await.expect("a connection");
    client.batch_execute("BEGIN").await.expect("begin");
    let id: i64 = client
        .query_one("SELECT txid_current()", &[])
        .await
        .expect("an id")
        .get(0);
    client.batch_execute(end).await.expect("end");
    id
}

#[test]
fn the_server_says_whether_a_transaction_committed() {
    let server = PostgresServer::start(Profile::ManagedAdmin)
        .unwrap_or_else(|error| panic!("cannot start PostgreSQL: {error:#}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let pool = pool_of(&server);
        let committed = finished_transaction(&pool, "COMMIT").await;
        let rolled_back = finished_transaction(&pool, "ROLLBACK").await;
        assert_eq!(
            commit_outcome(&pool, committed).await,
            CommitOutcome::Committed
        );
        assert_eq!(
            commit_outcome(&pool, rolled_back).await,
            CommitOutcome::RolledBack
        );
        let from_the_future = committed + 1_000_000;
        assert_eq!(
            commit_outcome(&pool, from_the_future).await,
            CommitOutcome::Unknown
        );
    });
}
