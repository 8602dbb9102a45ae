//! Tenant databases of the embedded backend: a catalog row plus one SQLite file named after the
//! schema. Deleting archives the file (see `backend::archive`: copied, checksummed, re-read and
//! verified) before the row and the file go.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, Row, Transaction, params};

use super::audit::{self, Action};
use super::table::{self, Table};
use super::{Layout, io_error};
use crate::backend::archive::ArchiveWriter;
use crate::backend::columns::{ColumnValue, Columns};
use crate::backend::{BackendError, DatabaseRecord, TenantRecord};
use crate::records::Record;

/// The resource type the audit log names.
const RESOURCE: &str = DatabaseRecord::RESOURCE;

fn connection_uri(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

fn file_name(schema: &str) -> String {
    format!("{schema}.db")
}

/// Writes the new database file and makes it durable with one fsync of the file and one of
/// its folder. No catalog row names the file until the caller's transaction commits, so a
/// crash part-way leaves only a stale file, which the next create of that name removes: the
/// file needs no on-disk rollback journal of its own (it keeps one in memory, for a failure
/// inside this transaction), nor SQLite's syncs per statement.
fn initialize_database_file(path: &Path, record: &DatabaseRecord) -> Result<(), BackendError> {
    let mut database = Connection::open(path)?;
    database.pragma_update(None, "journal_mode", "MEMORY")?;
    database.pragma_update(None, "synchronous", "OFF")?;
    let transaction = database.transaction()?;
    transaction.execute_batch(
        "CREATE TABLE IF NOT EXISTS tenant_database_info (key TEXT PRIMARY KEY, value TEXT);",
    )?;
    transaction.execute(
        "INSERT OR REPLACE INTO tenant_database_info (key, value) VALUES \
         ('database_id', ?1), ('schema', ?2), ('owner_role', ?3)",
        params![record.id, record.schema, record.owner_role],
    )?;
    transaction.commit()?;
    database.close().map_err(|(_, error)| error)?;
    sync_file(path)?;
    match path.parent() {
        Some(folder) => sync_file(folder),
        None => Ok(()),
    }
}

/// Flushes a file (or a folder's entries) to disk.
fn sync_file(path: &Path) -> Result<(), BackendError> {
    fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(io_error(path))
}

/// Archives the database file as `<schema>.db` in a verified archive of kind `database`
/// under the tenant's slug.
fn archive(
    tx: &Transaction<'_>,
    file: &Path,
    layout: &Layout,
    record: &DatabaseRecord,
) -> Result<PathBuf, BackendError> {
    let slug = table::get::<TenantRecord>(tx, layout, &record.tenant_id)?
        .map(|tenant| tenant.slug)
        .unwrap_or_else(|| record.tenant_id.clone());
    let mut writer = ArchiveWriter::begin(&layout.archive_dir, &slug, "database", &record.schema)?;
    writer.copy_file(&file_name(&record.schema), file)?;
    Ok(writer.finish()?.dir)
}

impl Table for DatabaseRecord {
    const EXTRA_SELECTED: &'static str = ", file_name";

    /// The connection URI names the database file the row records.
    fn from_row(row: &Row<'_>, layout: &Layout) -> Result<Self, BackendError> {
        let record: DatabaseRecord = table::read_record(row)?;
        let file_name: String = row.get(Self::NAMES.len())?;
        Ok(DatabaseRecord {
            connection_uri: connection_uri(&layout.databases_dir.join(file_name)),
            ..record
        })
    }

    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        table::referenced::<TenantRecord>(tx, layout, &record.tenant_id)?;
        let name = file_name(&record.schema);
        let file = ColumnValue::Text(name.clone());
        table::insert_row(
            tx,
            record,
            &[("file_name", file)],
            format!("{:?}", record.name),
        )?;
        let path = layout.databases_dir.join(&name);
        // A file without a catalog row was left by a delete interrupted after its archive was
        // verified; it is stale and must not leak into the new database.
        if path.exists() {
            fs::remove_file(&path).map_err(io_error(&path))?;
        }
        initialize_database_file(&path, record)?;
        let created = DatabaseRecord {
            connection_uri: connection_uri(&path),
            ..record.clone()
        };
        table::audit(tx, Action::Create, None, Some(&created))?;
        Ok(created)
    }

    /// Only `connection_limit` can change in place; the names are fixed at create.
    const UPDATED: &'static [&'static str] = &["connection_limit"];

    fn merged(before: &Self, record: &Self) -> Self {
        DatabaseRecord {
            connection_limit: record.connection_limit,
            ..before.clone()
        }
    }

    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::check_no_dependents(tx, &before)?;
        let path = layout.databases_dir.join(file_name(&before.schema));
        if path.exists() {
            let archive_dir = archive(tx, &path, layout, &before)?;
            let archived = serde_json::json!({ "archive": archive_dir.display().to_string() });
            audit::append_json(
                tx,
                RESOURCE,
                id,
                Action::Archive,
                None,
                Some(archived.to_string()),
            )?;
        }
        tx.execute("DELETE FROM databases WHERE id = ?1", [id])?;
        table::audit(tx, Action::Delete, Some(&before), None)?;
        // The row is gone only once the caller commits; removing the (archived) file first is
        // safe because a leftover row whose file is missing reads as an empty database.
        fs::remove_file(&path)
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(io_error(&path))?;
        Ok(true)
    }
}
