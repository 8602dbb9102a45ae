//! Tenant users of the embedded backend: catalog rows with a salted password hash.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::audit::{self, Action};
use super::{tenants, unique_violation};
use crate::backend::{BackendError, UserRecord};

const KIND: &str = "tenant user";
const COLUMNS: &str = "id, tenant_id, email, role, disabled, login, password_hash";

fn from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        email: row.get(2)?,
        role: row.get(3)?,
        disabled: row.get(4)?,
        login: row.get(5)?,
        password_hash: row.get(6)?,
    })
}

pub fn create(tx: &Transaction<'_>, record: &UserRecord) -> Result<UserRecord, BackendError> {
    if tenants::get(tx, &record.tenant_id)?.is_none() {
        return Err(BackendError::InvalidReference(format!(
            "tenant {:?} does not exist",
            record.tenant_id
        )));
    }
    tx.execute(
        &format!("INSERT INTO users ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7)"),
        params![
            record.id,
            record.tenant_id,
            record.email,
            record.role,
            record.disabled,
            record.login,
            record.password_hash
        ],
    )
    .map_err(unique_violation(
        KIND,
        format!("{:?} (login {:?})", record.email, record.login),
    ))?;
    audit::append(tx, KIND, &record.id, Action::Create, None, Some(record))?;
    Ok(record.clone())
}

fn query_one(
    connection: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Option<UserRecord>, BackendError> {
    Ok(connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM users WHERE {filter}"),
            params,
            from_row,
        )
        .optional()?)
}

pub fn get(connection: &Connection, id: &str) -> Result<Option<UserRecord>, BackendError> {
    query_one(connection, "id = ?1", [id])
}

pub fn find(
    connection: &Connection,
    tenant_id: &str,
    email: &str,
) -> Result<Option<UserRecord>, BackendError> {
    query_one(
        connection,
        "tenant_id = ?1 AND email = ?2",
        [tenant_id, email],
    )
}

pub fn find_by_login(
    connection: &Connection,
    login: &str,
) -> Result<Option<UserRecord>, BackendError> {
    query_one(connection, "login = ?1", [login])
}

pub fn list(connection: &Connection, tenant_id: &str) -> Result<Vec<UserRecord>, BackendError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM users WHERE tenant_id = ?1 ORDER BY email"
    ))?;
    let rows = statement.query_map([tenant_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Updates `role`, `disabled` and the password hash; identity fields are fixed at create.
pub fn update(tx: &Transaction<'_>, record: &UserRecord) -> Result<UserRecord, BackendError> {
    let before = get(tx, &record.id)?.ok_or_else(|| BackendError::NotFound {
        kind: KIND,
        id: record.id.clone(),
    })?;
    tx.execute(
        "UPDATE users SET role = ?2, disabled = ?3, password_hash = ?4 WHERE id = ?1",
        params![
            record.id,
            record.role,
            record.disabled,
            record.password_hash
        ],
    )?;
    let after = UserRecord {
        role: record.role.clone(),
        disabled: record.disabled,
        password_hash: record.password_hash.clone(),
        ..before.clone()
    };
    audit::append(
        tx,
        KIND,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, id)? else {
        return Ok(false);
    };
    let grants: i64 = tx.query_row(
        "SELECT count(*) FROM grants WHERE user_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if grants > 0 {
        return Err(BackendError::HasDependents {
            kind: KIND,
            key: format!("{:?}", before.email),
            dependents: format!("{grants} grant(s)"),
        });
    }
    tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
    audit::append(tx, KIND, id, Action::Delete, Some(&before), None)?;
    Ok(true)
}
