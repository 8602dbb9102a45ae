//! Tenant security policies of the embedded backend: one catalog row per tenant, the IP
//! allowlist stored as a JSON array in its configured order.

use rusqlite::Transaction;

use super::Layout;
use super::table::{self, Table};
use crate::backend::{BackendError, PolicyRecord, TenantRecord};

impl Table for PolicyRecord {
    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        table::referenced::<TenantRecord>(tx, layout, &record.tenant_id)?;
        table::create_row(tx, record, format!("of tenant {:?}", record.tenant_id))
    }

    /// Every setting changes in place; the tenant is fixed.
    const UPDATED: &'static [&'static str] = &["mfa_required", "session_ttl", "ip_allowlist"];

    fn merged(before: &Self, record: &Self) -> Self {
        PolicyRecord {
            tenant_id: before.tenant_id.clone(),
            ..record.clone()
        }
    }

    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::delete_row(tx, &before)
    }
}
