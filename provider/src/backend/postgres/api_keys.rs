//! Tenant API keys: catalog rows holding the secret's salted hash and fingerprint. Deleting
//! revokes the key (`revoked_at`); revoked keys are never listed or accepted again. A
//! suspended tenant's keys are kept but marked suspended.

use tokio_postgres::Transaction;

use super::Context;
use super::session::lock_tenant;
use super::table::{self, Outcome, Table};
use super::tenants;
use crate::backend::audit::Action;
use crate::backend::{ApiKeyRecord, BackendError};

/// Marks every live key of the tenant suspended (or accepted again).
pub(super) async fn set_suspended(
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
    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let tenant = tenants::lock_live(tx, context, &record.tenant_id).await?;
        let created = ApiKeyRecord {
            suspended: tenant.status == "suspended",
            ..record.clone()
        };
        table::create_row(tx, &created, format!("{:?}", created.name)).await
    }

    /// Updates the scopes and expiry; the secret, name and tenant are fixed.
    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let before: Self =
            table::lock_and_require(tx, context, &record.tenant_id, &record.id).await?;
        let after = ApiKeyRecord {
            scopes: record.scopes.clone(),
            expires_at: record.expires_at.clone(),
            ..before.clone()
        };
        table::update_row(tx, &before, after, &["scopes", "expires_at"]).await
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
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
