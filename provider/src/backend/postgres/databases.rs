//! Tenant databases: a schema (named by `naming::database_schema`) owned by a NOLOGIN role,
//! with default privileges that keep functions private. Deleting exports every table to a
//! verified archive first, then drops the schema and its owner. Reads report the live
//! objects: a database whose schema or owner role is gone does not exist.

use tokio_postgres::{GenericClient, Row, Transaction};

use super::export::export_schema;
use super::roles::{self, NewRole};
use super::session::lock_tenant;
use super::sql::quote_ident;
use super::table::{self, Outcome, Table};
use super::{Context, audit, live, tenants, users};
use crate::backend::audit::Action;
use crate::backend::{BackendError, DatabaseRecord, TenantRecord};
use crate::naming;
use crate::records::Record;
use crate::resources::foreign::stable_id;

/// The resource type the audit log names.
const RESOURCE: &str = DatabaseRecord::RESOURCE;

/// The owner role of the record's schema as it is live: `None` once the schema or the role
/// is gone.
async fn live_owner(
    client: &impl GenericClient,
    record: &DatabaseRecord,
) -> Result<Option<live::RoleState>, BackendError> {
    if live::schema_owner(client, &record.schema).await?.is_none() {
        return Ok(None);
    }
    live::role(client, &record.owner_role).await
}

/// Forgets catalog rows whose schema or owner was dropped out of band (and their grants).
async fn forget_stale(
    tx: &Transaction<'_>,
    context: &Context,
    record: &DatabaseRecord,
) -> Result<(), BackendError> {
    let filter = "id = $1 OR (tenant_id = $2 AND name = $3) OR schema_name = $4";
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
        [&record.id, &record.tenant_id, &record.name, &record.schema];
    for row in table::catalog_rows::<DatabaseRecord>(tx, context, filter, &params).await? {
        if live_owner(tx, &row).await?.is_some() {
            continue;
        }
        tx.execute(
            "DELETE FROM tenant_catalog.grants WHERE database_id = $1",
            &[&row.id],
        )
        .await?;
        tx.execute(
            "DELETE FROM tenant_catalog.databases WHERE id = $1",
            &[&row.id],
        )
        .await?;
        table::audit(tx, Action::Delete, Some(&row), None).await?;
    }
    Ok(())
}

/// The catalog's database `name`, else the schema that the naming rules predict for it,
/// unregistered: an id derived from the schema's name, no connection URI (the apply that
/// registers it sets one). Only reads.
pub(super) async fn discover(
    client: &impl GenericClient,
    context: &Context,
    tenant_id: &str,
    name: &str,
) -> Result<Option<DatabaseRecord>, BackendError> {
    if let Some(found) = table::find::<DatabaseRecord>(client, context, (tenant_id, name)).await? {
        return Ok(Some(found));
    }
    let Some(tenant) = table::get::<TenantRecord>(client, context, tenant_id).await? else {
        return Ok(None);
    };
    let schema = naming::database_schema(&tenant.slug, name);
    let Some(owner_role) = live::schema_owner(client, &schema).await? else {
        return Ok(None);
    };
    let Some(owner) = live::role(client, &owner_role).await? else {
        return Ok(None);
    };
    Ok(Some(DatabaseRecord {
        id: stable_id("tenant_database", &schema),
        tenant_id: tenant_id.to_string(),
        name: name.to_string(),
        connection_limit: owner.connection_limit,
        connection_uri: String::new(),
        schema,
        owner_role,
    }))
}

impl Table for DatabaseRecord {
    /// The connection limit is the owner role's, so a change made out of band is drift.
    async fn live(
        client: &impl GenericClient,
        context: &Context,
        row: &Row,
    ) -> Outcome<Option<Self>> {
        let record = Self::from_row(context, row)?;
        Ok(live_owner(client, &record)
            .await?
            .map(|owner| DatabaseRecord {
                connection_limit: owner.connection_limit,
                ..record
            }))
    }

    fn from_row(context: &Context, row: &Row) -> Result<Self, BackendError> {
        let record: DatabaseRecord = table::read_record(row)?;
        Ok(DatabaseRecord {
            connection_uri: context.connection_uri(&record.schema),
            ..record
        })
    }

    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let tenant = tenants::lock_live(tx, context, &record.tenant_id).await?;
        let schema = if record.schema.is_empty() {
            naming::database_schema(&tenant.slug, &record.name)
        } else {
            record.schema.clone()
        };
        let record = DatabaseRecord {
            schema,
            owner_role: naming::database_owner_role(&tenant.slug, &record.name),
            connection_uri: String::new(),
            ..record.clone()
        };
        let record = DatabaseRecord {
            connection_uri: context.connection_uri(&record.schema),
            ..record
        };
        forget_stale(tx, context, &record).await?;
        table::insert_row(tx, &record, format!("{:?}", record.name)).await?;
        roles::create(
            tx,
            context,
            &NewRole {
                name: &record.owner_role,
                login: false,
                connection_limit: record.connection_limit,
                password: None,
            },
            RESOURCE,
        )
        .await?;
        let schema = quote_ident(&record.schema)?;
        let owner = quote_ident(&record.owner_role)?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA {schema} AUTHORIZATION {owner};
         REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
         ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} \
             REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"
        ))
        .await?;
        users::refresh_search_paths(tx, context, &record.tenant_id).await?;
        table::audit(tx, Action::Create, None, Some(&record)).await?;
        Ok(record)
    }

    /// `connection_limit` (the owner role's limit) and `schema` (a rename) can change.
    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        let before: Self =
            table::lock_and_require(tx, context, &record.tenant_id, &record.id).await?;
        let schema = if record.schema.is_empty() {
            before.schema.clone()
        } else {
            record.schema.clone()
        };
        let after = DatabaseRecord {
            connection_limit: record.connection_limit,
            connection_uri: context.connection_uri(&schema),
            schema,
            ..before.clone()
        };
        table::update_columns(tx, &after, &["connection_limit", "schema_name"]).await?;
        roles::take_membership(tx, context, &before.owner_role).await?;
        tx.batch_execute(&format!(
            "ALTER ROLE {} CONNECTION LIMIT {}",
            quote_ident(&before.owner_role)?,
            record.connection_limit
        ))
        .await?;
        if after.schema != before.schema {
            tx.batch_execute(&format!(
                "ALTER SCHEMA {} RENAME TO {}",
                quote_ident(&before.schema)?,
                quote_ident(&after.schema)?
            ))
            .await?;
            users::refresh_search_paths(tx, context, &record.tenant_id).await?;
        }
        table::audit(tx, Action::Update, Some(&before), Some(&after)).await?;
        Ok(after)
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
        let Some(tenant_id) = table::tenant_of::<Self>(tx, id).await? else {
            return Ok(false);
        };
        lock_tenant(tx, &tenant_id).await?;
        let Some(before) = table::catalog_rows::<DatabaseRecord>(tx, context, "id = $1", &[&id])
            .await?
            .pop()
        else {
            return Ok(false);
        };
        table::check_no_dependents(tx, &before).await?;
        let tenant_slug: String = tx
            .query_one(
                "SELECT slug FROM tenant_catalog.tenants WHERE id = $1",
                &[&tenant_id],
            )
            .await?
            .get(0);
        if live::schema_owner(tx, &before.schema).await?.is_some() {
            roles::take_membership(tx, context, &before.owner_role).await?;
            let summary = export_schema(
                tx,
                &context.archive_dir,
                &tenant_slug,
                &before.name,
                &before.schema,
                context.is_superuser,
            )
            .await?;
            audit::append(tx, RESOURCE, id, Action::Archive, None, Some(&summary)).await?;
            tx.batch_execute(&format!(
                "DROP SCHEMA {} CASCADE",
                quote_ident(&before.schema)?
            ))
            .await?;
        }
        // An adopted schema may be owned by a login the catalog lists as a user: that
        // user's destroy drops the role.
        if !users::is_registered_login(tx, &before.owner_role).await? {
            roles::drop_role(tx, context, &before.owner_role).await?;
        }
        tx.execute("DELETE FROM tenant_catalog.databases WHERE id = $1", &[&id])
            .await?;
        users::refresh_search_paths(tx, context, &tenant_id).await?;
        table::audit(tx, Action::Delete, Some(&before), None).await?;
        Ok(true)
    }
}
