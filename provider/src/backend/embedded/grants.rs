//! Grants of the embedded backend: catalog rows linking a user to a database of the same
//! tenant, with a set of privileges stored as a JSON array.

use rusqlite::Transaction;

use super::Layout;
use super::table::{self, Table};
use crate::backend::{BackendError, DatabaseRecord, GrantRecord, UserRecord};

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
    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        check_references(tx, layout, record)?;
        let key = format!(
            "for user {:?} on database {:?}",
            record.user_id, record.database_id
        );
        table::create_row(tx, record, key)
    }

    /// Only the privileges change in place.
    const UPDATED: &'static [&'static str] = &["privileges"];

    fn merged(before: &Self, record: &Self) -> Self {
        GrantRecord {
            privileges: record.privileges.clone(),
            ..before.clone()
        }
    }

    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::delete_row(tx, &before)
    }
}
