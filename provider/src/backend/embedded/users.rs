//! Tenant users of the embedded backend: catalog rows with a salted password hash, and the
//! effective login (`login_enabled`): on unless the user is disabled or its tenant suspended.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::Layout;
use super::audit::{self, Action};
use super::table::{self, Outcome, Table};
use super::tenants::SUSPENDED_STATUS;
use crate::backend::columns::ColumnValue;
use crate::backend::{BackendError, TenantRecord, UserRecord};
use crate::records::Record;

/// The resource type the audit log names.
const RESOURCE: &str = UserRecord::RESOURCE;

/// Whether the tenant of the user is suspended; an unknown tenant is an invalid reference.
fn tenant_suspended(
    tx: &Transaction<'_>,
    layout: &Layout,
    tenant_id: &str,
) -> Result<bool, BackendError> {
    let tenant = table::referenced::<TenantRecord>(tx, layout, tenant_id)?;
    Ok(tenant.status == SUSPENDED_STATUS)
}

pub(super) fn find_by_login(
    connection: &Connection,
    layout: &Layout,
    login: &str,
) -> Result<Option<UserRecord>, BackendError> {
    Ok(table::select(connection, layout, "login = ?1", &[login])?
        .into_iter()
        .next())
}

/// Whether the user with this login may log in now; `None` when no user has it.
pub(super) fn login_enabled(
    connection: &Connection,
    login: &str,
) -> Result<Option<bool>, BackendError> {
    Ok(connection
        .query_row(
            "SELECT login_enabled FROM users WHERE login = ?1",
            [login],
            |r| r.get(0),
        )
        .optional()?)
}

/// What the audit log records of a change of a user's effective login.
#[derive(Serialize)]
struct LoginState<'a> {
    login: &'a str,
    login_enabled: bool,
}

/// Turns the tenant's logins off (`suspended`) or back on for users that are not disabled,
/// one audit entry per user whose login changes.
pub(super) fn set_tenant_suspended(
    tx: &Transaction<'_>,
    tenant_id: &str,
    suspended: bool,
) -> Result<usize, BackendError> {
    let action = Action::of_suspension(suspended);
    let mut statement = tx.prepare(
        "SELECT id, login, login_enabled, disabled FROM users WHERE tenant_id = ?1 ORDER BY email",
    )?;
    let users = statement
        .query_map([tenant_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut changed = 0;
    for (id, login, enabled, disabled) in users {
        let wanted = !suspended && !disabled;
        if enabled == wanted {
            continue;
        }
        tx.execute(
            "UPDATE users SET login_enabled = ?2 WHERE id = ?1",
            params![id, wanted],
        )?;
        let before = LoginState {
            login: &login,
            login_enabled: enabled,
        };
        let after = LoginState {
            login: &login,
            login_enabled: wanted,
        };
        audit::append(tx, RESOURCE, &id, action, Some(&before), Some(&after))?;
        changed += 1;
    }
    Ok(changed)
}

impl Table for UserRecord {
    fn create(tx: &Transaction<'_>, layout: &Layout, record: &Self) -> Result<Self, BackendError> {
        let login_enabled = !record.disabled && !tenant_suspended(tx, layout, &record.tenant_id)?;
        table::insert_row(
            tx,
            record,
            &[("login_enabled", ColumnValue::Boolean(login_enabled))],
            format!("{:?} (login {:?})", record.email, record.login),
        )?;
        table::audit(tx, Action::Create, None, Some(record))?;
        Ok(record.clone())
    }

    /// Updates `role`, `disabled`, `connection_limit` and the password hash; identity fields
    /// are fixed at create.
    const UPDATED: &'static [&'static str] =
        &["role", "disabled", "password_hash", "connection_limit"];

    fn merged(before: &Self, record: &Self) -> Self {
        UserRecord {
            role: record.role.clone(),
            disabled: record.disabled,
            password_hash: record.password_hash.clone(),
            connection_limit: record.connection_limit,
            ..before.clone()
        }
    }

    /// The login is enabled unless the user is disabled or its tenant suspended.
    fn after_update(tx: &Transaction, layout: &Layout, _: &Self, after: &Self) -> Outcome<()> {
        let login_enabled = !after.disabled && !tenant_suspended(tx, layout, &after.tenant_id)?;
        tx.execute(
            "UPDATE users SET login_enabled = ?2 WHERE id = ?1",
            params![after.id, login_enabled],
        )?;
        Ok(())
    }

    fn delete(tx: &Transaction<'_>, layout: &Layout, id: &str) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, layout, id)? else {
            return Ok(false);
        };
        table::check_no_dependents(tx, &before)?;
        table::delete_row(tx, &before)
    }
}
