//! Tenant security policies: one catalog row per tenant.

use tokio_postgres::Transaction;

use super::Context;
use super::session::lock_tenant;
use super::table::{self, Outcome, Table};
use super::tenants;
use crate::backend::PolicyRecord;

impl Table for PolicyRecord {
    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let tenant = tenants::lock_live(tx, context, &record.tenant_id).await?;
        table::create_row(tx, record, format!("of tenant {:?}", tenant.slug)).await
    }

    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let before: Self =
            table::lock_and_require(tx, context, &record.tenant_id, &record.id).await?;
        let after = PolicyRecord {
            id: before.id.clone(),
            tenant_id: before.tenant_id.clone(),
            ..record.clone()
        };
        let columns = ["mfa_required", "session_ttl", "ip_allowlist"];
        table::update_row(tx, &before, after, &columns).await
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
        let Some(before) = table::get::<Self>(tx, context, id).await? else {
            return Ok(false);
        };
        lock_tenant(tx, &before.tenant_id).await?;
        table::delete_row(tx, &before).await
    }
}
