//! The PostgreSQL store under per-tenant locks: the shared lock, the journal rows of
//! concurrent writers, and the merging write.
//!
//! Journal rows: a run under the exclusive lock writes rows without a writer; they apply to
//! the snapshot they name (lineage and serial), as before. A run under the shared lock marks
//! its rows with its lock session (`PID@SESSION_START`); they apply to that snapshot and to
//! every later one reached only through merging writes (each recorded in
//! `<schema>.tenantform_merges`), since other writers' merges never touch its instances; a
//! snapshot any other program wrote in between (Terraform, which knows no journal) makes
//! them stale. Its merge deletes its own rows in the same transaction that stores them.
//!
//! The merge base: the stored row, plus the rows that no running writer will fold anymore
//! (rows without a writer, which only a crashed exclusive run can have left while a shared
//! lock is held, and rows of writers whose session is gone); the merging write stores them
//! and deletes them, so that an instance a later apply changed is never replayed over with
//! an older record.

use super::{PgStore, Snapshot};
use crate::state::tenant_scope::{MergeBase, PartitionLocks, TenantLocking};
use crate::state::{State, StateError, format_v4, postgres_lock::LockTarget, postgres_tenant_lock};
use std::collections::BTreeSet;
use std::time::Duration;

/// How many serials of merging writes are kept at least.
const MERGES_KEPT: i64 = 10_000;

/// The statement creating the table of serials written by merging writes.
pub(super) fn create_merges_table(schema: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.tenantform_merges (state_name text NOT NULL, \
         lineage text NOT NULL, serial bigint NOT NULL, PRIMARY KEY (state_name, lineage, serial))"
    )
}

/// Whether a journal row applies to the snapshot `base` (lineage, serial), `merged` being the
/// serials of that lineage written by merging writes.
pub(super) fn row_applies(
    writer: Option<&str>,
    row: (Option<&str>, i64),
    base: (Option<&str>, u64),
    merged: &BTreeSet<i64>,
) -> bool {
    let ((row_lineage, row_serial), (base_lineage, base_serial)) = (row, base);
    let same_history = base_lineage.is_none() || row_lineage == base_lineage;
    let base_serial = base_serial as i64;
    match writer {
        None => same_history && row_serial == base_serial,
        Some(_) => {
            same_history
                && row_serial <= base_serial
                && (row_serial + 1..=base_serial).all(|serial| merged.contains(&serial))
        }
    }
}

/// The refusal of a whole-state write under a shared lock.
pub(super) fn whole_write_refused() -> StateError {
    StateError::Backend {
        action: "write the state",
        detail: "this run holds the state lock shared, for a per-tenant apply: it writes only \
                 the instances it changed, merged into the stored state"
            .into(),
    }
}

/// One journal row as the merge sees it.
struct JournalRow {
    seq: i64,
    writer: Option<String>,
    lineage: Option<String>,
    serial: i64,
    record: String,
}

impl PgStore {
    fn lock_target(&self) -> LockTarget<'_> {
        LockTarget {
            settings: &self.settings,
            schema: &self.schema,
            workspace: &self.workspace,
        }
    }

    /// The serials of `lineage` written by merging writes.
    pub(super) fn merged_serials(
        &self,
        client: &tokio_postgres::Client,
        lineage: Option<&str>,
    ) -> Result<BTreeSet<i64>, StateError> {
        let Some(lineage) = lineage else {
            return Ok(BTreeSet::new());
        };
        let query = format!(
            "SELECT serial FROM {}.tenantform_merges WHERE state_name = $1 AND lineage = $2",
            self.schema
        );
        let rows = self
            .bridge
            .run(client.query(&query, &[&self.workspace, &lineage]))
            .map_err(self.failed("read the state journal"))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// The identities of the writers running under a shared lock of this state now.
    fn live_writers(&self, client: &tokio_postgres::Client) -> Result<Vec<String>, StateError> {
        let query = format!(
            "SELECT a.pid::text || '@' || a.backend_start::text \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             JOIN {}.states s ON s.name = $1 \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
             AND l.classid::bigint = ((s.id >> 32) & 4294967295) \
             AND l.objid::bigint = (s.id & 4294967295)",
            self.schema
        );
        let rows = self
            .bridge
            .run(client.query(&query, &[&self.workspace]))
            .map_err(self.failed("read the state's lock holders"))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn journal_rows(&self, client: &tokio_postgres::Client) -> Result<Vec<JournalRow>, StateError> {
        let query = format!(
            "SELECT seq, writer, base_lineage, base_serial, record::text \
             FROM {}.tenantform_journal WHERE state_name = $1 ORDER BY seq",
            self.schema
        );
        let rows = self
            .bridge
            .run(client.query(&query, &[&self.workspace]))
            .map_err(self.failed("read the state journal"))?;
        Ok(rows
            .iter()
            .map(|row| JournalRow {
                seq: row.get(0),
                writer: row.get(1),
                lineage: row.get(2),
                serial: row.get(3),
                record: row.get(4),
            })
            .collect())
    }

    /// Runs one statement of the merge transaction.
    fn merge_statement(
        &self,
        client: &tokio_postgres::Client,
        statement: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, StateError> {
        self.bridge
            .run(client.query(statement, params))
            .map_err(self.failed("write the merged state"))
    }

    /// The stored serial and lineage, read with the row locked until the transaction ends.
    fn locked_row(
        &self,
        client: &tokio_postgres::Client,
    ) -> Result<Option<(String, u64)>, StateError> {
        let query = format!(
            "SELECT data FROM {}.states WHERE name = $1 FOR UPDATE",
            self.schema
        );
        let rows = self.merge_statement(client, &query, &[&self.workspace])?;
        let data: Option<String> = rows.first().and_then(|row| row.get(0));
        let Some(data) = data else {
            return Ok(None);
        };
        let state = self.parse_row(&data)?;
        Ok(state.map(|s| (s.lineage, s.serial)))
    }

    /// The transaction's writes: the merged row, then the deletion of this writer's rows and
    /// of the folded ones.
    fn store_merged(
        &self,
        client: &tokio_postgres::Client,
        data: &str,
        writer: Option<&str>,
        folded: &[i64],
        (lineage, serial): (&str, i64),
    ) -> Result<(), StateError> {
        let update = format!(
            "UPDATE {}.states SET data = $2 WHERE name = $1",
            self.schema
        );
        self.merge_statement(client, &update, &[&self.workspace, &data])?;
        let clear = format!(
            "DELETE FROM {}.tenantform_journal WHERE state_name = $1 \
             AND (writer = $2 OR seq = ANY($3))",
            self.schema
        );
        self.merge_statement(client, &clear, &[&self.workspace, &writer, &folded])?;
        let record = format!(
            "INSERT INTO {}.tenantform_merges (state_name, lineage, serial) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            self.schema
        );
        self.merge_statement(client, &record, &[&self.workspace, &lineage, &serial])?;
        // Pruned far behind every pending row, and behind any run still planning.
        let prune = format!(
            "DELETE FROM {schema}.tenantform_merges WHERE state_name = $1 AND serial < $2 \
             AND serial <= (SELECT coalesce(min(base_serial), $2) FROM \
             {schema}.tenantform_journal WHERE state_name = $1 AND writer IS NOT NULL)",
            schema = self.schema
        );
        self.merge_statement(client, &prune, &[&self.workspace, &(serial - MERGES_KEPT)])?;
        Ok(())
    }
}

impl TenantLocking for PgStore {
    fn lock_shared(
        &self,
        operation: &str,
        timeout: Duration,
    ) -> Result<Option<Box<dyn PartitionLocks>>, StateError> {
        // The tables must exist before the row can be looked up.
        self.client(&mut self.inner())?;
        let target = self.lock_target();
        let taken = postgres_tenant_lock::lock_shared(
            &self.bridge,
            &target,
            operation,
            timeout,
            &self.held,
        )?;
        Ok(taken.map(|taken| {
            self.inner().writer = Some(taken.writer);
            Box::new(taken.lock) as Box<dyn PartitionLocks>
        }))
    }

    fn merge_base(&self) -> Result<MergeBase, StateError> {
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        let Some(mut stored) = self.read_row(&client)?.0 else {
            return Err(StateError::Backend {
                action: "merge the state",
                detail: format!("the state {} no longer exists", self.display_name()),
            });
        };
        let live = self.live_writers(&client)?;
        let ours = inner.writer.clone();
        let base = (Some(stored.lineage.as_str()), stored.serial);
        let merged = self.merged_serials(&client, Some(&stored.lineage))?;
        let mut folded = Vec::new();
        let mut lines = Vec::new();
        for row in self.journal_rows(&client)? {
            let running = row
                .writer
                .as_ref()
                .is_some_and(|writer| Some(writer) == ours.as_ref() || live.contains(writer));
            if running
                || !row_applies(
                    row.writer.as_deref(),
                    (row.lineage.as_deref(), row.serial),
                    base,
                    &merged,
                )
            {
                continue;
            }
            folded.push(row.seq);
            lines.push(row.record);
        }
        let journal = self.parse_journal_rows(Some(&stored.lineage), stored.serial, &lines)?;
        if let Some(journal) = journal {
            for change in journal.changes {
                stored.apply_state_change(change);
            }
        }
        Ok(MergeBase {
            state: stored,
            folded,
        })
    }

    fn write_merged(&self, merged: &State, base: &MergeBase) -> Result<Option<u64>, StateError> {
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        self.ensure_lock_held(&client)?;
        let serial = base.state.serial + 1;
        let mut stored = merged.clone();
        stored.serial = serial;
        stored.lineage = base.state.lineage.clone();
        let data = self.sealed(&format_v4::serialize(&stored), &stored, serial)?;
        let writer = inner.writer.clone();
        self.bridge
            .run(client.batch_execute("BEGIN"))
            .map_err(self.failed("write the merged state"))?;
        let outcome: Result<bool, StateError> = (|| {
            let expected = (base.state.lineage.clone(), base.state.serial);
            if self.locked_row(&client)? != Some(expected) {
                return Ok(false);
            }
            let written = (stored.lineage.as_str(), serial as i64);
            self.store_merged(&client, &data, writer.as_deref(), &base.folded, written)?;
            self.bridge
                .run(client.batch_execute("COMMIT"))
                .map_err(self.failed("write the merged state"))?;
            Ok(true)
        })();
        if !matches!(outcome, Ok(true)) {
            let _ = self.bridge.run(client.batch_execute("ROLLBACK"));
        }
        if !outcome? {
            return Ok(None);
        }
        inner.snapshot = Some(Snapshot::of(Some(&stored)));
        Ok(Some(serial))
    }
}
