//! Tenant storage of the embedded backend: a catalog row per tenant plus a directory under the
//! storage root (see `backend::storage_files`). Reads measure the directory's usage; deleting
//! archives the directory and verifies the archive before removing it.

use std::path::Path;

use rusqlite::Transaction;
use serde::Serialize;

use super::Layout;
use super::audit::{self, Action};
use super::table::{self, Table};
use crate::backend::{BackendError, StorageRecord, TenantRecord, storage_files};
use crate::records::Record;

const KIND: &str = StorageRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = StorageRecord::RESOURCE;

#[derive(Serialize)]
struct ArchivedTo {
    archive: String,
    files: usize,
    bytes: u64,
}

impl Table for StorageRecord {
    /// The record with its usage measured now.
    fn completed(self) -> Result<Self, BackendError> {
        let used = storage_files::used_bytes(Path::new(&self.path))?;
        Ok(StorageRecord {
            used_bytes: i64::try_from(used).unwrap_or(i64::MAX),
            ..self
        })
    }

    /// Makes the directory and the row; the directory is removed again if the row is refused.
    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        let tenant = table::referenced::<TenantRecord>(tx, layout, &record.tenant_id)?;
        if table::find::<Self>(tx, layout, &record.tenant_id)?.is_some() {
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
        let inserted = table::insert_row(tx, &created, &[], format!("{:?}", created.id));
        if let Err(error) = inserted {
            // The directory is new and empty; nothing of the tenant's is lost.
            let _ = std::fs::remove_dir(&dir);
            return Err(error);
        }
        table::audit(tx, Action::Create, None, Some(&created))?;
        Ok(created)
    }

    /// Only `quota_gb` changes in place.
    const UPDATED: &'static [&'static str] = &["quota_gb"];

    fn merged(before: &Self, record: &Self) -> Self {
        StorageRecord {
            quota_gb: record.quota_gb,
            ..before.clone()
        }
    }

    /// Archives and removes the directory, then the row.
    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        let slug = table::get::<TenantRecord>(tx, layout, &before.tenant_id)?
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
        table::delete_row(tx, &before)
    }
}
