//! Tenant security policies: one catalog row per tenant.

use tokio_postgres::{GenericClient, Row, Transaction};

use super::Context;
use super::session::lock_tenant;
use super::sql::{from_json, to_json, unique_violation};
use super::table::Table;
use super::{audit, tenants};
use crate::backend::audit::Action;
use crate::backend::{BackendError, PolicyRecord};
use crate::records::Record;
use tokio_postgres::Client;

const KIND: &str = PolicyRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = PolicyRecord::RESOURCE;
const COLUMNS: &str = "id, tenant_id, mfa_required, session_ttl, ip_allowlist";

fn from_row(row: &Row) -> Result<PolicyRecord, BackendError> {
    let allowlist: String = row.get(4);
    Ok(PolicyRecord {
        id: row.get(0),
        tenant_id: row.get(1),
        mfa_required: row.get(2),
        session_ttl: row.get(3),
        ip_allowlist: from_json(&allowlist)?,
    })
}

async fn query_one(
    client: &impl GenericClient,
    filter: &str,
    value: &str,
) -> Result<Option<PolicyRecord>, BackendError> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM tenant_catalog.policies WHERE {filter} = $1"),
            &[&value],
        )
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(
    client: &impl GenericClient,
    id: &str,
) -> Result<Option<PolicyRecord>, BackendError> {
    query_one(client, "id", id).await
}

pub async fn find(
    client: &impl GenericClient,
    tenant_id: &str,
) -> Result<Option<PolicyRecord>, BackendError> {
    query_one(client, "tenant_id", tenant_id).await
}

pub async fn create(
    tx: &Transaction<'_>,
    record: &PolicyRecord,
) -> Result<PolicyRecord, BackendError> {
    lock_tenant(tx, &record.tenant_id).await?;
    let tenant = tenants::require(tx, &record.tenant_id).await?;
    tx.execute(
        &format!("INSERT INTO tenant_catalog.policies ({COLUMNS}) VALUES ($1,$2,$3,$4,$5)"),
        &[
            &record.id,
            &record.tenant_id,
            &record.mfa_required,
            &record.session_ttl,
            &to_json(&record.ip_allowlist)?,
        ],
    )
    .await
    .map_err(BackendError::from)
    .map_err(unique_violation(
        KIND,
        format!("of tenant {:?}", tenant.slug),
    ))?;
    audit::append(tx, RESOURCE, &record.id, Action::Create, None, Some(record)).await?;
    Ok(record.clone())
}

pub async fn update(
    tx: &Transaction<'_>,
    record: &PolicyRecord,
) -> Result<PolicyRecord, BackendError> {
    lock_tenant(tx, &record.tenant_id).await?;
    let before = get(tx, &record.id)
        .await?
        .ok_or_else(|| BackendError::NotFound {
            kind: KIND,
            id: record.id.clone(),
        })?;
    let after = PolicyRecord {
        id: before.id.clone(),
        tenant_id: before.tenant_id.clone(),
        ..record.clone()
    };
    tx.execute(
        "UPDATE tenant_catalog.policies SET mfa_required = $2, session_ttl = $3, \
         ip_allowlist = $4 WHERE id = $1",
        &[
            &after.id,
            &after.mfa_required,
            &after.session_ttl,
            &to_json(&after.ip_allowlist)?,
        ],
    )
    .await?;
    audit::append(
        tx,
        RESOURCE,
        &record.id,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool, BackendError> {
    let Some(before) = get(tx, id).await? else {
        return Ok(false);
    };
    lock_tenant(tx, &before.tenant_id).await?;
    tx.execute("DELETE FROM tenant_catalog.policies WHERE id = $1", &[&id])
        .await?;
    audit::append(tx, RESOURCE, id, Action::Delete, Some(&before), None).await?;
    Ok(true)
}

impl Table for PolicyRecord {
    async fn get(c: &Client, _context: &Context, id: &str) -> Result<Option<Self>, BackendError> {
        get(c, id).await
    }
    async fn find(
        c: &Client,
        _context: &Context,
        key: Self::Key<'_>,
    ) -> Result<Option<Self>, BackendError> {
        find(c, key).await
    }
    async fn list(
        c: &Client,
        _context: &Context,
        scope: Self::Scope<'_>,
    ) -> Result<Vec<Self>, BackendError> {
        Ok(find(c, scope).await?.into_iter().collect())
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
        _context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        update(tx, record).await
    }
    async fn delete(
        tx: &Transaction<'_>,
        _context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
        delete(tx, id).await
    }
}
