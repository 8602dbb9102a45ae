//! [`ForeignObjects`] on PostgreSQL: schemas and roles looked up in `pg_namespace` and
//! `pg_roles`, and the registration of adopted ones as catalog rows (no DDL).

use tokio_postgres::{GenericClient, Transaction};

use super::roles;
use super::table;
use super::{Context, PostgresBackend, live, tenants, users};
use crate::backend::audit::Action;
use crate::backend::foreign::{ForeignObjects, ForeignRole, ForeignSchema, UnregisteredSchema};
use crate::backend::{BackendError, DatabaseRecord, TenantRecord, UserRecord, now_rfc3339};
use crate::naming;

/// Schemas that belong to PostgreSQL or to the platform, never tenant candidates.
const NOT_CANDIDATES: &str = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' \
     AND n.nspname <> 'public' AND n.nspname <> 'tenant_catalog'";

async fn schema(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<ForeignSchema>, BackendError> {
    let Some(owner) = live::schema_owner(client, name).await? else {
        return Ok(None);
    };
    let limit = live::role(client, &owner)
        .await?
        .map_or(-1, |role| role.connection_limit);
    Ok(Some(ForeignSchema {
        name: name.to_string(),
        owner,
        owner_connection_limit: limit,
    }))
}

async fn unregistered(
    client: &impl GenericClient,
) -> Result<Vec<UnregisteredSchema>, BackendError> {
    let rows = client
        .query(
            &format!(
                "SELECT n.nspname::text, pg_get_userbyid(n.nspowner)::text, \
                   coalesce((SELECT array_agg(DISTINCT r.rolname::text ORDER BY r.rolname::text) \
                     FROM aclexplode(n.nspacl) a JOIN pg_roles r ON r.oid = a.grantee \
                     WHERE a.grantee <> n.nspowner AND NOT EXISTS \
                       (SELECT 1 FROM tenant_catalog.users u WHERE u.login = r.rolname)), \
                     '{{}}'), \
                   EXISTS (SELECT 1 FROM tenant_catalog.users u \
                     WHERE u.login = pg_get_userbyid(n.nspowner)) \
                 FROM pg_namespace n \
                 WHERE {NOT_CANDIDATES} AND NOT EXISTS \
                   (SELECT 1 FROM tenant_catalog.databases d WHERE d.schema_name = n.nspname) \
                 ORDER BY n.nspname"
            ),
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| UnregisteredSchema {
            name: row.get(0),
            owner: row.get(1),
            users: row.get(2),
            owner_registered: row.get(3),
        })
        .collect())
}

/// Locks the tenant `tenant_id`, registering `adopted` (its defaults, as the tenant's import
/// gives them) when the catalog does not list it yet, so that a database or user registers
/// whether its tenant's own registration comes before or after it.
async fn lock_or_register_tenant(
    tx: &Transaction<'_>,
    context: &Context,
    tenant_id: &str,
    adopted: Option<&TenantRecord>,
) -> Result<(), BackendError> {
    match tenants::lock_live(tx, context, tenant_id).await {
        Err(BackendError::InvalidReference(_)) => {}
        other => return other.map(|_| ()),
    }
    let Some(tenant) = adopted.filter(|tenant| tenant.id == tenant_id) else {
        return Err(BackendError::InvalidReference(format!(
            "tenant {tenant_id:?} is not registered yet: refer to it (tenant_id = \
             tenant.NAME.id) so that its registration comes first, or apply again after it"
        )));
    };
    let registered = TenantRecord {
        created_at: now_rfc3339(),
        ..tenant.clone()
    };
    table::insert_row(tx, &registered, format!("{:?}", registered.slug)).await?;
    table::audit(tx, Action::Adopt, None, Some(&registered)).await
}

async fn register_database(
    tx: &Transaction<'_>,
    context: &Context,
    record: &DatabaseRecord,
    tenant: Option<&TenantRecord>,
) -> Result<DatabaseRecord, BackendError> {
    lock_or_register_tenant(tx, context, &record.tenant_id, tenant).await?;
    let missing = || BackendError::NotFound {
        kind: "schema",
        id: record.schema.clone(),
    };
    let owner = live::schema_owner(tx, &record.schema)
        .await?
        .ok_or_else(missing)?;
    let registered = DatabaseRecord {
        owner_role: owner,
        connection_uri: context.connection_uri(&record.schema),
        ..record.clone()
    };
    table::insert_row(tx, &registered, format!("{:?}", registered.name)).await?;
    roles::take_membership(tx, context, &registered.owner_role).await?;
    refresh_search_paths_of_named_schema(tx, context, &registered).await?;
    table::audit(tx, Action::Adopt, None, Some(&registered)).await?;
    Ok(registered)
}

/// A schema named by the naming rules (an older script's) is on its tenant's users'
/// `search_path`, as one tenantform made; a foreign schema leaves adopted roles as they are.
async fn refresh_search_paths_of_named_schema(
    tx: &Transaction<'_>,
    context: &Context,
    record: &DatabaseRecord,
) -> Result<(), BackendError> {
    let tenant = tenants::require(tx, context, &record.tenant_id).await?;
    if naming::database_schema(&tenant.slug, &record.name) == record.schema {
        users::refresh_search_paths(tx, context, &record.tenant_id).await?;
    }
    Ok(())
}

async fn register_user(
    tx: &Transaction<'_>,
    context: &Context,
    record: &UserRecord,
    tenant: Option<&TenantRecord>,
) -> Result<UserRecord, BackendError> {
    lock_or_register_tenant(tx, context, &record.tenant_id, tenant).await?;
    if live::role(tx, &record.login).await?.is_none() {
        return Err(BackendError::NotFound {
            kind: "role",
            id: record.login.clone(),
        });
    }
    let key = format!("{:?} (login {:?})", record.email, record.login);
    table::insert_row(tx, record, key).await?;
    roles::take_membership(tx, context, &record.login).await?;
    table::audit(tx, Action::Adopt, None, Some(record)).await?;
    Ok(record.clone())
}

impl ForeignObjects for PostgresBackend {
    fn schema(&self, name: &str) -> Result<Option<ForeignSchema>, BackendError> {
        self.read(async |c| schema(c, name).await)
    }

    fn role(&self, name: &str) -> Result<Option<ForeignRole>, BackendError> {
        self.read(async |c| {
            Ok(live::role(c, name).await?.map(|role| ForeignRole {
                name: name.to_string(),
                can_login: role.can_login,
                connection_limit: role.connection_limit,
            }))
        })
    }

    fn unregistered_schemas(&self) -> Result<Vec<UnregisteredSchema>, BackendError> {
        self.read(async |c| unregistered(c).await)
    }

    fn register_database(
        &self,
        record: &DatabaseRecord,
        tenant: Option<&TenantRecord>,
    ) -> Result<DatabaseRecord, BackendError> {
        self.write(async |tx| register_database(tx, &self.context, record, tenant).await)
    }

    fn register_user(
        &self,
        record: &UserRecord,
        tenant: Option<&TenantRecord>,
    ) -> Result<UserRecord, BackendError> {
        self.write(async |tx| register_user(tx, &self.context, record, tenant).await)
    }
}
