//! Tenant grants: a user's `read`/`write`/`admin` on a tenant database, carried out as
//! GRANT/REVOKE on the schema, its tables and sequences and the owner's default privileges.
//! Reads reconstruct the levels from the live ACLs, so a revoke made by hand shows as drift.

use std::collections::BTreeSet;

use tokio_postgres::{GenericClient, Row, Transaction};

use super::privileges::{self, LEVELS, Level, Target};
use super::session::lock_tenant;
use super::table::{self, Outcome, Table};
use super::{Context, live};
use crate::backend::audit::Action;
use crate::backend::{BackendError, DatabaseRecord, GrantRecord, UserRecord};
use crate::records::Record;

const KIND: &str = GrantRecord::KIND;

/// The user and database a grant joins, both live, or `None`.
async fn parties(
    client: &impl GenericClient,
    context: &Context,
    user_id: &str,
    database_id: &str,
) -> Result<Option<(UserRecord, DatabaseRecord)>, BackendError> {
    let Some(user) = table::get::<UserRecord>(client, context, user_id).await? else {
        return Ok(None);
    };
    let Some(database) = table::get::<DatabaseRecord>(client, context, database_id).await? else {
        return Ok(None);
    };
    Ok(Some((user, database)))
}

/// The levels the role holds live, among `candidates`.
async fn live_levels(
    client: &impl GenericClient,
    user: &UserRecord,
    database: &DatabaseRecord,
    candidates: impl IntoIterator<Item = Level>,
) -> Result<BTreeSet<Level>, BackendError> {
    let acl = live::schema_acl(client, &database.schema, &user.login).await?;
    Ok(candidates
        .into_iter()
        .filter(|level| acl.holds(*level))
        .collect())
}

fn names(levels: &BTreeSet<Level>) -> BTreeSet<String> {
    levels
        .iter()
        .map(|level| level.name().to_string())
        .collect()
}

/// `record` with the privileges the role really holds; `None` when a party is gone.
async fn live_view(
    client: &impl GenericClient,
    context: &Context,
    record: GrantRecord,
) -> Result<Option<GrantRecord>, BackendError> {
    let Some((user, database)) =
        parties(client, context, &record.user_id, &record.database_id).await?
    else {
        return Ok(None);
    };
    let recorded = privileges::levels(&record.privileges)?;
    let held = live_levels(client, &user, &database, recorded).await?;
    Ok(Some(GrantRecord {
        privileges: names(&held),
        ..record
    }))
}

/// Both parties, live and in the same tenant, with the tenant locked.
async fn lock_parties(
    tx: &Transaction<'_>,
    context: &Context,
    record: &GrantRecord,
) -> Result<(UserRecord, DatabaseRecord), BackendError> {
    let tenant = table::tenant_of::<UserRecord>(tx, &record.user_id).await?;
    let tenant = tenant.ok_or_else(|| {
        BackendError::InvalidReference(format!("user {:?} does not exist", record.user_id))
    })?;
    lock_tenant(tx, &tenant).await?;
    let (user, database) = parties(tx, context, &record.user_id, &record.database_id)
        .await?
        .ok_or_else(|| {
            BackendError::InvalidReference(format!(
                "user {:?} or database {:?} does not exist",
                record.user_id, record.database_id
            ))
        })?;
    if user.tenant_id != database.tenant_id {
        return Err(BackendError::InvalidReference(format!(
            "user {:?} and database {:?} belong to different tenants",
            record.user_id, record.database_id
        )));
    }
    Ok((user, database))
}

async fn run_all(tx: &Transaction<'_>, statements: Vec<String>) -> Result<(), BackendError> {
    if !statements.is_empty() {
        tx.batch_execute(&statements.join(";\n")).await?;
    }
    Ok(())
}

fn target<'a>(user: &'a UserRecord, database: &'a DatabaseRecord) -> Target<'a> {
    Target {
        schema: &database.schema,
        owner_role: &database.owner_role,
        grantee: &user.login,
    }
}

/// Registers the privileges a role holds on a schema (granted by an older script) when the
/// catalog has no grant for the pair.
pub(super) async fn discover(
    tx: &Transaction<'_>,
    context: &Context,
    user_id: &str,
    database_id: &str,
) -> Result<Option<GrantRecord>, BackendError> {
    let probe = GrantRecord {
        id: String::new(),
        user_id: user_id.to_string(),
        database_id: database_id.to_string(),
        privileges: BTreeSet::new(),
    };
    let (user, database) = match lock_parties(tx, context, &probe).await {
        Ok(parties) => parties,
        Err(BackendError::InvalidReference(_)) => return Ok(None),
        Err(error) => return Err(error),
    };
    if let Some(found) = table::find::<GrantRecord>(tx, context, (user_id, database_id)).await? {
        return Ok(Some(found));
    }
    // Every level the role holds: `write` includes what `read` grants, so a role with write
    // access is discovered as read + write, as configurations usually spell it.
    let held = live_levels(tx, &user, &database, LEVELS).await?;
    if held.is_empty() {
        return Ok(None);
    }
    let record = GrantRecord {
        id: uuid::Uuid::new_v4().to_string(),
        privileges: names(&held),
        ..probe
    };
    let key = record.key_label();
    table::insert_row(tx, &record, key).await?;
    table::audit(tx, Action::Adopt, None, Some(&record)).await?;
    Ok(Some(record))
}

impl Table for GrantRecord {
    const LISTING_ORDER: Option<&'static str> = Some("id");

    /// The record with the privileges the role really holds; `None` when a party is gone.
    async fn live(
        client: &impl GenericClient,
        context: &Context,
        row: &Row,
    ) -> Outcome<Option<Self>> {
        live_view(client, context, Self::from_row(context, row)?).await
    }

    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let (user, database) = lock_parties(tx, context, record).await?;
        let wanted = privileges::levels(&record.privileges)?;
        let key = format!("of user {:?} on database {:?}", user.email, database.name);
        table::insert_row(tx, record, key).await?;
        let target = target(&user, &database);
        let mut statements = privileges::revoke_everything(&target)?;
        statements.extend(privileges::transition(&target, &BTreeSet::new(), &wanted)?);
        run_all(tx, statements).await?;
        table::audit(tx, Action::Create, None, Some(record)).await?;
        Ok(record.clone())
    }

    /// Revokes what was dropped and grants what was added, from what the role holds live.
    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let (user, database) = lock_parties(tx, context, record).await?;
        let before = table::catalog_rows::<GrantRecord>(tx, context, "id = $1", &[&record.id])
            .await?
            .pop()
            .ok_or_else(|| BackendError::NotFound {
                kind: KIND,
                id: record.id.clone(),
            })?;
        let held = live_levels(tx, &user, &database, LEVELS).await?;
        let recorded = privileges::levels(&before.privileges)?;
        let from: BTreeSet<Level> = held.union(&recorded).copied().collect();
        let wanted = privileges::levels(&record.privileges)?;
        let after = GrantRecord {
            privileges: record.privileges.clone(),
            ..before.clone()
        };
        table::update_columns(tx, &after, &["privileges"]).await?;
        let target = target(&user, &database);
        let mut statements = privileges::transition(&target, &from, &wanted)?;
        // Re-grant what should be held, in case part of it was revoked by hand.
        statements.extend(privileges::transition(&target, &BTreeSet::new(), &wanted)?);
        run_all(tx, statements).await?;
        table::audit(tx, Action::Update, Some(&before), Some(&after)).await?;
        Ok(after)
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
        let Some(before) = table::catalog_rows::<GrantRecord>(tx, context, "id = $1", &[&id])
            .await?
            .pop()
        else {
            return Ok(false);
        };
        let tenant: String = tx
            .query_one(
                "SELECT tenant_id FROM tenant_catalog.users WHERE id = $1",
                &[&before.user_id],
            )
            .await?
            .get(0);
        lock_tenant(tx, &tenant).await?;
        if let Some((user, database)) =
            parties(tx, context, &before.user_id, &before.database_id).await?
        {
            run_all(
                tx,
                privileges::revoke_everything(&target(&user, &database))?,
            )
            .await?;
        }
        let deleted = tx
            .execute("DELETE FROM tenant_catalog.grants WHERE id = $1", &[&id])
            .await?;
        if deleted == 0 {
            return Ok(false);
        }
        table::audit(tx, Action::Delete, Some(&before), None).await?;
        Ok(true)
    }
}
