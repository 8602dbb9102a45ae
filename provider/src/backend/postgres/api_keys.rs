//! Tenant API keys: catalog rows holding the secret's salted hash and fingerprint. Deleting
//! revokes the key (`revoked_at`); revoked keys are never listed or accepted again. A
//! suspended tenant's keys are kept but marked suspended.

use tokio_postgres::{GenericClient, Row, Transaction};

use super::Context;
use super::session::lock_tenant;
use super::sql::{from_json, to_json, unique_violation};
use super::table::Table;
use super::{audit, tenants};
use crate::backend::audit::Action;
use crate::backend::{ApiKeyRecord, BackendError};
use crate::records::Record;
use tokio_postgres::Client;

const KIND: &str = ApiKeyRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = ApiKeyRecord::RESOURCE;
const COLUMNS: &str =
    "id, tenant_id, name, scopes, expires_at, fingerprint, secret_hash, suspended, created_at";

fn from_row(row: &Row) -> Result<ApiKeyRecord, BackendError> {
    let scopes: String = row.get(3);
    Ok(ApiKeyRecord {
        id: row.get(0),
        tenant_id: row.get(1),
        name: row.get(2),
        scopes: from_json(&scopes)?,
        expires_at: row.get(4),
        fingerprint: row.get(5),
        secret_hash: row.get(6),
        suspended: row.get(7),
        created_at: row.get(8),
    })
}

async fn live_rows(
    client: &impl GenericClient,
    filter: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<ApiKeyRecord>, BackendError> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM tenant_catalog.api_keys WHERE revoked_at IS NULL \
                 AND {filter} ORDER BY name"
            ),
            params,
        )
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(
    client: &impl GenericClient,
    id: &str,
) -> Result<Option<ApiKeyRecord>, BackendError> {
    Ok(live_rows(client, "id = $1", &[&id]).await?.pop())
}

pub async fn find(
    client: &impl GenericClient,
    tenant_id: &str,
    name: &str,
) -> Result<Option<ApiKeyRecord>, BackendError> {
    Ok(
        live_rows(client, "tenant_id = $1 AND name = $2", &[&tenant_id, &name])
            .await?
            .pop(),
    )
}

pub async fn list(
    client: &impl GenericClient,
    tenant_id: &str,
) -> Result<Vec<ApiKeyRecord>, BackendError> {
    live_rows(client, "tenant_id = $1", &[&tenant_id]).await
}

pub async fn create(
    tx: &Transaction<'_>,
    record: &ApiKeyRecord,
) -> Result<ApiKeyRecord, BackendError> {
    lock_tenant(tx, &record.tenant_id).await?;
    let tenant = tenants::require(tx, &record.tenant_id).await?;
    let created = ApiKeyRecord {
        suspended: tenant.status == "suspended",
        ..record.clone()
    };
    tx.execute(
        &format!(
            "INSERT INTO tenant_catalog.api_keys ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"
        ),
        &[
            &created.id,
            &created.tenant_id,
            &created.name,
            &to_json(&created.scopes)?,
            &created.expires_at,
            &created.fingerprint,
            &created.secret_hash,
            &created.suspended,
            &created.created_at,
        ],
    )
    .await
    .map_err(BackendError::from)
    .map_err(unique_violation(KIND, format!("{:?}", created.name)))?;
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

/// Updates the scopes and expiry; the secret, name and tenant are fixed.
pub async fn update(
    tx: &Transaction<'_>,
    record: &ApiKeyRecord,
) -> Result<ApiKeyRecord, BackendError> {
    lock_tenant(tx, &record.tenant_id).await?;
    let before = get(tx, &record.id)
        .await?
        .ok_or_else(|| BackendError::NotFound {
            kind: KIND,
            id: record.id.clone(),
        })?;
    tx.execute(
        "UPDATE tenant_catalog.api_keys SET scopes = $2, expires_at = $3 WHERE id = $1",
        &[&record.id, &to_json(&record.scopes)?, &record.expires_at],
    )
    .await?;
    let after = ApiKeyRecord {
        scopes: record.scopes.clone(),
        expires_at: record.expires_at.clone(),
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

pub async fn revoke(tx: &Transaction<'_>, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, id).await? else {
        return Ok(false);
    };
    lock_tenant(tx, &before.tenant_id).await?;
    let revoked = tx
        .execute(
            "UPDATE tenant_catalog.api_keys SET revoked_at = now() \
             WHERE id = $1 AND revoked_at IS NULL",
            &[&id],
        )
        .await?;
    if revoked == 0 {
        return Ok(false);
    }
    audit::append(tx, RESOURCE, id, Action::Revoke, Some(&before), None).await?;
    Ok(true)
}

/// Marks every live key of the tenant suspended (or accepted again).
pub async fn set_suspended(
    tx: &Transaction<'_>,
    tenant_id: &str,
    suspended: bool,
) -> Result<(), BackendError> {
    tx.execute(
        "UPDATE tenant_catalog.api_keys SET suspended = $2 \
         WHERE tenant_id = $1 AND revoked_at IS NULL",
        &[&tenant_id, &suspended],
    )
    .await?;
    Ok(())
}

impl Table for ApiKeyRecord {
    async fn get(c: &Client, _context: &Context, id: &str) -> Result<Option<Self>, BackendError> {
        get(c, id).await
    }
    async fn find(
        c: &Client,
        _context: &Context,
        key: Self::Key<'_>,
    ) -> Result<Option<Self>, BackendError> {
        find(c, key.0, key.1).await
    }
    async fn list(
        c: &Client,
        _context: &Context,
        scope: Self::Scope<'_>,
    ) -> Result<Vec<Self>, BackendError> {
        list(c, scope).await
    }
    async fn create(
        tx: &Transaction<'_>,
        _context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        create(tx, record).await
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
        _context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
        revoke(tx, id).await
    }
}
