//! Tenant security policies of the embedded backend: one catalog row per tenant, the IP
//! allowlist stored as a JSON array in its configured order.

use rusqlite::{Row, Transaction, params};

use super::audit::Action;
use super::table::{self, Table, Values};
use super::{Layout, unique_violation};
use crate::backend::{BackendError, PolicyRecord, TenantRecord};
use crate::records::Record;

const KIND: &str = PolicyRecord::KIND;
const COLUMNS: &str = "id, tenant_id, mfa_required, session_ttl, ip_allowlist";

impl Table for PolicyRecord {
    const TABLE: &'static str = "policies";
    const COLUMNS: &'static str = COLUMNS;
    const KEY_FILTER: &'static str = "tenant_id = ?1";
    const ORDER_BY: &'static str = "tenant_id";

    fn from_row(row: &Row<'_>, _layout: &Layout) -> rusqlite::Result<Self> {
        Ok(PolicyRecord {
            id: row.get(0)?,
            tenant_id: row.get(1)?,
            mfa_required: row.get(2)?,
            session_ttl: row.get(3)?,
            ip_allowlist: table::json_column(row, 4)?,
        })
    }

    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        table::referenced::<TenantRecord>(tx, layout, &record.tenant_id)?;
        tx.execute(
            &format!("INSERT INTO policies ({COLUMNS}) VALUES (?1,?2,?3,?4,?5)"),
            params![
                record.id,
                record.tenant_id,
                record.mfa_required,
                record.session_ttl,
                table::to_json(&record.ip_allowlist)?
            ],
        )
        .map_err(unique_violation(
            KIND,
            format!("of tenant {:?}", record.tenant_id),
        ))?;
        table::audit(tx, Action::Create, None, Some(record))?;
        Ok(record.clone())
    }

    /// Every setting changes in place; the tenant is fixed.
    const UPDATE_SET: &'static str = "mfa_required = ?2, session_ttl = ?3, ip_allowlist = ?4";

    fn merged(before: &Self, record: &Self) -> Self {
        PolicyRecord {
            tenant_id: before.tenant_id.clone(),
            ..record.clone()
        }
    }

    fn update_values(&self) -> Result<Values, BackendError> {
        Ok(vec![
            Box::new(self.mfa_required),
            Box::new(self.session_ttl.clone()),
            Box::new(table::to_json(&self.ip_allowlist)?),
        ])
    }

    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::delete_row(tx, &before)
    }
}
