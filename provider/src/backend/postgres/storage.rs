//! Tenant storage: a catalog row and a directory under the storage root (see
//! `backend::storage_files`); deleting archives the directory and verifies it first.

use std::path::Path;

use serde::Serialize;
use tokio_postgres::{Row, Transaction};

use super::session::lock_tenant;
use super::sql::unique_violation;
use super::table::{self, Table};
use super::{Context, audit, tenants};
use crate::backend::audit::Action;
use crate::backend::{BackendError, StorageRecord, storage_files};
use crate::records::Record;

const KIND: &str = StorageRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = StorageRecord::RESOURCE;
const COLUMNS: &str = "id, tenant_id, quota_gb, path";

#[derive(Serialize)]
struct ArchivedStorage {
    dir: String,
    files: usize,
    bytes: u64,
}

impl Table for StorageRecord {
    const FROM: &'static str = "tenant_catalog.storage";
    const COLUMNS: &'static str = COLUMNS;
    const KEY_FILTER: &'static str = "tenant_id = $1";
    const ORDER_BY: &'static str = "tenant_id";

    fn from_row(_context: &Context, row: &Row) -> Result<Self, BackendError> {
        let path: String = row.get(3);
        let used = storage_files::used_bytes(Path::new(&path))?;
        Ok(StorageRecord {
            id: row.get(0),
            tenant_id: row.get(1),
            quota_gb: row.get(2),
            used_bytes: i64::try_from(used).unwrap_or(i64::MAX),
            path,
        })
    }

    async fn create(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        lock_tenant(tx, &record.tenant_id).await?;
        let tenant = tenants::require(tx, context, &record.tenant_id).await?;
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
        tx.execute(
            &format!("INSERT INTO tenant_catalog.storage ({COLUMNS}) VALUES ($1,$2,$3,$4)"),
            &[
                &created.id,
                &created.tenant_id,
                &created.quota_gb,
                &created.path,
            ],
        )
        .await
        .map_err(BackendError::from)
        .map_err(unique_violation(
            KIND,
            format!("of tenant {:?}", tenant.slug),
        ))?;
        table::audit(tx, Action::Create, None, Some(&created)).await?;
        Ok(created)
    }

    async fn update(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        lock_tenant(tx, &record.tenant_id).await?;
        let before = table::require::<Self>(tx, context, &record.id).await?;
        let after = StorageRecord {
            quota_gb: record.quota_gb,
            ..before.clone()
        };
        table::update_row(tx, &before, after, "quota_gb = $2", &[&record.quota_gb]).await
    }

    async fn delete(
        tx: &Transaction<'_>,
        context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
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
