//! Tenant databases of the embedded backend: a catalog row plus one SQLite file named after the
//! schema. Deleting archives the file (copy, SHA-256 of both sides compared, checksum file
//! written) before the row and the file go.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use sha2::{Digest, Sha256};

use super::audit::{self, Action};
use super::{Layout, io_error, now_rfc3339, tenants, unique_violation};
use crate::backend::{BackendError, DatabaseRecord};

const KIND: &str = "tenant database";
const COLUMNS: &str = "id, tenant_id, name, connection_limit, schema_name, owner_role, file_name";

fn from_row(layout: &Layout) -> impl Fn(&Row<'_>) -> rusqlite::Result<DatabaseRecord> + '_ {
    move |row| {
        let file_name: String = row.get(6)?;
        Ok(DatabaseRecord {
            id: row.get(0)?,
            tenant_id: row.get(1)?,
            name: row.get(2)?,
            connection_limit: row.get(3)?,
            schema: row.get(4)?,
            owner_role: row.get(5)?,
            connection_uri: connection_uri(&layout.databases_dir.join(file_name)),
        })
    }
}

fn connection_uri(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

fn file_name(schema: &str) -> String {
    format!("{schema}.db")
}

pub fn create(
    tx: &Transaction<'_>,
    layout: &Layout,
    record: &DatabaseRecord,
) -> Result<DatabaseRecord, BackendError> {
    if tenants::get(tx, &record.tenant_id)?.is_none() {
        return Err(BackendError::InvalidReference(format!(
            "tenant {:?} does not exist",
            record.tenant_id
        )));
    }
    let name = file_name(&record.schema);
    tx.execute(
        &format!("INSERT INTO databases ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7)"),
        params![
            record.id,
            record.tenant_id,
            record.name,
            record.connection_limit,
            record.schema,
            record.owner_role,
            name
        ],
    )
    .map_err(unique_violation(KIND, format!("{:?}", record.name)))?;
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
    audit::append(tx, KIND, &record.id, Action::Create, None, Some(&created))?;
    Ok(created)
}

fn initialize_database_file(path: &Path, record: &DatabaseRecord) -> Result<(), BackendError> {
    let database = Connection::open(path)?;
    database.execute_batch(
        "CREATE TABLE IF NOT EXISTS tenant_database_info (key TEXT PRIMARY KEY, value TEXT);",
    )?;
    database.execute(
        "INSERT OR REPLACE INTO tenant_database_info (key, value) VALUES \
         ('database_id', ?1), ('schema', ?2), ('owner_role', ?3)",
        params![record.id, record.schema, record.owner_role],
    )?;
    Ok(())
}

pub fn get(
    connection: &Connection,
    layout: &Layout,
    id: &str,
) -> Result<Option<DatabaseRecord>, BackendError> {
    Ok(connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM databases WHERE id = ?1"),
            [id],
            from_row(layout),
        )
        .optional()?)
}

pub fn find(
    connection: &Connection,
    layout: &Layout,
    tenant_id: &str,
    name: &str,
) -> Result<Option<DatabaseRecord>, BackendError> {
    Ok(connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM databases WHERE tenant_id = ?1 AND name = ?2"),
            [tenant_id, name],
            from_row(layout),
        )
        .optional()?)
}

pub fn list(
    connection: &Connection,
    layout: &Layout,
    tenant_id: &str,
) -> Result<Vec<DatabaseRecord>, BackendError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM databases WHERE tenant_id = ?1 ORDER BY name"
    ))?;
    let rows = statement.query_map([tenant_id], from_row(layout))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Only `connection_limit` can change in place; the names are fixed at create.
pub fn update(
    tx: &Transaction<'_>,
    layout: &Layout,
    record: &DatabaseRecord,
) -> Result<DatabaseRecord, BackendError> {
    let before = get(tx, layout, &record.id)?.ok_or_else(|| BackendError::NotFound {
        kind: KIND,
        id: record.id.clone(),
    })?;
    tx.execute(
        "UPDATE databases SET connection_limit = ?2 WHERE id = ?1",
        params![record.id, record.connection_limit],
    )?;
    let after = DatabaseRecord {
        connection_limit: record.connection_limit,
        ..before.clone()
    };
    audit::append(
        tx,
        KIND,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, layout, id)? else {
        return Ok(false);
    };
    let grants: i64 = tx.query_row(
        "SELECT count(*) FROM grants WHERE database_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if grants > 0 {
        return Err(BackendError::HasDependents {
            kind: KIND,
            key: format!("{:?}", before.name),
            dependents: format!("{grants} grant(s)"),
        });
    }
    let path = layout.databases_dir.join(file_name(&before.schema));
    if path.exists() {
        archive(&path, &layout.archive_dir, &before.schema)?;
    }
    tx.execute("DELETE FROM databases WHERE id = ?1", [id])?;
    audit::append(tx, KIND, id, Action::Delete, Some(&before), None)?;
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

/// Copies `file` into the archive folder, verifies the copy's checksum against the source and
/// writes `<archive>.sha256`. Returns the archive path.
fn archive(file: &Path, archive_dir: &Path, schema: &str) -> Result<PathBuf, BackendError> {
    let stamp = format!(
        "{}-{}",
        now_rfc3339().replace(':', ""),
        time::OffsetDateTime::now_utc().nanosecond()
    );
    let target = archive_dir.join(format!("{schema}-{stamp}.db"));
    fs::copy(file, &target).map_err(io_error(&target))?;
    let source_sum = sha256_file(file)?;
    let archived_sum = sha256_file(&target)?;
    if source_sum != archived_sum {
        return Err(BackendError::Io {
            path: target.display().to_string(),
            source: std::io::Error::other("archive checksum does not match the database"),
        });
    }
    let checksum_file = target.with_extension("db.sha256");
    let file_label = target.file_name().map(|n| n.to_string_lossy().into_owned());
    fs::write(
        &checksum_file,
        format!("{archived_sum}  {}\n", file_label.unwrap_or_default()),
    )
    .map_err(io_error(&checksum_file))?;
    Ok(target)
}

fn sha256_file(path: &Path) -> Result<String, BackendError> {
    let mut file = fs::File::open(path).map_err(io_error(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = file.read(&mut buffer).map_err(io_error(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}
