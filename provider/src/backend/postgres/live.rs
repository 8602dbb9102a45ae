//! Reads of the live PostgreSQL objects behind catalog rows (roles, schemas, ACLs), so that
//! `get_*` reports what really exists rather than what the catalog remembers.

use std::collections::BTreeSet;

use tokio_postgres::GenericClient;

use super::privileges::Level;
use crate::backend::BackendError;

/// What a role looks like in `pg_roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RoleState {
    pub can_login: bool,
    /// `rolconnlimit`: -1 for no limit.
    pub connection_limit: i64,
}

const ROLE_BY_NAME: &str = "SELECT rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname = $1";
const SCHEMA_OWNER_BY_NAME: &str =
    "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = $1";

/// The role named `name`, if it exists.
pub(super) async fn role(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<RoleState>, BackendError> {
    let row = client.query_opt(ROLE_BY_NAME, &[&name]).await?;
    Ok(row.map(|row| RoleState {
        can_login: row.get(0),
        connection_limit: i64::from(row.get::<_, i32>(1)),
    }))
}

/// The owner of schema `name`, if the schema exists.
pub(super) async fn schema_owner(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<String>, BackendError> {
    let row = client.query_opt(SCHEMA_OWNER_BY_NAME, &[&name]).await?;
    Ok(row.map(|row| row.get(0)))
}

/// Whether the connected role can act as `role` (needed to own, alter or drop for it).
pub(super) async fn current_user_is_member(
    client: &impl GenericClient,
    role: &str,
) -> Result<bool, BackendError> {
    let row = client
        .query_one("SELECT pg_has_role(current_user, $1, 'MEMBER')", &[&role])
        .await?;
    Ok(row.get(0))
}

/// The privileges `role` holds directly on schema `schema` and on its tables: the schema's
/// ACL, and for tables the owner's default privileges for the role (or, without those, the
/// privileges it holds on every existing table). `None` for tables when there is no evidence.
pub(super) struct SchemaAcl {
    pub schema: BTreeSet<String>,
    pub tables: Option<BTreeSet<String>>,
}

pub(super) async fn schema_acl(
    client: &impl GenericClient,
    schema: &str,
    role: &str,
) -> Result<SchemaAcl, BackendError> {
    let schema_privileges = client
        .query(
            "SELECT a.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) a \
             WHERE n.nspname = $1 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2)",
            &[&schema, &role],
        )
        .await?
        .iter()
        .map(|row| row.get::<_, String>(0))
        .collect();
    let defaults = client
        .query(
            "SELECT a.privilege_type FROM pg_default_acl d \
             JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a \
             WHERE n.nspname = $1 AND d.defaclobjtype = 'r' \
             AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2)",
            &[&schema, &role],
        )
        .await?;
    let tables = if defaults.is_empty() {
        tables_privileges(client, schema, role).await?
    } else {
        Some(defaults.iter().map(|row| row.get::<_, String>(0)).collect())
    };
    Ok(SchemaAcl {
        schema: schema_privileges,
        tables,
    })
}

/// The privileges `role` holds on every table of `schema`; `None` when it has no tables.
async fn tables_privileges(
    client: &impl GenericClient,
    schema: &str,
    role: &str,
) -> Result<Option<BTreeSet<String>>, BackendError> {
    let rows = client
        .query(
            "SELECT c.oid::bigint, coalesce(array_agg(a.privilege_type) \
                 FILTER (WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2)), \
                 '{}') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN LATERAL aclexplode(c.relacl) a ON true \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') GROUP BY c.oid",
            &[&schema, &role],
        )
        .await?;
    let mut common: Option<BTreeSet<String>> = None;
    for row in rows {
        let held: BTreeSet<String> = row.get::<_, Vec<String>>(1).into_iter().collect();
        common = Some(match common {
            None => held,
            Some(previous) => previous.intersection(&held).cloned().collect(),
        });
    }
    Ok(common)
}

impl SchemaAcl {
    /// Whether the ACL grants everything `level` stands for.
    pub(super) fn holds(&self, level: Level) -> bool {
        let schema_ok = level
            .schema_privileges()
            .iter()
            .all(|p| self.schema.contains(*p));
        let tables_ok = match &self.tables {
            Some(tables) => level.table_privileges().iter().all(|p| tables.contains(*p)),
            // Admin differs from write only on tables: without evidence it is not admin.
            None => level != Level::Admin,
        };
        schema_ok && tables_ok
    }
}
