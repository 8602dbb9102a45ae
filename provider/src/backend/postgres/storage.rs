//! Tenant storage: a catalog row and a directory under the storage root (see
//! `backend::storage_files`); deleting archives the directory and verifies it first.

use std::path::Path;

use serde::Serialize;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::session::lock_tenant;
use super::sql::unique_violation;
use super::table::Table;
use super::{Context, audit, tenants};
use crate::backend::audit::Action;
use crate::backend::{BackendError, StorageRecord, storage_files};
use crate::records::Record;
use tokio_postgres::Client;

const KIND: &str = StorageRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = StorageRecord::RESOURCE;
const COLUMNS: &str = "id, tenant_id, quota_gb, path";

fn from_row(row: &Row) -> Result<StorageRecord, BackendError> {
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

async fn query_one(
    client: &impl GenericClient,
    filter: &str,
    value: &str,
) -> Result<Option<StorageRecord>, BackendError> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM tenant_catalog.storage WHERE {filter} = $1"),
            &[&value],
        )
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(
    client: &impl GenericClient,
    id: &str,
) -> Result<Option<StorageRecord>, BackendError> {
    query_one(client, "id", id).await
}

pub async fn find(
    client: &impl GenericClient,
    tenant_id: &str,
) -> Result<Option<StorageRecord>, BackendError> {
    query_one(client, "tenant_id", tenant_id).await
}

pub async fn create(
    tx: &Transaction<'_>,
    context: &Context,
    record: &StorageRecord,
) -> Result<StorageRecord, BackendError> {
    lock_tenant(tx, &record.tenant_id).await?;
    let tenant = tenants::require(tx, &record.tenant_id).await?;
    if find(tx, &record.tenant_id).await?.is_some() {
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
    audit::append(
        tx,
        RESOURCE,
        &created.id,
        Action::Create,
        None,
        Some(&created),
    )
    .await?;
    Ok(created)
}

pub async fn update(
    tx: &Transaction<'_>,
    record: &StorageRecord,
) -> Result<StorageRecord, BackendError> {
    lock_tenant(tx, &record.tenant_id).await?;
    let before = get(tx, &record.id)
        .await?
        .ok_or_else(|| BackendError::NotFound {
            kind: KIND,
            id: record.id.clone(),
        })?;
    tx.execute(
        "UPDATE tenant_catalog.storage SET quota_gb = $2 WHERE id = $1",
        &[&record.id, &record.quota_gb],
    )
    .await?;
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
    )
    .await?;
    Ok(after)
}

#[derive(Serialize)]
struct ArchivedStorage {
    dir: String,
    files: usize,
    bytes: u64,
}

pub async fn delete(
    tx: &Transaction<'_>,
    context: &Context,
    id: &str,
) -> Result<bool, BackendError> {
    let Some(tenant_id) = tx
        .query_opt(
            "SELECT tenant_id FROM tenant_catalog.storage WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|row| row.get::<_, String>(0))
    else {
        return Ok(false);
    };
    lock_tenant(tx, &tenant_id).await?;
    let Some(before) = get(tx, id).await? else {
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
    tx.execute("DELETE FROM tenant_catalog.storage WHERE id = $1", &[&id])
        .await?;
    audit::append(tx, RESOURCE, id, Action::Delete, Some(&before), None).await?;
    Ok(true)
}

impl Table for StorageRecord {
    async fn get(c: &Client, _context: &Context, id: &str) -> Result<Option<Self>, BackendError> {
        get(c, id).await
    }
    async fn find(
        c: &Client,
        _context: &Context,
        key: Self::Key<'_>,
    ) -> Result<Option<Self>, BackendError> {
        find(c, key).await
    }
    async fn list(
        c: &Client,
        _context: &Context,
        scope: Self::Scope<'_>,
    ) -> Result<Vec<Self>, BackendError> {
        Ok(find(c, scope).await?.into_iter().collect())
    }
    async fn create(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        create(tx, context, record).await
    }
    async fn update(
        tx: &Transaction<'_>,
        _context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        update(tx, record).await
    }
    async fn delete(
        tx: &Transaction<'_>,
        context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
        delete(tx, context, id).await
    }
}
