//! Tenant users: a catalog row plus a LOGIN role named by `naming::user_login`, with a SCRAM
//! password verifier, the tenant's schemas as `search_path` and a connection limit. Reads
//! report the live role: a dropped role is no user at all, and a role that cannot log in while
//! it should is reported `disabled` so that the next apply turns the login back on.

use tokio_postgres::{GenericClient, Row, Transaction};

use super::roles::{self, NewRole};
use super::session::lock_tenant;
use super::table::{self, Outcome, Table};
use super::{Context, handover, live, tenants};
use crate::backend::audit::Action;
use crate::backend::columns::Columns;
use crate::backend::{BackendError, TenantRecord, UserRecord};
use crate::naming;
use crate::records::Record;
use crate::resources::foreign::stable_id;

const KIND: &str = UserRecord::KIND;
/// The resource type the audit log names.
const RESOURCE: &str = UserRecord::RESOURCE;
/// Catalog rows matching `filter`, without looking at the live roles.
async fn catalog_rows(
    client: &impl GenericClient,
    filter: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<(UserRecord, bool)>, BackendError> {
    let rows = table::query_rows::<UserRecord>(client, filter, params).await?;
    rows.iter()
        .map(|row| {
            Ok((
                table::read_record(row)?,
                row.try_get(UserRecord::NAMES.len())?,
            ))
        })
        .collect()
}

/// The record as the live system shows it; `None` when its role is gone.
async fn live_view(
    client: &impl GenericClient,
    record: UserRecord,
    tenant_suspended: bool,
) -> Result<Option<UserRecord>, BackendError> {
    let Some(role) = live::role(client, &record.login).await? else {
        return Ok(None);
    };
    let should_log_in = !tenant_suspended && !record.disabled;
    Ok(Some(UserRecord {
        disabled: record.disabled || (should_log_in && !role.can_login),
        connection_limit: role.connection_limit,
        ..record
    }))
}

pub(super) async fn find_by_login(
    client: &impl GenericClient,
    context: &Context,
    login: &str,
) -> Result<Option<UserRecord>, BackendError> {
    Ok(table::select(client, context, "u.login = $1", &[login])
        .await?
        .pop())
}

/// The schemas of the tenant's databases, for users' `search_path`.
async fn tenant_schemas(
    tx: &Transaction<'_>,
    tenant_id: &str,
) -> Result<Vec<String>, BackendError> {
    let rows = tx
        .query(
            "SELECT schema_name FROM tenant_catalog.databases WHERE tenant_id = $1 ORDER BY name",
            &[&tenant_id],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Points every live user role of the tenant at the tenant's schemas.
pub(super) async fn refresh_search_paths(
    tx: &Transaction<'_>,
    context: &Context,
    tenant_id: &str,
) -> Result<(), BackendError> {
    let schemas = tenant_schemas(tx, tenant_id).await?;
    for user in table::list::<UserRecord>(tx, context, tenant_id).await? {
        roles::set_search_path(tx, &user.login, &schemas).await?;
    }
    Ok(())
}

/// Removes catalog rows whose role no longer exists (dropped out of band), with their grants,
/// so that the planner's re-create does not collide with them.
async fn forget_stale(tx: &Transaction<'_>, record: &UserRecord) -> Result<(), BackendError> {
    let stale = catalog_rows(
        tx,
        "u.id = $1 OR (u.tenant_id = $2 AND u.email = $3) OR u.login = $4",
        &[&record.id, &record.tenant_id, &record.email, &record.login],
    )
    .await?;
    for (row, _) in stale {
        if live::role(tx, &row.login).await?.is_some() {
            continue;
        }
        tx.execute(
            "DELETE FROM tenant_catalog.grants WHERE user_id = $1",
            &[&row.id],
        )
        .await?;
        tx.execute("DELETE FROM tenant_catalog.users WHERE id = $1", &[&row.id])
            .await?;
        table::audit(tx, Action::Delete, Some(&row), None).await?;
    }
    Ok(())
}

/// Whether the catalog lists `login` as a user's login.
pub(super) async fn is_registered_login(
    client: &impl GenericClient,
    login: &str,
) -> Result<bool, BackendError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM tenant_catalog.users WHERE login = $1)",
            &[&login],
        )
        .await?;
    Ok(row.get(0))
}

/// How a user whose email or login is taken is named in the error.
fn login_key(record: &UserRecord) -> String {
    format!("{:?} (login {:?})", record.email, record.login)
}

/// Suspends (no login, sessions ended) or resumes (login for users not disabled) every user
/// of the tenant.
pub(super) async fn apply_tenant_status(
    tx: &Transaction<'_>,
    context: &Context,
    tenant_id: &str,
    suspend: bool,
) -> Result<(), BackendError> {
    for (user, _) in catalog_rows(tx, "u.tenant_id = $1", &[&tenant_id]).await? {
        if live::role(tx, &user.login).await?.is_none() {
            continue;
        }
        roles::take_membership(tx, context, &user.login).await?;
        roles::set_login(tx, &user.login, !suspend && !user.disabled).await?;
        if suspend {
            roles::terminate_sessions(tx, &user.login).await?;
        }
    }
    Ok(())
}

/// The catalog's user `email`, else the login role that the naming rules predict for it,
/// unregistered (an id derived from the login). Only reads.
pub(super) async fn discover(
    client: &impl GenericClient,
    context: &Context,
    tenant_id: &str,
    email: &str,
) -> Result<Option<UserRecord>, BackendError> {
    if let Some(found) = table::find::<UserRecord>(client, context, (tenant_id, email)).await? {
        return Ok(Some(found));
    }
    let Some(tenant) = table::get::<TenantRecord>(client, context, tenant_id).await? else {
        return Ok(None);
    };
    let login = naming::user_login(&tenant.slug, email);
    let Some(role) = live::role(client, &login).await? else {
        return Ok(None);
    };
    Ok(Some(UserRecord {
        id: stable_id("tenant_user", &login),
        tenant_id: tenant_id.to_string(),
        email: email.to_string(),
        role: "member".to_string(),
        disabled: !role.can_login && tenant.status != "suspended",
        login,
        password_hash: String::new(),
        connection_limit: role.connection_limit,
    }))
}

pub(super) async fn create_with_password(
    tx: &Transaction<'_>,
    context: &Context,
    record: &UserRecord,
    password: Option<&str>,
) -> Result<UserRecord, BackendError> {
    let tenant = tenants::lock_live(tx, context, &record.tenant_id).await?;
    forget_stale(tx, record).await?;
    table::insert_row(tx, record, login_key(record)).await?;
    roles::create(
        tx,
        context,
        &NewRole {
            name: &record.login,
            login: !record.disabled && tenant.status != "suspended",
            connection_limit: record.connection_limit,
            password,
        },
        RESOURCE,
    )
    .await?;
    let schemas = tenant_schemas(tx, &record.tenant_id).await?;
    roles::set_search_path(tx, &record.login, &schemas).await?;
    table::audit(tx, Action::Create, None, Some(record)).await?;
    Ok(record.clone())
}

/// Updates `role`, `disabled`, `connection_limit` (and the password when given); identity
/// fields are fixed. A login or limit changed out of band is set back.
pub(super) async fn update_with_password(
    tx: &Transaction<'_>,
    context: &Context,
    record: &UserRecord,
    password: Option<&str>,
) -> Result<UserRecord, BackendError> {
    let missing = || BackendError::NotFound {
        kind: KIND,
        id: record.id.clone(),
    };
    let tenant_id = table::tenant_of::<UserRecord>(tx, &record.id)
        .await?
        .ok_or_else(missing)?;
    lock_tenant(tx, &tenant_id).await?;
    let (before, suspended) = catalog_rows(tx, "u.id = $1", &[&record.id])
        .await?
        .pop()
        .ok_or_else(missing)?;
    let role = live::role(tx, &before.login).await?.ok_or_else(missing)?;
    roles::take_membership(tx, context, &before.login).await?;
    let login = if record.login.is_empty() {
        before.login.clone()
    } else {
        record.login.clone()
    };
    let after = UserRecord {
        login,
        role: record.role.clone(),
        disabled: record.disabled,
        password_hash: record.password_hash.clone(),
        connection_limit: record.connection_limit,
        ..before.clone()
    };
    let updated = [
        "role",
        "disabled",
        "password_hash",
        "connection_limit",
        "login",
    ];
    table::update_columns(tx, &after, &updated).await?;
    if after.login != before.login {
        roles::rename(tx, &before.login, &after.login).await?;
    }
    if role.connection_limit != after.connection_limit {
        roles::set_connection_limit(tx, &after.login, after.connection_limit).await?;
    }
    let can_log_in = !after.disabled && !suspended;
    if can_log_in != role.can_login {
        roles::set_login(tx, &after.login, can_log_in).await?;
    }
    if !can_log_in {
        roles::terminate_sessions(tx, &after.login).await?;
    }
    if let Some(password) = password {
        roles::set_password(tx, &after.login, password).await?;
    }
    table::audit(tx, Action::Update, Some(&before), Some(&after)).await?;
    Ok(after)
}

impl Table for UserRecord {
    const JOIN: &'static str = " u JOIN tenant_catalog.tenants t ON t.id = u.tenant_id";
    const COLUMN_PREFIX: &'static str = "u.";
    const EXTRA_SELECTED: &'static str = ", t.status = 'suspended'";

    /// The record as the live role shows it; `None` when the role is gone.
    async fn live(
        client: &impl GenericClient,
        _context: &Context,
        row: &Row,
    ) -> Outcome<Option<Self>> {
        let suspended = row.try_get(Self::NAMES.len())?;
        live_view(client, table::read_record(row)?, suspended).await
    }

    async fn create(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        create_with_password(tx, context, record, None).await
    }

    async fn update(tx: &Transaction<'_>, context: &Context, record: &Self) -> Outcome<Self> {
        update_with_password(tx, context, record, None).await
    }

    async fn delete(tx: &Transaction<'_>, context: &Context, id: &str) -> Outcome<bool> {
        let Some(tenant_id) = table::tenant_of::<UserRecord>(tx, id).await? else {
            return Ok(false);
        };
        lock_tenant(tx, &tenant_id).await?;
        let Some((before, _)) = catalog_rows(tx, "u.id = $1", &[&id]).await?.pop() else {
            return Ok(false);
        };
        table::check_no_dependents(tx, &before).await?;
        handover::hand_over_owned_schemas(tx, context, &before.login).await?;
        roles::drop_role(tx, context, &before.login).await?;
        table::delete_row(tx, &before).await
    }
}
