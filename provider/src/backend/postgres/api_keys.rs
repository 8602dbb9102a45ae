//! Tenant API keys: catalog rows holding the secret's salted hash and fingerprint. Deleting
//! revokes the key (`revoked_at`); revoked keys are never listed or accepted again. A
//! suspended tenant's keys are kept but marked suspended.

use tokio_postgres::{Row, Transaction};

use super::Context;
use super::session::lock_tenant;
use super::sql::{from_json, to_json, unique_violation};
use super::table::{self, Table};
use super::tenants;
use crate::backend::audit::Action;
use crate::backend::{ApiKeyRecord, BackendError};
use crate::records::Record;

const KIND: &str = ApiKeyRecord::KIND;
const COLUMNS: &str =
    "id, tenant_id, name, scopes, expires_at, fingerprint, secret_hash, suspended, created_at";

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
    const FROM: &'static str = "tenant_catalog.api_keys";
    const COLUMNS: &'static str = COLUMNS;
    const LIVE: &'static str = "revoked_at IS NULL";
    const KEY_FILTER: &'static str = "tenant_id = $1 AND name = $2";
    const ORDER_BY: &'static str = "name";

    fn from_row(_context: &Context, row: &Row) -> Result<Self, BackendError> {
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

    async fn create(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        lock_tenant(tx, &record.tenant_id).await?;
        let tenant = tenants::require(tx, context, &record.tenant_id).await?;
        let created = ApiKeyRecord {
            suspended: tenant.status == "suspended",
            ..record.clone()
        };
        tx.execute(
            &format!(
                "INSERT INTO tenant_catalog.api_keys ({COLUMNS}) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"
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
        table::audit(tx, Action::Create, None, Some(&created)).await?;
        Ok(created)
    }

    /// Updates the scopes and expiry; the secret, name and tenant are fixed.
    async fn update(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        lock_tenant(tx, &record.tenant_id).await?;
        let before = table::require::<Self>(tx, context, &record.id).await?;
        let after = ApiKeyRecord {
            scopes: record.scopes.clone(),
            expires_at: record.expires_at.clone(),
            ..before.clone()
        };
        let (scopes, expires_at) = (to_json(&after.scopes)?, after.expires_at.clone());
        let set = "scopes = $2, expires_at = $3";
        table::update_row(tx, &before, after, set, &[&scopes, &expires_at]).await
    }

    async fn delete(
        tx: &Transaction<'_>,
        context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, context, id).await? else {
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
        table::audit(tx, Action::Revoke, Some(&before), None).await?;
        Ok(true)
    }
}
