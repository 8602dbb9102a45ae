//! Tenant rows of the embedded catalog. A deleted tenant is tombstoned (`deleted_at`) and its
//! row kept for `retention_days`; tombstones are invisible to every lookup and are purged once
//! their retention has passed. A change of status suspends or resumes the tenant's logins and
//! API keys in the same transaction.

use rusqlite::{Row, Transaction, params};

use super::audit::Action;
use super::table::{self, Table, Values};
use super::{Layout, api_keys, now_rfc3339, unique_violation, users};
use crate::backend::{BackendError, TenantRecord};
use crate::records::Record;

const KIND: &str = TenantRecord::KIND;
pub use crate::records::SUSPENDED_STATUS;
const COLUMNS: &str = "id, slug, display_name, tier, region, labels, status, \
     deletion_protection, retention_days, contacts, created_at";

/// Removes the tombstones older than their `retention_days` at `now`, with the revoked API
/// keys that still name them; one `purge` audit entry per tenant.
pub fn purge_expired(
    tx: &Transaction<'_>,
    layout: &Layout,
    now: &str,
) -> Result<usize, BackendError> {
    let mut statement = tx.prepare(&format!(
        "SELECT {COLUMNS} FROM tenants WHERE deleted_at IS NOT NULL \
         AND julianday(?1) - julianday(deleted_at) > retention_days ORDER BY deleted_at, id"
    ))?;
    let expired = statement
        .query_map([now], |row| TenantRecord::from_row(row, layout))?
        .collect::<Result<Vec<_>, _>>()?;
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
    const TABLE: &'static str = "tenants";
    const COLUMNS: &'static str = COLUMNS;
    const LIVE: &'static str = "deleted_at IS NULL";
    const SCOPE_FILTER: &'static str = "TRUE";
    const KEY_FILTER: &'static str = "slug = ?1";
    const ORDER_BY: &'static str = "slug";

    fn from_row(row: &Row<'_>, _layout: &Layout) -> rusqlite::Result<Self> {
        Ok(TenantRecord {
            id: row.get(0)?,
            slug: row.get(1)?,
            display_name: row.get(2)?,
            tier: row.get(3)?,
            region: row.get(4)?,
            labels: table::json_column(row, 5)?,
            status: row.get(6)?,
            deletion_protection: row.get(7)?,
            retention_days: row.get(8)?,
            contacts: table::json_column(row, 9)?,
            created_at: row.get(10)?,
        })
    }

    fn create(tx: &Transaction<'_>, _layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        let labels = record.labels.as_ref().map(table::to_json).transpose()?;
        let contacts = table::to_json(&record.contacts)?;
        tx.execute(
            &format!("INSERT INTO tenants ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"),
            params![
                record.id,
                record.slug,
                record.display_name,
                record.tier,
                record.region,
                labels,
                record.status,
                record.deletion_protection,
                record.retention_days,
                contacts,
                record.created_at
            ],
        )
        .map_err(unique_violation(KIND, format!("{:?}", record.slug)))?;
        table::audit(tx, Action::Create, None, Some(record))?;
        Ok(record.clone())
    }

    /// Every argument changes in place; `created_at` is kept.
    const UPDATE_SET: &'static str = "slug = ?2, display_name = ?3, tier = ?4, region = ?5, \
         labels = ?6, status = ?7, deletion_protection = ?8, retention_days = ?9, contacts = ?10";

    fn merged(before: &Self, record: &Self) -> Self {
        TenantRecord {
            created_at: before.created_at.clone(),
            ..record.clone()
        }
    }

    fn update_values(&self) -> Result<Values, BackendError> {
        let labels = self.labels.as_ref().map(table::to_json).transpose()?;
        let contacts = table::to_json(&self.contacts)?;
        Ok(vec![
            Box::new(self.slug.clone()),
            Box::new(self.display_name.clone()),
            Box::new(self.tier.clone()),
            Box::new(self.region.clone()),
            Box::new(labels),
            Box::new(self.status.clone()),
            Box::new(self.deletion_protection),
            Box::new(self.retention_days),
            Box::new(contacts),
        ])
    }

    /// A change of status suspends or resumes the tenant's logins and API keys.
    fn after_update(
        tx: &Transaction<'_>,
        layout: &Layout,
        before: &Self,
        after: &Self,
    ) -> Result<(), BackendError> {
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
