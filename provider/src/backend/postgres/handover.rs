//! Offboarding an adopted login that owns a registered database's schema (a platform without
//! the catalog often lets its application role own its schema): before the login is
//! dropped, the schema, with the tables, views, sequences and routines the login made in it,
//! is handed to a new NOLOGIN owner role named as tenantform names its own
//! (`naming::database_owner_role`), with the login's connection limit. The catalog row and
//! the audit log (an `update` of the database) record the new owner, and the database's own
//! destroy later archives and drops the schema with that role, whichever of the two
//! destroys runs first. The schema is never dropped unarchived.

use tokio_postgres::Transaction;

use super::roles::{self, NewRole};
use super::sql::quote_ident;
use super::{Context, live, table};
use crate::backend::audit::Action;
use crate::backend::{BackendError, DatabaseRecord};
use crate::naming;
use crate::records::Record;

/// Hands every registered schema `login` owns to its database's own owner role.
pub(super) async fn hand_over_owned_schemas(
    tx: &Transaction<'_>,
    context: &Context,
    login: &str,
) -> Result<(), BackendError> {
    let owned =
        table::catalog_rows::<DatabaseRecord>(tx, context, "owner_role = $1", &[&login]).await?;
    for database in owned {
        hand_over(tx, context, login, &database).await?;
    }
    Ok(())
}

async fn hand_over(
    tx: &Transaction<'_>,
    context: &Context,
    login: &str,
    database: &DatabaseRecord,
) -> Result<(), BackendError> {
    let slug: String = tx
        .query_one(
            "SELECT slug FROM tenant_catalog.tenants WHERE id = $1",
            &[&database.tenant_id],
        )
        .await?
        .get(0);
    let owner = naming::database_owner_role(&slug, &database.name);
    let limit = live::role(tx, login)
        .await?
        .map_or(database.connection_limit, |role| role.connection_limit);
    let new_role = NewRole {
        name: &owner,
        login: false,
        connection_limit: limit,
        password: None,
    };
    roles::create(tx, context, &new_role, DatabaseRecord::RESOURCE).await?;
    roles::take_membership(tx, context, login).await?;
    if live::schema_owner(tx, &database.schema).await?.as_deref() == Some(login) {
        alter_owner(tx, login, &database.schema, &owner).await?;
    }
    let after = DatabaseRecord {
        owner_role: owner,
        connection_limit: limit,
        ..database.clone()
    };
    tx.execute(
        "UPDATE tenant_catalog.databases SET owner_role = $2 WHERE id = $1",
        &[&after.id, &after.owner_role],
    )
    .await?;
    table::audit(tx, Action::Update, Some(database), Some(&after)).await
}

/// `ALTER SCHEMA .. OWNER TO`, and the same for what `login` owns in the schema. The new
/// owner needs `CREATE` on the database for the schema's change of owner only.
async fn alter_owner(
    tx: &Transaction<'_>,
    login: &str,
    schema: &str,
    owner: &str,
) -> Result<(), BackendError> {
    let database: String = tx.query_one("SELECT current_database()", &[]).await?.get(0);
    let (database, quoted_schema, owner) = (
        quote_ident(&database)?,
        quote_ident(schema)?,
        quote_ident(owner)?,
    );
    tx.batch_execute(&format!(
        "GRANT CREATE ON DATABASE {database} TO {owner};
         ALTER SCHEMA {quoted_schema} OWNER TO {owner};
         REVOKE CREATE ON DATABASE {database} FROM {owner};"
    ))
    .await?;
    for statement in owned_objects(tx, login, schema).await? {
        tx.batch_execute(&format!("ALTER {statement} OWNER TO {owner}"))
            .await?;
    }
    Ok(())
}

/// `ALTER <kind> <name>` of each relation and routine `login` owns in `schema` (sequences
/// that belong to a column follow their table).
async fn owned_objects(
    tx: &Transaction<'_>,
    login: &str,
    schema: &str,
) -> Result<Vec<String>, BackendError> {
    let rows = tx
        .query(
            "SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' \
                    WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END \
                    || ' ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $2 AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1) \
               AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
               AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d \
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                   AND d.deptype IN ('a', 'i'))) \
             UNION ALL \
             SELECT 'ROUTINE ' || p.oid::regprocedure::text \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = $2 AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = $1)",
            &[&login, &schema],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}
