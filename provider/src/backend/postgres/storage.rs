//! Tenant storage: a catalog row and a directory under the storage root (see
//! `backend::storage_files`); deleting archives the directory and verifies it first.

use std::path::Path;

use serde::Serialize;
use tokio_postgres::{Row, Transaction};

use super::session::lock_tenant;
use super::table::{self, Outcome, Table};
use super::{Context, audit, tenants};
use crate::backend::audit::Action;
use crate::backend::{BackendError, StorageRecord, storage_files};
use crate::records::Record;

const KIND: &str = StorageRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = StorageRecord::RESOURCE;

#[derive(Serialize)]
struct ArchivedStorage {
    dir: String,
    files: usize,
    bytes: u64,
}

impl Table for StorageRecord {
    /// The record with its usage measured now.
    fn from_row(_context: &Context, row: &Row) -> Result<Self, BackendError> {
        let record: StorageRecord = table::read_record(row)?;
        let used = storage_files::used_bytes(Path::new(&record.path))?;
        Ok(StorageRecord {
            used_bytes: i64::try_from(used).unwrap_or(i64::MAX),
            ..record
        })
    }

    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let tenant = tenants::lock_live(tx, context, &record.tenant_id).await?;
        if table::find::<Self>(tx, context, &record.tenant_id)
            .await?
            .is_some()
        {
            return Err(BackendError::AlreadyExists {
                kind: KIND,
                key: format!("of tenant {:?}", tenant.slug),
            });
        }
        let dir = storage_files::create_dir(&context.storage_root, &tenant.slug)?;
        let created = StorageRecord {
            path: dir.display().to_string(),
            used_bytes: 0,
            ..record.clone()
        };
        table::create_row(tx, &created, format!("of tenant {:?}", tenant.slug)).await
    }

    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let before: Self =
            table::lock_and_require(tx, context, &record.tenant_id, &record.id).await?;
        let after = StorageRecord {
            quota_gb: record.quota_gb,
            ..before.clone()
        };
        table::update_row(tx, &before, after, &["quota_gb"]).await
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
        let Some(tenant_id) = table::tenant_of::<Self>(tx, id).await? else {
            return Ok(false);
        };
        lock_tenant(tx, &tenant_id).await?;
        let Some(before) = table::get::<Self>(tx, context, id).await? else {
            return Ok(false);
        };
        let slug: String = tx
            .query_one(
                "SELECT slug FROM tenant_catalog.tenants WHERE id = $1",
                &[&tenant_id],
            )
            .await?
            .get(0);
        let receipt = storage_files::archive_and_remove(
            &context.storage_root,
            Path::new(&before.path),
            &context.archive_dir,
            &slug,
        )?;
        if let Some(receipt) = receipt {
            let archived = ArchivedStorage {
                dir: receipt.dir.display().to_string(),
                files: receipt.files,
                bytes: receipt.bytes,
            };
            audit::append(tx, RESOURCE, id, Action::Archive, None, Some(&archived)).await?;
        }
        table::delete_row(tx, &before).await
    }
}
