//! The state lock of the PostgreSQL store: Terraform's `pg` backend scheme, so that Terraform
//! and tenantform runs exclude each other. A run holds a session advisory lock keyed by the
//! state row's `id`; while the row does not exist yet it holds the creation lock `-1` instead,
//! and a run locking an existing row also checks that nobody holds the creation lock. The lock
//! lives on a connection of its own, so PostgreSQL releases it when the holder dies; a pooler
//! in transaction mode, which would break that, is refused (`postgres_pooling`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::StateError;
use super::lock::{LockInfo, StateLock};
use super::postgres_conn::{self, Bridge, PgSettings, backend_error};
use super::postgres_lock_guard::{self, HeldSession};
use super::postgres_pooling;

/// The advisory lock key Terraform takes while a workspace's row is being created.
pub(super) const CREATION_LOCK_KEY: i64 = -1;

/// What one attempt found.
pub(super) enum Attempt {
    /// The lock is held under this key.
    Taken(i64),
    /// Someone else holds it: Terraform's explanation, and the key they hold.
    Busy { reason: String, key: i64 },
}

/// Where a lock is taken: the quoted schema and the workspace (state row) name.
pub(super) struct LockTarget<'a> {
    pub settings: &'a PgSettings,
    pub schema: &'a str,
    pub workspace: &'a str,
}

impl LockTarget<'_> {
    pub(super) fn path(&self) -> String {
        format!("{}.states/{}", self.settings.schema_name, self.workspace)
    }
}

/// Takes the lock for `operation`, retrying until `timeout` (zero: try once), and records
/// the session holding it in `held` until it is released.
pub(super) fn lock(
    bridge: &Arc<Bridge>,
    target: &LockTarget<'_>,
    operation: &str,
    timeout: Duration,
    held: &HeldSession,
) -> Result<StateLock, StateError> {
    let info = LockInfo::for_this_process(operation, &target.path());
    let application = format!("tenantform {operation} {}", info.who);
    let client = bridge.run(postgres_conn::connect(target.settings, &application))?;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(100);
    loop {
        match bridge.run(try_lock(&client, target))? {
            Attempt::Taken(key) => {
                bridge.run(postgres_pooling::ensure_session_pinned(
                    &client,
                    target.settings,
                    key,
                ))?;
                let session = bridge.run(postgres_lock_guard::session_of(
                    &client,
                    key,
                    target.settings,
                ))?;
                postgres_lock_guard::set(held, Some(session));
                let guard = HeldLock {
                    bridge: bridge.clone(),
                    client: Some(client),
                    key,
                    held: held.clone(),
                };
                return Ok(StateLock::new(info, Box::new(guard)));
            }
            Attempt::Busy { reason, key } => {
                let now = Instant::now();
                if now >= deadline {
                    let holder = bridge.run(holder_of(&client, key, target));
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

/// One attempt, as Terraform's `pg` backend makes it.
async fn try_lock(client: &Client, target: &LockTarget<'_>) -> Result<Attempt, StateError> {
    let failed = |err| postgres_pooling::lock_statement_error(target.settings, err);
    let schema = target.schema;
    let query = format!(
        "SELECT s.id, pg_try_advisory_lock(s.id), pg_try_advisory_lock({CREATION_LOCK_KEY}) \
         FROM {schema}.states s WHERE s.name = $1"
    );
    let row = client
        .query_opt(&query, &[&target.workspace])
        .await
        .map_err(failed)?;
    let Some(row) = row else {
        // No row yet: the run that creates it holds the creation lock.
        let taken: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock($1::bigint)",
                &[&CREATION_LOCK_KEY],
            )
            .await
            .map_err(failed)?
            .get(0);
        return Ok(if taken {
            Attempt::Taken(CREATION_LOCK_KEY)
        } else {
            Attempt::Busy {
                reason: format!(
                    "Already locked for workspace creation: {}",
                    target.workspace
                ),
                key: CREATION_LOCK_KEY,
            }
        });
    };
    let (id, took_row, took_creation): (i64, bool, bool) = (row.get(0), row.get(1), row.get(2));
    row_attempt_verdict(
        client,
        target,
        LockMode::Exclusive,
        (id, took_row, took_creation),
    )
    .await
}

/// The advisory-lock mode an attempt takes Terraform's keys in.
#[derive(Clone, Copy)]
pub(super) enum LockMode {
    /// Terraform's own mode: one holder.
    Exclusive,
    /// Many tenantform holders at once, none beside an exclusive one.
    Shared,
}

/// What an attempt on the state row's key and the creation key found, once the keys it may
/// not keep are released: the row's key is kept only when the creation key was free too
/// (which is only probed, never kept, once the row exists).
pub(super) async fn row_attempt_verdict(
    client: &Client,
    target: &LockTarget<'_>,
    mode: LockMode,
    (id, took_row, took_creation): (i64, bool, bool),
) -> Result<Attempt, StateError> {
    let failed = |err| postgres_pooling::lock_statement_error(target.settings, err);
    let unlock = match mode {
        LockMode::Exclusive => "SELECT pg_advisory_unlock($1::bigint)",
        LockMode::Shared => "SELECT pg_advisory_unlock_shared($1::bigint)",
    };
    if took_creation {
        client
            .query_one(unlock, &[&CREATION_LOCK_KEY])
            .await
            .map_err(failed)?;
    }
    match (took_row, took_creation) {
        (true, true) => Ok(Attempt::Taken(id)),
        (false, _) => Ok(Attempt::Busy {
            reason: format!("Workspace is already locked: {}", target.workspace),
            key: id,
        }),
        (true, false) => {
            client.query_one(unlock, &[&id]).await.map_err(failed)?;
            Ok(Attempt::Busy {
                reason: format!(
                    "Cannot lock workspace; already locked for workspace creation: {}",
                    target.workspace
                ),
                key: CREATION_LOCK_KEY,
            })
        }
    }
}

/// Releases the workspace's lock held by another session by ending that session, when
/// `lock_id` names it (the lock error shows the holding session's process id as the ID).
pub(super) fn force_unlock(
    bridge: &Arc<Bridge>,
    target: &LockTarget<'_>,
    lock_id: &str,
) -> Result<(), StateError> {
    let client = bridge.run(postgres_conn::connect(
        target.settings,
        "tenantform force-unlock",
    ))?;
    let failed = |err| backend_error("unlock the state", target.settings, err);
    bridge.run(async {
        let query = format!("SELECT id FROM {}.states WHERE name = $1", target.schema);
        let key = match client.query_opt(&query, &[&target.workspace]).await {
            Ok(Some(row)) => row.get::<_, i64>(0),
            Ok(None) => CREATION_LOCK_KEY,
            Err(err) => return Err(failed(err)),
        };
        let holders = lock_holders(&client, key).await.map_err(failed)?;
        if holders.is_empty() {
            return Err(StateError::Backend {
                action: "unlock the state",
                detail: format!("the state at {} is not locked", target.path()),
            });
        }
        let Some(pid) = holders
            .iter()
            .copied()
            .find(|pid| pid.to_string() == lock_id)
        else {
            let ids: Vec<String> = holders.iter().map(ToString::to_string).collect();
            return Err(StateError::Backend {
                action: "unlock the state",
                detail: format!(
                    "lock ID {lock_id:?} does not match the lock held on {} (ID {})",
                    target.path(),
                    ids.join(", ID ")
                ),
            });
        };
        client
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .map_err(failed)?;
        Ok(())
    })
}

/// The sessions (process IDs) holding the state's lock `key`, exclusive or shared, or one of
/// its per-tenant locks (`postgres_tenant_lock`), other than this session.
async fn lock_holders(client: &Client, key: i64) -> Result<Vec<i32>, tokio_postgres::Error> {
    let (high, low) = postgres_lock_guard::key_halves(key);
    let tenant_key = i64::from(super::postgres_tenant_lock::state_key(key) as u32);
    let rows = client
        .query(
            "SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND pid <> pg_backend_pid() AND ((objsubid = 1 AND classid::bigint = $1 \
             AND objid::bigint = $2) OR (objsubid = 2 AND classid::bigint = $3)) ORDER BY pid",
            &[&high, &low, &tenant_key],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Who holds the advisory lock `key`, as far as `pg_stat_activity` tells (Terraform records
/// no lock information with this backend).
pub(super) async fn holder_of(client: &Client, key: i64, target: &LockTarget<'_>) -> LockInfo {
    let query = "SELECT a.pid, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), \
                 coalesce(host(a.client_addr), 'local socket'), coalesce(a.backend_start::text, '') \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
                 AND l.classid::bigint = $1 AND l.objid::bigint = $2 \
                 AND l.pid <> pg_backend_pid() LIMIT 1";
    let high = (key >> 32) & 0xffff_ffff;
    let low = key & 0xffff_ffff;
    let unknown = LockInfo {
        path: target.path(),
        info: "(the holder is not known: it may have just released the lock)".to_string(),
        ..LockInfo::default()
    };
    let Ok(Some(row)) = client.query_opt(query, &[&high, &low]).await else {
        return unknown;
    };
    let pid: i32 = row.get(0);
    let user: String = row.get(1);
    let application: String = row.get(2);
    let address: String = row.get(3);
    let since: String = row.get(4);
    // tenantform names its lock sessions "tenantform OPERATION USER@HOST".
    let mut ours = application
        .strip_prefix("tenantform ")
        .map(str::split_whitespace)
        .into_iter()
        .flatten();
    let operation = ours.next().unwrap_or_default().to_string();
    let session_who = ours.next().map(|who| format!("{who}, "));
    let program = if application.is_empty() {
        "a client without application name (Terraform's pg backend sets none)".to_string()
    } else {
        format!("application \"{application}\"")
    };
    LockInfo {
        id: pid.to_string(),
        operation,
        who: format!(
            "{}database user {user} from {address}",
            session_who.unwrap_or_default()
        ),
        created: format!("{since} (session start)"),
        path: target.path(),
        info: format!("PostgreSQL session {pid}, {program}"),
        ..LockInfo::default()
    }
}

/// A held lock; dropping it unlocks and closes the lock's connection.
struct HeldLock {
    bridge: Arc<Bridge>,
    client: Option<Client>,
    key: i64,
    /// The store's record of the lock, cleared on release.
    held: HeldSession,
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        postgres_lock_guard::set(&self.held, None);
        if let Some(client) = self.client.take() {
            let key = self.key;
            self.bridge.run(async move {
                let _ = client
                    .query_one("SELECT pg_advisory_unlock($1::bigint)", &[&key])
                    .await;
                drop(client);
            });
        }
    }
}
