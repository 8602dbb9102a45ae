//! Tenant rows of the embedded catalog. A deleted tenant is tombstoned (`deleted_at`) and its
//! row kept for `retention_days`; tombstones are invisible to every lookup and are purged once
//! their retention has passed. A change of status suspends or resumes the tenant's logins and
//! API keys in the same transaction.

use rusqlite::{Transaction, params};

use super::audit::Action;
use super::table::{self, Outcome, Table};
use super::{Layout, api_keys, now_rfc3339, users};
use crate::backend::catalog_columns::TENANT_UPDATED;
use crate::backend::{BackendError, TenantRecord};

pub(super) use crate::records::SUSPENDED_STATUS;

/// Removes the tombstones older than their `retention_days` at `now`, with the revoked API
/// keys that still name them; one `purge` audit entry per tenant.
pub(super) fn purge_expired(
    tx: &Transaction<'_>,
    layout: &Layout,
    now: &str,
) -> Result<usize, BackendError> {
    let sql = format!(
        "SELECT {} FROM tenants WHERE deleted_at IS NOT NULL \
         AND julianday(?1) - julianday(deleted_at) > retention_days ORDER BY deleted_at, id",
        table::selected_columns::<TenantRecord>()
    );
    let expired: Vec<TenantRecord> = table::query_records(tx, layout, &sql, &[now])?;
    for tenant in &expired {
        tx.execute(
            "DELETE FROM api_keys WHERE tenant_id = ?1 AND revoked_at IS NOT NULL",
            [&tenant.id],
        )?;
        tx.execute("DELETE FROM tenants WHERE id = ?1", [&tenant.id])?;
        table::audit(tx, Action::Purge, Some(tenant), None)?;
    }
    Ok(expired.len())
}

impl Table for TenantRecord {
    fn create(tx: &Transaction<'_>, _layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        table::create_row(tx, record, format!("{:?}", record.slug))
    }

    /// Every argument changes in place; `created_at` is kept.
    const UPDATED: &'static [&'static str] = TENANT_UPDATED;

    fn merged(before: &Self, record: &Self) -> Self {
        TenantRecord {
            created_at: before.created_at.clone(),
            ..record.clone()
        }
    }

    /// A change of status suspends or resumes the tenant's logins and API keys.
    fn after_update(tx: &Transaction, layout: &Layout, before: &Self, after: &Self) -> Outcome<()> {
        let is_suspended = after.is_suspended();
        if before.is_suspended() != is_suspended {
            users::set_tenant_suspended(tx, &after.id, is_suspended)?;
            api_keys::set_suspended(tx, layout, &after.id, is_suspended)?;
        }
        Ok(())
    }

    /// Tombstones the tenant, then purges every tombstone whose retention has passed.
    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::check_no_dependents(tx, &before)?;
        let now = now_rfc3339();
        tx.execute(
            "UPDATE tenants SET deleted_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        table::audit(tx, Action::Tombstone, Some(&before), None)?;
        purge_expired(tx, layout, &now)?;
        Ok(true)
    }
}
