//! Tenant rows of the catalog. A deleted tenant is tombstoned (`deleted_at`) and kept for
//! `retention_days`; tombstones are invisible to lookups and purged once their retention has
//! passed. A change of status suspends or resumes the tenant's logins and API keys.

use tokio_postgres::{GenericClient, Row, Transaction};

use super::audit;
use super::session::lock_tenant;
use super::sql::{from_json, to_json, unique_violation};
use super::table::Table;
use super::{Context, api_keys, users};
use crate::backend::audit::Action;
use crate::backend::{BackendError, TenantFilter, TenantRecord};
use crate::records::Record;
use tokio_postgres::Client;

const KIND: &str = TenantRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = TenantRecord::RESOURCE;
const COLUMNS: &str = "id, slug, display_name, tier, region, labels, status, \
     deletion_protection, retention_days, contacts, created_at";

fn from_row(row: &Row) -> Result<TenantRecord, BackendError> {
    let labels: Option<String> = row.get(5);
    let contacts: String = row.get(9);
    Ok(TenantRecord {
        id: row.get(0),
        slug: row.get(1),
        display_name: row.get(2),
        tier: row.get(3),
        region: row.get(4),
        labels: labels.as_deref().map(from_json).transpose()?,
        status: row.get(6),
        deletion_protection: row.get(7),
        retention_days: row.get(8),
        contacts: from_json(&contacts)?,
        created_at: row.get(10),
    })
}

pub async fn create(
    tx: &Transaction<'_>,
    record: &TenantRecord,
) -> Result<TenantRecord, BackendError> {
    lock_tenant(tx, &record.id).await?;
    let labels = record.labels.as_ref().map(to_json).transpose()?;
    let contacts = to_json(&record.contacts)?;
    tx.execute(
        &format!(
            "INSERT INTO tenant_catalog.tenants ({COLUMNS}) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
        ),
        &[
            &record.id,
            &record.slug,
            &record.display_name,
            &record.tier,
            &record.region,
            &labels,
            &record.status,
            &record.deletion_protection,
            &record.retention_days,
            &contacts,
            &record.created_at,
        ],
    )
    .await
    .map_err(BackendError::from)
    .map_err(unique_violation(KIND, format!("{:?}", record.slug)))?;
    audit::append(tx, RESOURCE, &record.id, Action::Create, None, Some(record)).await?;
    Ok(record.clone())
}

async fn query_one(
    client: &impl GenericClient,
    filter: &str,
    value: &str,
) -> Result<Option<TenantRecord>, BackendError> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM tenant_catalog.tenants WHERE {filter} = $1 \
                 AND deleted_at IS NULL"
            ),
            &[&value],
        )
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(
    client: &impl GenericClient,
    id: &str,
) -> Result<Option<TenantRecord>, BackendError> {
    query_one(client, "id", id).await
}

pub async fn find_by_slug(
    client: &impl GenericClient,
    slug: &str,
) -> Result<Option<TenantRecord>, BackendError> {
    query_one(client, "slug", slug).await
}

/// A live tenant, or [`BackendError::InvalidReference`].
pub async fn require(client: &impl GenericClient, id: &str) -> Result<TenantRecord, BackendError> {
    get(client, id)
        .await?
        .ok_or_else(|| BackendError::InvalidReference(format!("tenant {id:?} does not exist")))
}

pub async fn list(client: &impl GenericClient) -> Result<Vec<TenantRecord>, BackendError> {
    find(client, &TenantFilter::default()).await
}

/// The live tenants `filter` matches: tier and region in SQL, labels on the decoded rows.
pub async fn find(
    client: &impl GenericClient,
    filter: &TenantFilter,
) -> Result<Vec<TenantRecord>, BackendError> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM tenant_catalog.tenants WHERE deleted_at IS NULL \
                 AND ($1::text IS NULL OR tier = $1) AND ($2::text IS NULL OR region = $2) \
                 ORDER BY slug"
            ),
            &[&filter.tier, &filter.region],
        )
        .await?;
    let mut found = Vec::new();
    for row in &rows {
        let tenant = from_row(row)?;
        if filter.matches(&tenant) {
            found.push(tenant);
        }
    }
    Ok(found)
}

pub async fn update(
    tx: &Transaction<'_>,
    context: &Context,
    record: &TenantRecord,
) -> Result<TenantRecord, BackendError> {
    lock_tenant(tx, &record.id).await?;
    let before = get(tx, &record.id)
        .await?
        .ok_or_else(|| BackendError::NotFound {
            kind: KIND,
            id: record.id.clone(),
        })?;
    let labels = record.labels.as_ref().map(to_json).transpose()?;
    let contacts = to_json(&record.contacts)?;
    tx.execute(
        "UPDATE tenant_catalog.tenants SET slug = $2, display_name = $3, tier = $4, \
         region = $5, labels = $6, status = $7, deletion_protection = $8, \
         retention_days = $9, contacts = $10 WHERE id = $1 AND deleted_at IS NULL",
        &[
            &record.id,
            &record.slug,
            &record.display_name,
            &record.tier,
            &record.region,
            &labels,
            &record.status,
            &record.deletion_protection,
            &record.retention_days,
            &contacts,
        ],
    )
    .await
    .map_err(BackendError::from)
    .map_err(unique_violation(KIND, format!("{:?}", record.slug)))?;
    let after = TenantRecord {
        created_at: before.created_at.clone(),
        ..record.clone()
    };
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
    audit::append(
        tx,
        RESOURCE,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    if let Some(action) = status_action {
        audit::append(
            tx,
            RESOURCE,
            &record.id,
            action,
            Some(&before),
            Some(&after),
        )
        .await?;
    }
    Ok(after)
}

/// Counts the tenant's live dependents, described for an error message when there are any.
async fn dependents(tx: &Transaction<'_>, id: &str) -> Result<Option<String>, BackendError> {
    let row = tx
        .query_one(
            "SELECT (SELECT count(*) FROM tenant_catalog.databases WHERE tenant_id = $1), \
                    (SELECT count(*) FROM tenant_catalog.users WHERE tenant_id = $1), \
                    (SELECT count(*) FROM tenant_catalog.storage WHERE tenant_id = $1), \
                    (SELECT count(*) FROM tenant_catalog.api_keys \
                        WHERE tenant_id = $1 AND revoked_at IS NULL), \
                    (SELECT count(*) FROM tenant_catalog.policies WHERE tenant_id = $1)",
            &[&id],
        )
        .await?;
    let names = ["database", "user", "storage", "API key", "policy"];
    let parts: Vec<String> = names
        .iter()
        .enumerate()
        .filter_map(|(index, name)| {
            let count: i64 = row.get(index);
            (count > 0).then(|| format!("{count} {name}(s)"))
        })
        .collect();
    Ok((!parts.is_empty()).then(|| parts.join(", ")))
}

pub async fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool, BackendError> {
    lock_tenant(tx, id).await?;
    let Some(before) = get(tx, id).await? else {
        return Ok(false);
    };
    if let Some(dependents) = dependents(tx, id).await? {
        return Err(BackendError::HasDependents {
            kind: KIND,
            key: format!("{:?}", before.slug),
            dependents,
        });
    }
    tx.execute(
        "UPDATE tenant_catalog.tenants SET deleted_at = now() WHERE id = $1",
        &[&id],
    )
    .await?;
    audit::append(tx, RESOURCE, id, Action::Tombstone, Some(&before), None).await?;
    purge_expired(tx).await?;
    Ok(true)
}

/// Removes the tombstones whose retention has passed (and the revoked keys they hold).
pub async fn purge_expired(tx: &Transaction<'_>) -> Result<(), BackendError> {
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
    async fn get(c: &Client, _context: &Context, id: &str) -> Result<Option<Self>, BackendError> {
        get(c, id).await
    }
    async fn find(
        c: &Client,
        _context: &Context,
        key: Self::Key<'_>,
    ) -> Result<Option<Self>, BackendError> {
        find_by_slug(c, key).await
    }
    async fn list(
        c: &Client,
        _context: &Context,
        _scope: Self::Scope<'_>,
    ) -> Result<Vec<Self>, BackendError> {
        list(c).await
    }
    async fn create(
        tx: &Transaction<'_>,
        _context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        create(tx, record).await
    }
    async fn update(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        update(tx, context, record).await
    }
    async fn delete(
        tx: &Transaction<'_>,
        _context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
        delete(tx, id).await
    }
}
