//! Role DDL shared by tenant databases (NOLOGIN owners) and tenant users (LOGIN roles):
//! creation with a SCRAM verifier instead of a plaintext password, membership for a
//! non-superuser administrator, login switches with session termination, and removal.

use postgres_protocol::password::scram_sha_256;
use tokio_postgres::Transaction;
use tokio_postgres::error::SqlState;

use super::Context;
use super::live;
use super::sql::{quote_ident, quote_literal};
use crate::backend::BackendError;

/// How a new role is made.
pub(super) struct NewRole<'a> {
    pub name: &'a str,
    pub login: bool,
    pub connection_limit: i64,
    pub password: Option<&'a str>,
}

/// The `PASSWORD` clause: a SCRAM-SHA-256 verifier, so the plaintext never reaches the server
/// or its logs.
fn password_clause(password: Option<&str>) -> String {
    match password {
        Some(password) => format!(
            "PASSWORD {}",
            quote_literal(&scram_sha_256(password.as_bytes()))
        ),
        None => "PASSWORD NULL".to_string(),
    }
}

/// Creates the role and lets the connected role act as it. Fails with
/// [`BackendError::AlreadyExists`] when a role of that name exists already.
pub(super) async fn create(
    tx: &Transaction<'_>,
    context: &Context,
    role: &NewRole<'_>,
    kind: &'static str,
) -> Result<(), BackendError> {
    let name = quote_ident(role.name)?;
    let login = if role.login { "LOGIN" } else { "NOLOGIN" };
    let statement = format!(
        "CREATE ROLE {name} {login} NOINHERIT CONNECTION LIMIT {} {}",
        role.connection_limit,
        password_clause(role.password)
    );
    if let Err(error) = tx.batch_execute(&statement).await {
        if error.code() == Some(&SqlState::DUPLICATE_OBJECT) {
            return Err(BackendError::AlreadyExists {
                kind,
                key: format!("role {:?} (import it to adopt it)", role.name),
            });
        }
        return Err(error.into());
    }
    take_membership(tx, context, role.name).await
}

/// PostgreSQL 15: a CREATEROLE administrator must be a member of a role to create objects
/// owned by it, reassign or drop what it owns, and end its sessions.
pub(super) async fn take_membership(
    tx: &Transaction<'_>,
    context: &Context,
    role: &str,
) -> Result<(), BackendError> {
    if context.is_superuser || live::current_user_is_member(tx, role).await? {
        return Ok(());
    }
    tx.batch_execute(&format!("GRANT {} TO CURRENT_USER", quote_ident(role)?))
        .await?;
    Ok(())
}

/// `ALTER ROLE ... CONNECTION LIMIT`; -1 for no limit.
pub(super) async fn set_connection_limit(
    tx: &Transaction<'_>,
    role: &str,
    limit: i64,
) -> Result<(), BackendError> {
    tx.batch_execute(&format!(
        "ALTER ROLE {} CONNECTION LIMIT {limit}",
        quote_ident(role)?
    ))
    .await?;
    Ok(())
}

pub(super) async fn set_login(
    tx: &Transaction<'_>,
    role: &str,
    login: bool,
) -> Result<(), BackendError> {
    let keyword = if login { "LOGIN" } else { "NOLOGIN" };
    tx.batch_execute(&format!("ALTER ROLE {} {keyword}", quote_ident(role)?))
        .await?;
    Ok(())
}

pub(super) async fn set_password(
    tx: &Transaction<'_>,
    role: &str,
    password: &str,
) -> Result<(), BackendError> {
    tx.batch_execute(&format!(
        "ALTER ROLE {} {}",
        quote_ident(role)?,
        password_clause(Some(password))
    ))
    .await?;
    Ok(())
}

/// Sets the role's `search_path` to `schemas` (reset to the default when empty).
pub(super) async fn set_search_path(
    tx: &Transaction<'_>,
    role: &str,
    schemas: &[String],
) -> Result<(), BackendError> {
    let role = quote_ident(role)?;
    let statement = if schemas.is_empty() {
        format!("ALTER ROLE {role} RESET search_path")
    } else {
        let list = schemas
            .iter()
            .map(|schema| quote_ident(schema))
            .collect::<Result<Vec<_>, _>>()?
            .join(", ");
        format!("ALTER ROLE {role} SET search_path = {list}")
    };
    tx.batch_execute(&statement).await?;
    Ok(())
}

/// Ends every session of the role but our own.
pub(super) async fn terminate_sessions(
    tx: &Transaction<'_>,
    role: &str,
) -> Result<(), BackendError> {
    tx.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE usename = $1 AND pid <> pg_backend_pid()",
        &[&role],
    )
    .await?;
    Ok(())
}

/// Turns the login off, ends its sessions, hands the tables it created to the owners of their
/// schemas, drops what else it owns or holds, and drops the role. Nothing when it is gone.
pub(super) async fn drop_role(
    tx: &Transaction<'_>,
    context: &Context,
    role: &str,
) -> Result<(), BackendError> {
    let Some(state) = live::role(tx, role).await? else {
        return Ok(());
    };
    take_membership(tx, context, role).await?;
    let quoted = quote_ident(role)?;
    if state.can_login {
        set_login(tx, role, false).await?;
    }
    terminate_sessions(tx, role).await?;
    reassign_to_schema_owners(tx, context, role).await?;
    tx.batch_execute(&format!("DROP OWNED BY {quoted}; DROP ROLE {quoted}"))
        .await?;
    Ok(())
}

/// `REASSIGN OWNED` per schema: each relation the role owns goes to its schema's owner.
async fn reassign_to_schema_owners(
    tx: &Transaction<'_>,
    context: &Context,
    role: &str,
) -> Result<(), BackendError> {
    let rows = tx
        .query(
            "SELECT n.nspname::text, c.relname::text, c.relkind::text, \
                    pg_get_userbyid(n.nspowner)::text \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1) \
               AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
               AND n.nspowner <> c.relowner \
               AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d \
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                   AND d.deptype IN ('a', 'i'))) \
               AND pg_get_userbyid(n.nspowner) LIKE 'tenant\\_%'",
            &[&role],
        )
        .await?;
    for row in rows {
        let (schema, relation, kind, owner): (String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        take_membership(tx, context, &owner).await?;
        let class = match kind.as_str() {
            "v" => "VIEW",
            "m" => "MATERIALIZED VIEW",
            "S" => "SEQUENCE",
            "f" => "FOREIGN TABLE",
            _ => "TABLE",
        };
        tx.batch_execute(&format!(
            "ALTER {class} {}.{} OWNER TO {}",
            quote_ident(&schema)?,
            quote_ident(&relation)?,
            quote_ident(&owner)?
        ))
        .await?;
    }
    Ok(())
}

/// `ALTER ROLE .. RENAME TO ..`.
pub(super) async fn rename(tx: &Transaction<'_>, from: &str, to: &str) -> Result<(), BackendError> {
    tx.batch_execute(&format!(
        "ALTER ROLE {} RENAME TO {}",
        quote_ident(from)?,
        quote_ident(to)?
    ))
    .await?;
    Ok(())
}
