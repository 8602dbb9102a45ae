//! The PostgreSQL state store, compatible with Terraform's `pg` backend: the state of each
//! workspace is one row of `<schema>.states` (`id`, `name`, `data` = the version 4 JSON), so
//! Terraform with the same backend block reads and writes the same state.
//!
//! Durability per instance at linear cost: each recorded change is one row appended to
//! `<schema>.tenantform_journal` (a table Terraform ignores), committed before `record`
//! returns; each row names the snapshot it applies to (lineage and serial), `read` replays the
//! rows that apply to the stored snapshot, and `write`/`compact` store the new snapshot and
//! delete the workspace's journal rows in one transaction. The lock is Terraform's advisory
//! lock scheme (see [`super::postgres_lock`]), checked before every write
//! ([`super::postgres_lock_guard`]). A per-tenant apply holds that lock shared, its tenants'
//! locks exclusively ([`super::postgres_tenant_lock`]), and writes by merging ([`merge`]).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_postgres::Client;

use super::encrypted::{self, EncryptionChoice};
use super::journal::{self, Header};
use super::lock::StateLock;
use super::postgres_conn::{self, Bridge, PgSettings, backend_error, quoted_schema};
use super::postgres_lock::{self, LockTarget};
use super::postgres_lock_guard::{self, HeldSession};
use super::postgres_tenant_lock;
use super::snapshot::{Snapshot, WriteSerial, content_digest, replay};
use super::tenant_scope::TenantLocking;
use super::{JournalEntry, State, StateError, StateStore, format_v4};

/// The workspace name Terraform uses when workspaces are not in use.
pub(crate) const DEFAULT_WORKSPACE: &str = "default";

/// The state of one workspace in PostgreSQL.
pub(crate) struct PgStore {
    settings: PgSettings,
    /// The schema as a quoted identifier.
    schema: String,
    workspace: String,
    bridge: Arc<Bridge>,
    /// The encryption target of the row and the journal (`TF_ENCRYPTION`).
    encryption: EncryptionChoice,
    inner: Mutex<Inner>,
    /// The state lock this store's command holds, checked before every write.
    held: HeldSession,
}

#[derive(Default)]
struct Inner {
    /// The data connection, once opened (and the tables checked).
    client: Option<Arc<Client>>,
    /// What the `states` row holds, once known.
    snapshot: Option<Snapshot>,
    /// The row was read through a fallback method (or unencrypted where the method
    /// encrypts): the next write rewrites it even when its content is unchanged.
    reencrypt: bool,
    /// Under a shared (per-tenant) lock: the lock session's identity, which this store's
    /// journal rows carry (see [`merge`]).
    writer: Option<String>,
}

impl PgStore {
    /// The store for `workspace` (Terraform's workspace name; `default` without workspaces).
    /// Nothing is contacted until the store is first used.
    pub(crate) fn new(settings: PgSettings, workspace: &str) -> Result<PgStore, StateError> {
        let schema = quoted_schema(&settings.schema_name)?;
        Ok(PgStore {
            settings,
            schema,
            workspace: workspace.to_string(),
            bridge: Bridge::new()?,
            encryption: EncryptionChoice::default(),
            inner: Mutex::new(Inner::default()),
            held: HeldSession::default(),
        })
    }

    /// The store with another encryption target than the `state` one.
    pub(crate) fn with_encryption(mut self, encryption: EncryptionChoice) -> PgStore {
        self.encryption = encryption;
        self
    }

    /// How messages name the stored state.
    pub(crate) fn display_name(&self) -> String {
        format!("{}.states/{}", self.settings.schema_name, self.workspace)
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn failed(&self, action: &'static str) -> impl Fn(tokio_postgres::Error) -> StateError + '_ {
        move |err| backend_error(action, &self.settings, err)
    }

    /// The data connection, opened on first use, with the schema and tables created unless
    /// the settings skip that.
    fn client(&self, inner: &mut Inner) -> Result<Arc<Client>, StateError> {
        if let Some(client) = &inner.client {
            return Ok(client.clone());
        }
        let client = self.bridge.run(async {
            let client = postgres_conn::connect(&self.settings, "tenantform").await?;
            self.prepare_tables(&client).await?;
            Ok::<_, StateError>(client)
        })?;
        let client = Arc::new(client);
        inner.client = Some(client.clone());
        Ok(client)
    }

    /// Creates what Terraform's `pg` backend creates (unless skipped) and the journal table.
    async fn prepare_tables(&self, client: &Client) -> Result<(), StateError> {
        let schema = &self.schema;
        let mut statements = Vec::new();
        if !self.settings.skip_schema_creation {
            statements.push(format!("CREATE SCHEMA IF NOT EXISTS {schema}"));
        }
        if !self.settings.skip_table_creation {
            statements.push(
                "CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint".to_string(),
            );
            statements.push(format!(
                "CREATE TABLE IF NOT EXISTS {schema}.states (\
                 id bigint NOT NULL DEFAULT nextval('public.global_states_id_seq') PRIMARY KEY, \
                 name text UNIQUE, data text)"
            ));
        }
        if !self.settings.skip_index_creation {
            statements.push(format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS states_by_name ON {schema}.states (name)"
            ));
        }
        statements.push(format!(
            "CREATE TABLE IF NOT EXISTS {schema}.tenantform_journal (\
             state_name text NOT NULL, seq bigserial PRIMARY KEY, base_lineage text, \
             base_serial bigint NOT NULL, record jsonb NOT NULL)"
        ));
        statements.push(format!(
            "ALTER TABLE {schema}.tenantform_journal ADD COLUMN IF NOT EXISTS writer text"
        ));
        statements.push(postgres_tenant_lock::create_locks_table(schema));
        statements.push(merge::create_merges_table(schema));
        for statement in statements {
            client
                .batch_execute(&statement)
                .await
                .map_err(self.failed("prepare the state tables"))?;
        }
        Ok(())
    }

    /// The stored state without the journal, as `states.data` holds it (decrypted), and
    /// whether it must be re-encrypted.
    fn read_row(&self, client: &Client) -> Result<(Option<State>, bool), StateError> {
        let query = format!("SELECT data FROM {}.states WHERE name = $1", self.schema);
        let row = self
            .bridge
            .run(client.query_opt(&query, &[&self.workspace]))
            .map_err(self.failed("read the state"))?;
        let data: Option<String> = row.and_then(|row| row.get(0));
        let Some(data) = data else {
            return Ok((None, false));
        };
        self.parse_data(&data)
    }

    /// The state a row's `data` holds (decrypted), and whether it must be re-encrypted.
    fn parse_data(&self, data: &str) -> Result<(Option<State>, bool), StateError> {
        let target = self.encryption.target()?;
        let name = self.display_name();
        let (plain, reencrypt) = encrypted::open_state(target.as_deref(), data.as_bytes(), &name)?;
        Ok((format_v4::parse(&plain, &name)?, reencrypt))
    }

    /// The state a row's `data` holds.
    fn parse_row(&self, data: &str) -> Result<Option<State>, StateError> {
        Ok(self.parse_data(data)?.0)
    }

    /// The row's data for a state's plain JSON.
    fn sealed(&self, plain: &[u8], state: &State, serial: u64) -> Result<String, StateError> {
        let target = self.encryption.target()?;
        let name = self.display_name();
        let stored =
            encrypted::seal_state(target.as_deref(), plain, serial, &state.lineage, &name)?;
        Ok(String::from_utf8_lossy(&stored).into_owned())
    }

    /// The journal rows that apply to `snapshot`, as journal bytes (header line first).
    fn read_journal(
        &self,
        client: &Client,
        snapshot: &Snapshot,
    ) -> Result<Option<journal::Journal>, StateError> {
        let query = format!(
            "SELECT base_lineage, base_serial, record::text, writer FROM {}.tenantform_journal \
             WHERE state_name = $1 ORDER BY seq",
            self.schema
        );
        let rows = self
            .bridge
            .run(client.query(&query, &[&self.workspace]))
            .map_err(self.failed("read the state journal"))?;
        let (base_lineage, base_serial) = snapshot.base();
        let merged = self.merged_serials(client, base_lineage)?;
        let mut stale = 0;
        let mut lineage = base_lineage.map(str::to_string);
        let mut lines = Vec::new();
        for row in rows {
            let row_lineage: Option<String> = row.get(0);
            let row_serial: i64 = row.get(1);
            let writer: Option<String> = row.get(3);
            let applies = merge::row_applies(
                writer.as_deref(),
                (row_lineage.as_deref(), row_serial),
                (base_lineage, base_serial),
                &merged,
            );
            if !applies {
                stale += 1;
                continue;
            }
            if lineage.is_none() {
                lineage = row_lineage;
            }
            let record: String = row.get(2);
            lines.push(record);
        }
        if stale > 0 {
            tracing::warn!(
                "ignoring {stale} stale journal row(s) of {}: the state was written after them",
                self.display_name()
            );
        }
        self.parse_journal_rows(lineage.as_deref(), base_serial, &lines)
    }

    /// Journal rows (one journal line each) as a journal over the snapshot `lineage`/`serial`.
    fn parse_journal_rows(
        &self,
        lineage: Option<&str>,
        serial: u64,
        lines: &[String],
    ) -> Result<Option<journal::Journal>, StateError> {
        if lines.is_empty() {
            return Ok(None);
        }
        let mut bytes = journal::encode_header(&Header::for_snapshot(lineage, serial));
        for line in lines {
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        journal::parse(
            &bytes,
            &format!("{} journal", self.display_name()),
            self.encryption.target()?.as_deref(),
        )
    }

    /// The snapshot journal rows are based on, reading the row when not known yet.
    fn snapshot(&self, inner: &mut Inner, client: &Client) -> Result<Snapshot, StateError> {
        if let Some(snapshot) = &inner.snapshot {
            return Ok(snapshot.clone());
        }
        let snapshot = Snapshot::of(self.read_row(client)?.0.as_ref());
        inner.snapshot = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Appends one journal row (one JSON line of the journal format), committed on return.
    fn append(&self, line: &[u8]) -> Result<(), StateError> {
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        let snapshot = self.snapshot(&mut inner, &client)?;
        let (lineage, serial) = snapshot.base();
        let target = self.encryption.target()?;
        let name = format!("{} journal", self.display_name());
        let line = encrypted::seal_journal_line(target.as_deref(), line, &name)?;
        self.ensure_lock_held(&client)?;
        let record = String::from_utf8_lossy(&line).trim_end().to_string();
        let query = format!(
            "INSERT INTO {}.tenantform_journal \
             (state_name, base_lineage, base_serial, record, writer) \
             VALUES ($1, $2, $3, $4::text::jsonb, $5)",
            self.schema
        );
        let writer = inner.writer.clone();
        self.bridge
            .run(client.execute(
                &query,
                &[
                    &self.workspace,
                    &lineage,
                    &(serial as i64),
                    &record,
                    &writer,
                ],
            ))
            .map_err(self.failed("record a change in the state journal"))?;
        Ok(())
    }

    /// Fails unless the state lock this command took (if any) is still held.
    fn ensure_lock_held(&self, client: &Client) -> Result<(), StateError> {
        self.bridge.run(postgres_lock_guard::ensure_held(
            client,
            &self.held,
            &self.settings,
        ))
    }

    /// Stores `data` as the row's state and deletes the journal, in one transaction.
    fn store_snapshot(&self, client: &Client, data: Option<&str>) -> Result<(), StateError> {
        self.ensure_lock_held(client)?;
        let upsert = format!(
            "INSERT INTO {}.states (name, data) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data",
            self.schema
        );
        let clear = format!(
            "DELETE FROM {}.tenantform_journal WHERE state_name = $1",
            self.schema
        );
        let forget_merges = format!(
            "DELETE FROM {}.tenantform_merges WHERE state_name = $1",
            self.schema
        );
        self.bridge
            .run(async {
                client.batch_execute("BEGIN").await?;
                let result = async {
                    if let Some(data) = data {
                        client.execute(&upsert, &[&self.workspace, &data]).await?;
                    }
                    client.execute(&clear, &[&self.workspace]).await?;
                    client.execute(&forget_merges, &[&self.workspace]).await?;
                    client.batch_execute("COMMIT").await
                }
                .await;
                if result.is_err() {
                    let _ = client.batch_execute("ROLLBACK").await;
                }
                result
            })
            .map_err(self.failed("write the state"))
    }
}

/// Workspaces, as Terraform's `pg` backend keeps them: one `states` row each.
impl PgStore {
    /// Terraform's workspace listing: `default` first, then the name of every other row,
    /// sorted.
    pub(crate) fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        let query = format!(
            "SELECT name FROM {}.states WHERE name != $1 ORDER BY name",
            self.schema
        );
        let rows = self
            .bridge
            .run(client.query(&query, &[&DEFAULT_WORKSPACE]))
            .map_err(self.failed("list the workspaces"))?;
        let mut names = vec![DEFAULT_WORKSPACE.to_string()];
        names.extend(
            rows.iter()
                .filter_map(|row| row.get::<_, Option<String>>(0)),
        );
        Ok(names)
    }

    /// Creates this workspace's row with an empty state unless it exists, under the lock, as
    /// Terraform's `pg` backend does when a workspace is first used (the row is how the
    /// listing knows the workspace).
    pub(crate) fn create_workspace(&self) -> Result<(), StateError> {
        if self.workspace == DEFAULT_WORKSPACE || self.workspaces()?.contains(&self.workspace) {
            return Ok(());
        }
        let _lock = self.lock("init", Duration::ZERO)?;
        if self.read()?.is_none() {
            self.write(&State::new())?;
        }
        Ok(())
    }

    /// Deletes this workspace's row and journal (never the `default` workspace's).
    pub(crate) fn delete_workspace(&self) -> Result<(), StateError> {
        if self.workspace == DEFAULT_WORKSPACE {
            return Err(StateError::Backend {
                action: "delete the workspace",
                detail: "can't delete default state".into(),
            });
        }
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        let rows = format!("DELETE FROM {}.states WHERE name = $1", self.schema);
        let journal = format!(
            "DELETE FROM {}.tenantform_journal WHERE state_name = $1",
            self.schema
        );
        self.bridge
            .run(async {
                client.execute(&rows, &[&self.workspace]).await?;
                let merges = format!(
                    "DELETE FROM {}.tenantform_merges WHERE state_name = $1",
                    self.schema
                );
                client.execute(&merges, &[&self.workspace]).await?;
                client.execute(&journal, &[&self.workspace]).await
            })
            .map_err(self.failed("delete the workspace"))?;
        inner.snapshot = None;
        Ok(())
    }
}

impl StateStore for PgStore {
    fn read(&self) -> Result<Option<State>, StateError> {
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        let (mut state, reencrypt) = self.read_row(&client)?;
        let snapshot = Snapshot::of(state.as_ref());
        inner.snapshot = Some(snapshot.clone());
        inner.reencrypt = reencrypt;
        let Some(journal) = self.read_journal(&client, &snapshot)? else {
            return Ok(state);
        };
        tracing::info!(
            "replaying {} change(s) from the journal of {} over the stored state",
            journal.changes.len(),
            self.display_name()
        );
        replay(&mut state, journal);
        Ok(state)
    }

    fn write(&self, state: &State) -> Result<u64, StateError> {
        let mut inner = self.inner();
        if inner.writer.is_some() {
            return Err(merge::whole_write_refused());
        }
        let client = self.client(&mut inner)?;
        let snapshot = self.snapshot(&mut inner, &client)?;
        let digest = content_digest(state);
        if let Snapshot::Present { lineage, .. } = &snapshot
            && *lineage != state.lineage
        {
            return Err(StateError::LineageMismatch {
                file: self.display_name(),
                found: lineage.clone(),
                expected: state.lineage.clone(),
            });
        }
        let serial = match snapshot.serial_for(state, &digest) {
            WriteSerial::Unchanged(serial) if !inner.reencrypt => {
                self.store_snapshot(&client, None)?;
                return Ok(serial);
            }
            WriteSerial::Unchanged(serial) | WriteSerial::New(serial) => serial,
        };
        let mut stored = state.clone();
        stored.serial = serial;
        let data = self.sealed(&format_v4::serialize(&stored), state, serial)?;
        self.store_snapshot(&client, Some(&data))?;
        inner.reencrypt = false;
        inner.snapshot = Some(Snapshot::Present {
            lineage: state.lineage.clone(),
            serial,
            content_digest: digest,
        });
        Ok(serial)
    }

    fn record_entry(&self, entry: JournalEntry<'_>) -> Result<(), StateError> {
        self.append(&journal::encode_entry(entry))
    }

    fn compact(&self, state: &State) -> Result<u64, StateError> {
        self.write(state)
    }

    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, StateError> {
        // The tables must exist before the row can be looked up; under the exclusive lock
        // this store is no per-tenant writer (any more).
        let mut inner = self.inner();
        self.client(&mut inner)?;
        inner.writer = None;
        drop(inner);
        let target = LockTarget {
            settings: &self.settings,
            schema: &self.schema,
            workspace: &self.workspace,
        };
        postgres_lock::lock(&self.bridge, &target, operation, timeout, &self.held)
    }

    fn replace(&self, state: &State) -> Result<(), StateError> {
        let mut inner = self.inner();
        let client = self.client(&mut inner)?;
        let data = self.sealed(&format_v4::serialize(state), state, state.serial)?;
        self.store_snapshot(&client, Some(&data))?;
        inner.snapshot = Some(Snapshot::of(Some(state)));
        Ok(())
    }

    fn tenant_locking(&self) -> Option<&dyn TenantLocking> {
        Some(self)
    }

    fn force_unlock(&self, lock_id: &str) -> Result<(), StateError> {
        self.client(&mut self.inner())?;
        let target = LockTarget {
            settings: &self.settings,
            schema: &self.schema,
            workspace: &self.workspace,
        };
        postgres_lock::force_unlock(&self.bridge, &target, lock_id)
    }

    fn read_scope_record(&self) -> Result<Option<super::ScopeRecord>, StateError> {
        self.read_scope_row()
    }

    fn write_scope_record(&self, record: &super::ScopeRecord) -> Result<(), StateError> {
        self.write_scope_row(record)
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("settings", &self.settings)
            .field("workspace", &self.workspace)
            .finish()
    }
}

mod merge;

mod scope_table;
#[cfg(test)]
mod tests;
