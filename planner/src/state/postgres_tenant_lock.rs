//! The per-tenant locks of the PostgreSQL store (docs/RELIABILITY.md, "Per-tenant locks").
//!
//! - The state: the session advisory lock Terraform takes on the state row's `id`, taken in
//!   shared mode (`pg_try_advisory_lock_shared`), so that per-tenant applies run beside each
//!   other while Terraform's exclusive lock, and that of every other command, still excludes
//!   them and is excluded by them. As in Terraform's scheme the creation lock `-1` is probed
//!   too; a state without a row yet is created under the exclusive lock.
//! - A partition (a tenant, else one instance address): an exclusive session advisory lock in
//!   the two-`int4` key space, keyed by the state row's `id` (its low 32 bits) and the first
//!   four bytes of the SHA-256 of the partition key. Two partitions whose keys collide share
//!   one lock: a collision only makes one wait for the other.
//! - Who holds a partition: one row of `<schema>.tenantform_locks` per held partition lock,
//!   keyed by workspace and lock key, written once the locks are taken and deleted on release.
//!   A row whose session no longer holds the advisory lock (a crashed holder) is stale: it is
//!   never shown and the next holder overwrites it.
//!
//! All of one run's locks live on one connection, so ending that session (a crash, or
//! `force-unlock` with the session's process ID) releases them all at once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::StateError;
use super::lock::LockInfo;
use super::postgres_conn::{self, Bridge, PgSettings, backend_error};
use super::postgres_lock::{self, Attempt, CREATION_LOCK_KEY, LockMode, LockTarget};
use super::postgres_lock_guard::{self, HeldSession};
use super::postgres_pooling;
use super::tenant_scope::PartitionLocks;

/// The lock information table, beside `states`.
pub(super) const LOCKS_TABLE: &str = "tenantform_locks";

/// The statement creating [`LOCKS_TABLE`] in the quoted `schema`.
pub(super) fn create_locks_table(schema: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.{LOCKS_TABLE} (state_name text NOT NULL, \
         lock_key integer NOT NULL, partition text NOT NULL, pid integer NOT NULL, \
         info jsonb NOT NULL, PRIMARY KEY (state_name, lock_key))"
    )
}

/// The first key of a state's partition locks: the low 32 bits of its row `id`.
pub(super) fn state_key(row_id: i64) -> i32 {
    row_id as i32
}

/// The second key of a partition's lock: the first four bytes of the SHA-256 of its key.
pub(super) fn partition_key_hash(partition: &str) -> i32 {
    let digest = Sha256::digest(partition.as_bytes());
    i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// How `pg_locks` shows an `int4` advisory key (`classid`, `objid` are unsigned).
fn as_oid(key: i32) -> i64 {
    i64::from(key as u32)
}

/// A shared state lock and the partition locks taken under it, all on one connection.
pub(super) struct SharedLock {
    bridge: Arc<Bridge>,
    client: Option<Client>,
    settings: PgSettings,
    schema: String,
    workspace: String,
    row_id: i64,
    info: LockInfo,
    /// The store's record of the lock, cleared on release.
    held: HeldSession,
    /// The partition lock keys held.
    partitions: Mutex<BTreeSet<i32>>,
}

/// A shared lock just taken, with the identity its journal rows carry.
pub(super) struct TakenShared {
    pub lock: SharedLock,
    /// `PID@SESSION_START` of the lock's session: whether it is alive tells a running
    /// writer's journal rows from those of a crashed one.
    pub writer: String,
}

/// Takes the state lock in shared mode, retrying until `timeout`; `None` when the state row
/// does not exist yet.
pub(super) fn lock_shared(
    bridge: &Arc<Bridge>,
    target: &LockTarget<'_>,
    operation: &str,
    timeout: Duration,
    held: &HeldSession,
) -> Result<Option<TakenShared>, StateError> {
    let info = LockInfo::for_this_process(operation, &target.path());
    let application = format!("tenantform {operation} {}", info.who);
    let client = bridge.run(postgres_conn::connect(target.settings, &application))?;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(100);
    loop {
        match bridge.run(try_shared(&client, target))? {
            None => return Ok(None),
            Some(Attempt::Taken(row_id)) => {
                return bridge
                    .run(hold_shared(client, target, row_id, info, held, bridge))
                    .map(Some);
            }
            Some(Attempt::Busy { reason, key }) => {
                let now = Instant::now();
                if now >= deadline {
                    let holder = bridge.run(postgres_lock::holder_of(&client, key, target));
                    return Err(StateError::Locked {
                        holder: Box::new(holder),
                        reason,
                    });
                }
                std::thread::sleep(pause.min(deadline - now));
                pause = (pause * 2).min(Duration::from_secs(1));
            }
        }
    }
}

/// Checks the session is pinned, records it as the store's lock and builds the guard.
async fn hold_shared(
    client: Client,
    target: &LockTarget<'_>,
    row_id: i64,
    mut info: LockInfo,
    held: &HeldSession,
    bridge: &Arc<Bridge>,
) -> Result<TakenShared, StateError> {
    postgres_pooling::ensure_session_pinned(&client, target.settings, row_id).await?;
    let session = postgres_lock_guard::session_of(&client, row_id, target.settings).await?;
    let row = client
        .query_one(
            "SELECT pg_backend_pid()::text || '@' || backend_start::text FROM pg_stat_activity \
             WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|err| backend_error("take the state lock", target.settings, err))?;
    let writer: String = row.get(0);
    postgres_lock_guard::set(held, Some(session));
    info.id = session.pid.to_string();
    let lock = SharedLock {
        bridge: bridge.clone(),
        client: Some(client),
        settings: target.settings.clone(),
        schema: target.schema.to_string(),
        workspace: target.workspace.to_string(),
        row_id,
        info,
        held: held.clone(),
        partitions: Mutex::new(BTreeSet::new()),
    };
    Ok(TakenShared { lock, writer })
}

/// One attempt at the shared lock, probing the creation lock as Terraform's scheme does;
/// `None` when the state row does not exist yet.
async fn try_shared(
    client: &Client,
    target: &LockTarget<'_>,
) -> Result<Option<Attempt>, StateError> {
    let failed = |err| postgres_pooling::lock_statement_error(target.settings, err);
    let query = format!(
        "SELECT s.id, pg_try_advisory_lock_shared(s.id), \
         pg_try_advisory_lock_shared({CREATION_LOCK_KEY}::bigint) \
         FROM {}.states s WHERE s.name = $1",
        target.schema
    );
    let Some(row) = client
        .query_opt(&query, &[&target.workspace])
        .await
        .map_err(failed)?
    else {
        return Ok(None);
    };
    let taken = (row.get(0), row.get(1), row.get(2));
    postgres_lock::row_attempt_verdict(client, target, LockMode::Shared, taken)
        .await
        .map(Some)
}

impl SharedLock {
    fn client(&self) -> Result<&Client, StateError> {
        self.client.as_ref().ok_or_else(|| StateError::Backend {
            action: "lock the tenants",
            detail: "the state lock was released".into(),
        })
    }

    fn path(&self) -> String {
        format!("{}.states/{}", self.settings.schema_name, self.workspace)
    }

    /// One attempt at every lock of `wanted` (hash → partition) not held yet, in one
    /// statement: all of them, or none and a partition found busy.
    async fn try_partitions(
        &self,
        client: &Client,
        wanted: &BTreeMap<i32, String>,
    ) -> Result<Option<(i32, String)>, tokio_postgres::Error> {
        let first = state_key(self.row_id);
        let already = self
            .partitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let keys: Vec<i32> = wanted
            .keys()
            .filter(|hash| !already.contains(hash))
            .copied()
            .collect();
        let rows = client
            .query(
                "SELECT k, pg_try_advisory_lock($1::int4, k) FROM unnest($2::int4[]) AS k",
                &[&first, &keys],
            )
            .await?;
        let (taken, busy): (Vec<_>, Vec<_>) = rows
            .iter()
            .map(|row| (row.get::<_, i32>(0), row.get::<_, bool>(1)))
            .partition(|(_, took)| *took);
        let taken: Vec<i32> = taken.into_iter().map(|(hash, _)| hash).collect();
        if let Some((hash, _)) = busy.first() {
            client
                .query(
                    "SELECT pg_advisory_unlock($1::int4, k) FROM unnest($2::int4[]) AS k",
                    &[&first, &taken],
                )
                .await?;
            let name = wanted.get(hash).cloned().unwrap_or_default();
            return Ok(Some((*hash, name)));
        }
        self.record_holder(client, wanted, &taken).await?;
        self.partitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(taken);
        Ok(None)
    }

    /// Writes the lock information rows of the partition locks just taken, in one statement.
    async fn record_holder(
        &self,
        client: &Client,
        wanted: &BTreeMap<i32, String>,
        taken: &[i32],
    ) -> Result<(), tokio_postgres::Error> {
        let query = format!(
            "INSERT INTO {}.{LOCKS_TABLE} (state_name, lock_key, partition, pid, info) \
             SELECT $1, k, p, pg_backend_pid(), i::jsonb \
             FROM unnest($2::int4[], $3::text[], $4::text[]) AS t(k, p, i) \
             ON CONFLICT (state_name, lock_key) DO UPDATE SET partition = EXCLUDED.partition, \
             pid = EXCLUDED.pid, info = EXCLUDED.info",
            self.schema
        );
        let names: Vec<String> = taken
            .iter()
            .map(|hash| wanted.get(hash).cloned().unwrap_or_default())
            .collect();
        let infos: Vec<String> = names
            .iter()
            .map(|name| {
                let info = LockInfo {
                    info: format!("tenant {name:?}, PostgreSQL session {}", self.info.id),
                    ..self.info.clone()
                };
                serde_json::to_string(&info).unwrap_or_default()
            })
            .collect();
        client
            .execute(&query, &[&self.workspace, &taken, &names, &infos])
            .await?;
        Ok(())
    }

    /// Who holds the partition lock `hash`: the lock information its holder wrote, or what
    /// `pg_locks` tells when there is none.
    async fn partition_holder(&self, client: &Client, hash: i32, partition: &str) -> LockInfo {
        let first = as_oid(state_key(self.row_id));
        let second = as_oid(hash);
        let query = format!(
            "SELECT t.info::text FROM {}.{LOCKS_TABLE} t WHERE t.state_name = $1 \
             AND t.lock_key = $2 AND EXISTS (SELECT 1 FROM pg_locks l WHERE \
             l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.pid = t.pid \
             AND l.classid::bigint = $3 AND l.objid::bigint = $4)",
            self.schema
        );
        if let Ok(Some(row)) = client
            .query_opt(&query, &[&self.workspace, &hash, &first, &second])
            .await
            && let Ok(info) = serde_json::from_str::<LockInfo>(&row.get::<_, String>(0))
        {
            return info;
        }
        let pid = client
            .query_opt(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND objsubid = 2 AND classid::bigint = $1 AND objid::bigint = $2 LIMIT 1",
                &[&first, &second],
            )
            .await
            .ok()
            .flatten()
            .map(|row| row.get::<_, i32>(0).to_string())
            .unwrap_or_default();
        LockInfo {
            id: pid,
            path: self.path(),
            info: format!(
                "tenant {partition:?} (the holder has not written its lock information yet)"
            ),
            ..LockInfo::default()
        }
    }
}

impl PartitionLocks for SharedLock {
    fn lock_partitions(
        &self,
        partitions: &BTreeSet<String>,
        timeout: Duration,
    ) -> Result<(), StateError> {
        let client = self.client()?;
        let wanted: BTreeMap<i32, String> = partitions
            .iter()
            .map(|name| (partition_key_hash(name), name.clone()))
            .collect();
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(100);
        loop {
            let busy = self
                .bridge
                .run(self.try_partitions(client, &wanted))
                .map_err(|err| backend_error("lock the tenants", &self.settings, err))?;
            let Some((hash, partition)) = busy else {
                return Ok(());
            };
            let now = Instant::now();
            if now >= deadline {
                let holder = self
                    .bridge
                    .run(self.partition_holder(client, hash, &partition));
                return Err(StateError::Locked {
                    holder: Box::new(holder),
                    reason: format!(
                        "Tenant {partition:?} is already locked in workspace {}",
                        self.workspace
                    ),
                });
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }
}

impl Drop for SharedLock {
    fn drop(&mut self) {
        postgres_lock_guard::set(&self.held, None);
        let Some(client) = self.client.take() else {
            return;
        };
        let forget = format!(
            "DELETE FROM {}.{LOCKS_TABLE} WHERE state_name = $1 AND pid = pg_backend_pid()",
            self.schema
        );
        let workspace = self.workspace.clone();
        self.bridge.run(async move {
            let _ = client.execute(&forget, &[&workspace]).await;
            let _ = client
                .query_one("SELECT pg_advisory_unlock_all()", &[])
                .await;
            drop(client);
        });
    }
}

#[cfg(test)]
mod tests;
