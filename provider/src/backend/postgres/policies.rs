//! Tenant security policies: one catalog row per tenant.

use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Transaction};

use super::Context;
use super::session::lock_tenant;
use super::sql::{from_json, to_json, unique_violation};
use super::table::{self, Table};
use super::tenants;
use crate::backend::audit::Action;
use crate::backend::{BackendError, PolicyRecord};
use crate::records::Record;

const KIND: &str = PolicyRecord::KIND;
const COLUMNS: &str = "id, tenant_id, mfa_required, session_ttl, ip_allowlist";

impl Table for PolicyRecord {
    const FROM: &'static str = "tenant_catalog.policies";
    const COLUMNS: &'static str = COLUMNS;
    const KEY_FILTER: &'static str = "tenant_id = $1";
    const ORDER_BY: &'static str = "tenant_id";

    fn from_row(_context: &Context, row: &Row) -> Result<Self, BackendError> {
        let allowlist: String = row.get(4);
        Ok(PolicyRecord {
            id: row.get(0),
            tenant_id: row.get(1),
            mfa_required: row.get(2),
            session_ttl: row.get(3),
            ip_allowlist: from_json(&allowlist)?,
        })
    }

    async fn create(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        lock_tenant(tx, &record.tenant_id).await?;
        let tenant = tenants::require(tx, context, &record.tenant_id).await?;
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
        table::audit(tx, Action::Create, None, Some(record)).await?;
        Ok(record.clone())
    }

    async fn update(
        tx: &Transaction<'_>,
        context: &Context,
        record: &Self,
    ) -> Result<Self, BackendError> {
        lock_tenant(tx, &record.tenant_id).await?;
        let before = table::require::<Self>(tx, context, &record.id).await?;
        let after = PolicyRecord {
            id: before.id.clone(),
            tenant_id: before.tenant_id.clone(),
            ..record.clone()
        };
        let (mfa_required, session_ttl) = (after.mfa_required, after.session_ttl.clone());
        let allowlist = to_json(&after.ip_allowlist)?;
        let set = "mfa_required = $2, session_ttl = $3, ip_allowlist = $4";
        let values: [&(dyn ToSql + Sync); 3] = [&mfa_required, &session_ttl, &allowlist];
        table::update_row(tx, &before, after, set, &values).await
    }

    async fn delete(
        tx: &Transaction<'_>,
        context: &Context,
        id: &str,
    ) -> Result<bool, BackendError> {
        let Some(before) = table::get::<Self>(tx, context, id).await? else {
            return Ok(false);
        };
        lock_tenant(tx, &before.tenant_id).await?;
        table::delete_row(tx, &before).await
    }
}
