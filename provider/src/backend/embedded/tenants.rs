//! Tenant rows of the embedded catalog. A deleted tenant is tombstoned (`deleted_at`) and its
//! row kept for `retention_days`; tombstones are invisible to every lookup and are purged once
//! their retention has passed. A change of status suspends or resumes the tenant's logins and
//! API keys in the same transaction.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::audit::{self, Action};
use super::{api_keys, now_rfc3339, unique_violation, users};
use crate::backend::{BackendError, TenantFilter, TenantRecord};
use crate::records::Record;

const KIND: &str = TenantRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = TenantRecord::RESOURCE;
pub use crate::records::SUSPENDED_STATUS;
const COLUMNS: &str = "id, slug, display_name, tier, region, labels, status, \
     deletion_protection, retention_days, contacts, created_at";

fn corrupt(error: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<TenantRecord> {
    let labels: Option<String> = row.get(5)?;
    let contacts: String = row.get(9)?;
    Ok(TenantRecord {
        id: row.get(0)?,
        slug: row.get(1)?,
        display_name: row.get(2)?,
        tier: row.get(3)?,
        region: row.get(4)?,
        labels: labels
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(corrupt)?,
        status: row.get(6)?,
        deletion_protection: row.get(7)?,
        retention_days: row.get(8)?,
        contacts: serde_json::from_str(&contacts).map_err(corrupt)?,
        created_at: row.get(10)?,
    })
}

fn json_columns(record: &TenantRecord) -> Result<(Option<String>, String), BackendError> {
    let to_json = |e: serde_json::Error| BackendError::Corrupt(e.to_string());
    let labels = record
        .labels
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(to_json)?;
    let contacts = serde_json::to_string(&record.contacts).map_err(to_json)?;
    Ok((labels, contacts))
}

pub fn create(tx: &Transaction<'_>, record: &TenantRecord) -> Result<TenantRecord, BackendError> {
    let (labels, contacts) = json_columns(record)?;
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
    audit::append(tx, RESOURCE, &record.id, Action::Create, None, Some(record))?;
    Ok(record.clone())
}

pub fn get(connection: &Connection, id: &str) -> Result<Option<TenantRecord>, BackendError> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE id = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([id], from_row)
        .optional()?)
}

pub fn find_by_slug(
    connection: &Connection,
    slug: &str,
) -> Result<Option<TenantRecord>, BackendError> {
    Ok(connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM tenants WHERE slug = ?1 AND deleted_at IS NULL"),
            [slug],
            from_row,
        )
        .optional()?)
}

pub fn list(connection: &Connection) -> Result<Vec<TenantRecord>, BackendError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM tenants WHERE deleted_at IS NULL ORDER BY slug"
    ))?;
    let rows = statement.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The live tenants `filter` matches: tier and region in SQL, labels on the decoded rows.
pub fn find(
    connection: &Connection,
    filter: &TenantFilter,
) -> Result<Vec<TenantRecord>, BackendError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM tenants WHERE deleted_at IS NULL \
         AND (?1 IS NULL OR tier = ?1) AND (?2 IS NULL OR region = ?2) ORDER BY slug"
    ))?;
    let rows = statement.query_map(params![filter.tier, filter.region], from_row)?;
    let mut found = Vec::new();
    for row in rows {
        let tenant = row?;
        if filter.matches(&tenant) {
            found.push(tenant);
        }
    }
    Ok(found)
}

pub fn update(tx: &Transaction<'_>, record: &TenantRecord) -> Result<TenantRecord, BackendError> {
    let before = get(tx, &record.id)?.ok_or_else(|| BackendError::NotFound {
        kind: KIND,
        id: record.id.clone(),
    })?;
    let (labels, contacts) = json_columns(record)?;
    tx.execute(
        "UPDATE tenants SET slug = ?2, display_name = ?3, tier = ?4, region = ?5, labels = ?6, \
         status = ?7, deletion_protection = ?8, retention_days = ?9, contacts = ?10 \
         WHERE id = ?1 AND deleted_at IS NULL",
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
            contacts
        ],
    )
    .map_err(unique_violation(KIND, format!("{:?}", record.slug)))?;
    let after = TenantRecord {
        created_at: before.created_at.clone(),
        ..record.clone()
    };
    audit::append(
        tx,
        RESOURCE,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )?;
    let was_suspended = before.status == SUSPENDED_STATUS;
    let is_suspended = after.status == SUSPENDED_STATUS;
    if was_suspended != is_suspended {
        users::set_tenant_suspended(tx, &after.id, is_suspended)?;
        api_keys::set_suspended(tx, &after.id, is_suspended)?;
    }
    Ok(after)
}

/// The live dependents of a tenant, in destroy order, as `(table, what)`.
const DEPENDENTS: &[(&str, &str)] = &[
    ("databases", "database(s)"),
    ("users", "user(s)"),
    ("storage", "storage"),
    ("api_keys", "API key(s)"),
    ("policies", "policy"),
];

/// "2 database(s) and 1 user(s)" for the dependents the tenant still has.
fn live_dependents(tx: &Transaction<'_>, id: &str) -> Result<Option<String>, BackendError> {
    let mut found = Vec::new();
    for (table, what) in DEPENDENTS {
        let live_only = if *table == "api_keys" {
            " AND revoked_at IS NULL"
        } else {
            ""
        };
        let count: i64 = tx.query_row(
            &format!("SELECT count(*) FROM {table} WHERE tenant_id = ?1{live_only}"),
            [id],
            |r| r.get(0),
        )?;
        if count > 0 {
            found.push(format!("{count} {what}"));
        }
    }
    Ok(match found.len() {
        0 => None,
        1 => found.pop(),
        _ => {
            let last = found.pop().unwrap_or_default();
            Some(format!("{} and {last}", found.join(", ")))
        }
    })
}

/// Tombstones the tenant, then purges every tombstone whose retention has passed.
pub fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, id)? else {
        return Ok(false);
    };
    if let Some(dependents) = live_dependents(tx, id)? {
        return Err(BackendError::HasDependents {
            kind: KIND,
            key: format!("{:?}", before.slug),
            dependents,
        });
    }
    let now = now_rfc3339();
    tx.execute(
        "UPDATE tenants SET deleted_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    audit::append(tx, RESOURCE, id, Action::Tombstone, Some(&before), None)?;
    purge_expired(tx, &now)?;
    Ok(true)
}

/// Removes the tombstones older than their `retention_days` at `now`, with the revoked API
/// keys that still name them; one `purge` audit entry per tenant.
pub fn purge_expired(tx: &Transaction<'_>, now: &str) -> Result<usize, BackendError> {
    let mut statement = tx.prepare(&format!(
        "SELECT {COLUMNS} FROM tenants WHERE deleted_at IS NOT NULL \
         AND julianday(?1) - julianday(deleted_at) > retention_days ORDER BY deleted_at, id"
    ))?;
    let expired = statement
        .query_map([now], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    for tenant in &expired {
        tx.execute(
            "DELETE FROM api_keys WHERE tenant_id = ?1 AND revoked_at IS NOT NULL",
            [&tenant.id],
        )?;
        tx.execute("DELETE FROM tenants WHERE id = ?1", [&tenant.id])?;
        audit::append(tx, RESOURCE, &tenant.id, Action::Purge, Some(tenant), None)?;
    }
    Ok(expired.len())
}
