//! Where the `pg` backend keeps the change-scoped planning record: one row per workspace in
//! `<schema>.tenantform_scope` (a table Terraform ignores, beside `states` as the journal
//! table is), created on first use and replaced in one statement under the state lock.

use tokio_postgres::Client;

use super::PgStore;
use crate::state::{ScopeRecord, StateError};

impl PgStore {
    /// Creates the record's table unless it exists.
    fn prepare_scope_table(&self, client: &Client) -> Result<(), StateError> {
        let statement = format!(
            "CREATE TABLE IF NOT EXISTS {}.tenantform_scope (\
             state_name text PRIMARY KEY, record text NOT NULL)",
            self.schema
        );
        self.bridge
            .run(client.batch_execute(&statement))
            .map_err(self.failed("prepare the scope record table"))
    }

    /// This workspace's record; `None` when there is none, it is not of this format, or the
    /// state is encrypted.
    pub(super) fn read_scope_row(&self) -> Result<Option<ScopeRecord>, StateError> {
        if self.encryption.target()?.is_some() {
            return Ok(None);
        }
        let client = self.client(&mut self.inner())?;
        self.prepare_scope_table(&client)?;
        let query = format!(
            "SELECT record FROM {}.tenantform_scope WHERE state_name = $1",
            self.schema
        );
        let row = self
            .bridge
            .run(client.query_opt(&query, &[&self.workspace]))
            .map_err(self.failed("read the scope record"))?;
        let record: Option<String> = row.map(|row| row.get(0));
        Ok(record.and_then(|text| ScopeRecord::from_bytes(text.as_bytes())))
    }

    /// Replaces this workspace's record (nothing for an encrypted state).
    pub(super) fn write_scope_row(&self, record: &ScopeRecord) -> Result<(), StateError> {
        if self.encryption.target()?.is_some() {
            return Ok(());
        }
        let client = self.client(&mut self.inner())?;
        self.prepare_scope_table(&client)?;
        self.ensure_lock_held(&client)?;
        let upsert = format!(
            "INSERT INTO {}.tenantform_scope (state_name, record) VALUES ($1, $2) \
             ON CONFLICT (state_name) DO UPDATE SET record = EXCLUDED.record",
            self.schema
        );
        let text = String::from_utf8_lossy(&record.to_bytes()).into_owned();
        self.bridge
            .run(client.execute(&upsert, &[&self.workspace, &text]))
            .map_err(self.failed("write the scope record"))?;
        Ok(())
    }
}
