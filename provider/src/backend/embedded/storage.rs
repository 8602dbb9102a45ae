//! Tenant storage of the embedded backend: a catalog row per tenant plus a directory under the
//! storage root (see `backend::storage_files`). Reads measure the directory's usage; deleting
//! archives the directory and verifies the archive before removing it.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::audit::{self, Action};
use super::{Layout, tenants, unique_violation};
use crate::backend::{BackendError, StorageRecord, storage_files};
use crate::records::Record;

const KIND: &str = StorageRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = StorageRecord::RESOURCE;
const COLUMNS: &str = "id, tenant_id, quota_gb, path";

fn from_row(row: &Row<'_>) -> rusqlite::Result<StorageRecord> {
    Ok(StorageRecord {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        quota_gb: row.get(2)?,
        path: row.get(3)?,
        used_bytes: 0,
    })
}

/// The record with its usage measured now.
fn measured(record: StorageRecord) -> Result<StorageRecord, BackendError> {
    let used = storage_files::used_bytes(Path::new(&record.path))?;
    Ok(StorageRecord {
        used_bytes: i64::try_from(used).unwrap_or(i64::MAX),
        ..record
    })
}

fn query_one(
    connection: &Connection,
    filter: &str,
    key: &str,
) -> Result<Option<StorageRecord>, BackendError> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM storage WHERE {filter}"),
            [key],
            from_row,
        )
        .optional()?
        .map(measured)
        .transpose()
}

pub fn get(connection: &Connection, id: &str) -> Result<Option<StorageRecord>, BackendError> {
    query_one(connection, "id = ?1", id)
}

pub fn find(
    connection: &Connection,
    tenant_id: &str,
) -> Result<Option<StorageRecord>, BackendError> {
    query_one(connection, "tenant_id = ?1", tenant_id)
}

/// Makes the directory and the row; the directory is removed again if the row is refused.
pub fn create(
    tx: &Transaction<'_>,
    layout: &Layout,
    record: &StorageRecord,
) -> Result<StorageRecord, BackendError> {
    let tenant = tenants::get(tx, &record.tenant_id)?.ok_or_else(|| {
        BackendError::InvalidReference(format!("tenant {:?} does not exist", record.tenant_id))
    })?;
    if find(tx, &record.tenant_id)?.is_some() {
        return Err(BackendError::AlreadyExists {
            kind: KIND,
            key: format!("of tenant {:?}", tenant.slug),
        });
    }
    let dir = storage_files::create_dir(&layout.storage_root, &tenant.slug)?;
    let created = StorageRecord {
        path: dir.display().to_string(),
        used_bytes: 0,
        ..record.clone()
    };
    let inserted = tx
        .execute(
            &format!("INSERT INTO storage ({COLUMNS}) VALUES (?1,?2,?3,?4)"),
            params![
                created.id,
                created.tenant_id,
                created.quota_gb,
                created.path
            ],
        )
        .map_err(unique_violation(KIND, format!("{:?}", created.id)));
    if let Err(error) = inserted {
        // The directory is new and empty; nothing of the tenant's is lost.
        let _ = std::fs::remove_dir(&dir);
        return Err(error);
    }
    audit::append(
        tx,
        RESOURCE,
        &created.id,
        Action::Create,
        None,
        Some(&created),
    )?;
    Ok(created)
}

/// Only `quota_gb` changes in place.
pub fn update(tx: &Transaction<'_>, record: &StorageRecord) -> Result<StorageRecord, BackendError> {
    let before = get(tx, &record.id)?.ok_or_else(|| BackendError::NotFound {
        kind: KIND,
        id: record.id.clone(),
    })?;
    tx.execute(
        "UPDATE storage SET quota_gb = ?2 WHERE id = ?1",
        params![record.id, record.quota_gb],
    )?;
    let after = StorageRecord {
        quota_gb: record.quota_gb,
        ..before.clone()
    };
    audit::append(
        tx,
        RESOURCE,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

#[derive(Serialize)]
struct ArchivedTo {
    archive: String,
    files: usize,
    bytes: u64,
}

/// Archives and removes the directory, then the row.
pub fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, id)? else {
        return Ok(false);
    };
    let slug = tenants::get(tx, &before.tenant_id)?
        .map(|tenant| tenant.slug)
        .unwrap_or_else(|| before.tenant_id.clone());
    let receipt = storage_files::archive_and_remove(
        &layout.storage_root,
        Path::new(&before.path),
        &layout.archive_dir,
        &slug,
    )?;
    if let Some(receipt) = receipt {
        let archived = ArchivedTo {
            archive: receipt.dir.display().to_string(),
            files: receipt.files,
            bytes: receipt.bytes,
        };
        audit::append(tx, RESOURCE, id, Action::Archive, None, Some(&archived))?;
    }
    tx.execute("DELETE FROM storage WHERE id = ?1", [id])?;
    audit::append(tx, RESOURCE, id, Action::Delete, Some(&before), None)?;
    Ok(true)
}
