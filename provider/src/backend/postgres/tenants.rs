//! Tenant rows of the catalog. A deleted tenant is tombstoned (`deleted_at`) and kept for
//! `retention_days`; tombstones are invisible to lookups and purged once their retention has
//! passed. A change of status suspends or resumes the tenant's logins and API keys.

use tokio_postgres::{GenericClient, Transaction};

use super::audit;
use super::session::lock_tenant;
use super::table::{self, Outcome, Table};
use super::{Context, api_keys, users};
use crate::backend::audit::Action;
use crate::backend::catalog_columns::TENANT_UPDATED;
use crate::backend::{BackendError, TenantRecord};
use crate::records::Record;

/// The resource type the audit log names.
const RESOURCE: &str = TenantRecord::RESOURCE;

/// A live tenant, or [`BackendError::InvalidReference`].
pub(super) async fn require(
    client: &impl GenericClient,
    context: &Context,
    id: &str,
) -> Result<TenantRecord, BackendError> {
    table::get(client, context, id)
        .await?
        .ok_or_else(|| BackendError::InvalidReference(format!("tenant {id:?} does not exist")))
}

/// Locks the tenant `id` for the rest of the transaction; the live tenant, or
/// [`BackendError::InvalidReference`].
pub(super) async fn lock_live(
    tx: &Transaction<'_>,
    context: &Context,
    id: &str,
) -> Result<TenantRecord, BackendError> {
    lock_tenant(tx, id).await?;
    require(tx, context, id).await
}

/// Removes the tombstones whose retention has passed (and the revoked keys they hold).
pub(super) async fn purge_expired(tx: &Transaction<'_>) -> Result<(), BackendError> {
    let expired = tx
        .query(
            "SELECT id FROM tenant_catalog.tenants WHERE deleted_at IS NOT NULL \
             AND deleted_at + retention_days * interval '1 day' < now() ORDER BY id",
            &[],
        )
        .await?;
    for row in expired {
        let id: String = row.get(0);
        tx.execute(
            "DELETE FROM tenant_catalog.api_keys WHERE tenant_id = $1",
            &[&id],
        )
        .await?;
        tx.execute("DELETE FROM tenant_catalog.tenants WHERE id = $1", &[&id])
            .await?;
        audit::append::<TenantRecord>(tx, RESOURCE, &id, Action::Purge, None, None).await?;
    }
    Ok(())
}

impl Table for TenantRecord {
    async fn create(tx: &Transaction<'_>, _context: &Context, record: &Self) -> Outcome<Self> {
        lock_tenant(tx, &record.id).await?;
        table::create_row(tx, record, format!("{:?}", record.slug)).await
    }

    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        lock_tenant(tx, &record.id).await?;
        let before = table::require::<Self>(tx, context, &record.id).await?;
        let after = TenantRecord {
            created_at: before.created_at.clone(),
            ..record.clone()
        };
        table::update_columns(tx, &after, TENANT_UPDATED).await?;
        let suspended = |status: &str| status == "suspended";
        let status_action = match (suspended(&before.status), suspended(&after.status)) {
            (false, true) => Some(Action::Suspend),
            (true, false) => Some(Action::Resume),
            _ => None,
        };
        if let Some(action) = status_action {
            let suspend = action == Action::Suspend;
            users::apply_tenant_status(tx, context, &record.id, suspend).await?;
            api_keys::set_suspended(tx, &record.id, suspend).await?;
        }
        table::audit(tx, Action::Update, Some(&before), Some(&after)).await?;
        if let Some(action) = status_action {
            table::audit(tx, action, Some(&before), Some(&after)).await?;
        }
        Ok(after)
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
        lock_tenant(tx, id).await?;
        let Some(before) = table::get::<Self>(tx, context, id).await? else {
            return Ok(false);
        };
        table::check_no_dependents(tx, &before).await?;
        tx.execute(
            "UPDATE tenant_catalog.tenants SET deleted_at = now() WHERE id = $1",
            &[&id],
        )
        .await?;
        table::audit(tx, Action::Tombstone, Some(&before), None).await?;
        purge_expired(tx).await?;
        Ok(true)
    }
}
