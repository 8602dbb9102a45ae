//! Grants of the embedded backend: catalog rows linking a user to a database of the same
//! tenant, with a set of privileges stored as a JSON array.

use rusqlite::{Row, Transaction, params};

use super::audit::Action;
use super::table::{self, Table, Values};
use super::{Layout, unique_violation};
use crate::backend::{BackendError, DatabaseRecord, GrantRecord, UserRecord};
use crate::records::Record;

const KIND: &str = GrantRecord::KIND;
const COLUMNS: &str = "id, user_id, database_id, privileges";

/// Checks that the user and the database exist and belong to the same tenant.
fn check_references(
    tx: &Transaction<'_>,
    layout: &Layout,
    record: &GrantRecord,
) -> Result<(), BackendError> {
    let user = table::referenced::<UserRecord>(tx, layout, &record.user_id)?;
    let database = table::referenced::<DatabaseRecord>(tx, layout, &record.database_id)?;
    if user.tenant_id != database.tenant_id {
        return Err(BackendError::InvalidReference(format!(
            "user {:?} and database {:?} belong to different tenants",
            record.user_id, record.database_id
        )));
    }
    Ok(())
}

impl Table for GrantRecord {
    const TABLE: &'static str = "grants";
    const COLUMNS: &'static str = COLUMNS;
    const SCOPE_FILTER: &'static str = "user_id = ?1";
    const KEY_FILTER: &'static str = "user_id = ?1 AND database_id = ?2";
    const ORDER_BY: &'static str = "database_id";

    fn from_row(row: &Row<'_>, _layout: &Layout) -> rusqlite::Result<Self> {
        Ok(GrantRecord {
            id: row.get(0)?,
            user_id: row.get(1)?,
            database_id: row.get(2)?,
            privileges: table::json_column(row, 3)?,
        })
    }

    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        check_references(tx, layout, record)?;
        tx.execute(
            &format!("INSERT INTO grants ({COLUMNS}) VALUES (?1,?2,?3,?4)"),
            params![
                record.id,
                record.user_id,
                record.database_id,
                table::to_json(&record.privileges)?
            ],
        )
        .map_err(unique_violation(
            KIND,
            format!(
                "for user {:?} on database {:?}",
                record.user_id, record.database_id
            ),
        ))?;
        table::audit(tx, Action::Create, None, Some(record))?;
        Ok(record.clone())
    }

    /// Only the privileges change in place.
    const UPDATE_SET: &'static str = "privileges = ?2";

    fn merged(before: &Self, record: &Self) -> Self {
        GrantRecord {
            privileges: record.privileges.clone(),
            ..before.clone()
        }
    }

    fn update_values(&self) -> Result<Values, BackendError> {
        Ok(vec![Box::new(table::to_json(&self.privileges)?)])
    }

    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::delete_row(tx, &before)
    }
}
