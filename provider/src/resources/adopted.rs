//! The foreign-naming hooks of `tenant`, `tenant_database` and `tenant_user` (see
//! `super::foreign`): the record a foreign import id names, the live view of an imported
//! object the catalog does not list yet, and its registration.
//!
//! What a platform without the catalog never had gets a default: an adopted tenant is
//! named by its slug, `standard`, in the default region, active, unprotected, kept 30 days;
//! a database is named after its schema; a user's email is `ROLE@SLUG.adopted.invalid`
//! (RFC 2606's reserved domain) and its role `member`.

use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};
use tenantform_proto::value::Value;

use super::common::backend_failure;
use super::foreign::{
    ForeignId, ForeignKind, foreign_objects, import_failure, missing, parse_foreign_id, stable_id,
    tenant_id_for, tenantless_id,
};
use super::tenant::DEFAULT_REGION;
use crate::backend::{
    Backend, BackendError, DatabaseRecord, TenantRecord, UserRecord, now_rfc3339,
};
use crate::naming::is_valid_slug;
use crate::values::{required_string, string_field};

/// `id` parsed when it is a foreign id of `kind`.
fn foreign_id(id: &str, kind: ForeignKind) -> Option<ForeignId<'_>> {
    parse_foreign_id(id).filter(|parsed| parsed.kind == kind)
}

fn corrupt_state(what: &str, error: String) -> Diagnostics {
    Diagnostic::error(format!("Invalid state of adopted {what}"), error).into()
}

/// The tenant `SLUG/schema:NAME` adopts: the catalog's tenant of that slug, else a new one
/// with defaults, when schema NAME exists.
pub(super) fn import_tenant(
    id: &str,
    backend: &dyn Backend,
) -> Option<Result<(TenantRecord, bool), Diagnostics>> {
    if let Some(refusal) = tenantless_id(id, "tenant") {
        return Some(Err(refusal));
    }
    let parsed = foreign_id(id, ForeignKind::Schema)?;
    Some(adopt_tenant(id, &parsed, backend))
}

fn adopt_tenant(
    id: &str,
    parsed: &ForeignId<'_>,
    backend: &dyn Backend,
) -> Result<(TenantRecord, bool), Diagnostics> {
    let foreign = foreign_objects(backend, "Import id \"SLUG/schema:NAME\"")?;
    let failure = |error| import_failure("tenant", &error);
    if let Some(tenant) = backend.tenants().find(parsed.slug).map_err(failure)? {
        return Ok((tenant, true));
    }
    if foreign.schema(parsed.name).map_err(failure)?.is_none() {
        return Err(missing("tenant", id, &format!("schema {:?}", parsed.name)));
    }
    Ok((default_tenant(parsed.slug), false))
}

fn default_tenant(slug: &str) -> TenantRecord {
    TenantRecord {
        id: stable_id("tenant", slug),
        slug: slug.to_string(),
        display_name: slug.to_string(),
        tier: "standard".to_string(),
        region: DEFAULT_REGION.to_string(),
        labels: None,
        status: "active".to_string(),
        deletion_protection: false,
        retention_days: 30,
        contacts: Vec::new(),
        created_at: String::new(),
    }
}

/// An unregistered tenant exists only in the state until its registration.
pub(super) fn register_tenant(
    record: &TenantRecord,
    backend: &dyn Backend,
) -> Result<TenantRecord, Diagnostic> {
    let registered = TenantRecord {
        created_at: now_rfc3339(),
        ..record.clone()
    };
    let failure = |error| {
        backend_failure(
            format!("Failed to register tenant {:?}", record.slug),
            &error,
        )
    };
    match backend.tenants().create(&registered) {
        // A database or user of the tenant registered it meanwhile, with its defaults: the
        // update that follows sets the configured values.
        Err(BackendError::AlreadyExists { .. }) => backend
            .tenants()
            .get(&record.id)
            .map_err(failure)?
            .ok_or_else(|| {
                failure(BackendError::NotFound {
                    kind: "tenant",
                    id: record.id.clone(),
                })
            }),
        other => other.map_err(failure),
    }
}

/// The adopted tenant (with defaults) whose stable id is `tenant_id`, found among the
/// valid slugs the `names` of one of its objects contain (an adopted object's names hold
/// its tenant's slug: the schema pattern's `slug` group is part of the schema name, an
/// adopted email's domain is `SLUG.adopted.invalid`). `None` when no slug gives that id.
pub(super) fn adopted_tenant_of(tenant_id: &str, names: &[&str]) -> Option<TenantRecord> {
    names
        .iter()
        .flat_map(|name| slug_candidates(name))
        .find(|slug| stable_id("tenant", slug) == tenant_id)
        .map(default_tenant)
}

/// Every substring of `name` that is a valid slug.
fn slug_candidates(name: &str) -> impl Iterator<Item = &str> {
    let bounds: Vec<usize> = name
        .char_indices()
        .map(|(index, _)| index)
        .chain(std::iter::once(name.len()))
        .collect();
    let pairs: Vec<(usize, usize)> = bounds
        .iter()
        .enumerate()
        .flat_map(|(n, start)| bounds[n + 1..].iter().map(move |end| (*start, *end)))
        .collect();
    pairs
        .into_iter()
        .filter_map(move |(start, end)| name.get(start..end))
        .filter(|slug| is_valid_slug(slug))
}

/// The database `SLUG/schema:NAME` adopts: the catalog's, else the live schema's.
pub(super) fn import_database(
    id: &str,
    backend: &dyn Backend,
) -> Option<Result<(DatabaseRecord, bool), Diagnostics>> {
    if let Some(refusal) = tenantless_id(id, "tenant database") {
        return Some(Err(refusal));
    }
    let parsed = foreign_id(id, ForeignKind::Schema)?;
    Some(adopt_database(id, &parsed, backend))
}

fn adopt_database(
    id: &str,
    parsed: &ForeignId<'_>,
    backend: &dyn Backend,
) -> Result<(DatabaseRecord, bool), Diagnostics> {
    let foreign = foreign_objects(backend, "Import id \"SLUG/schema:NAME\"")?;
    let failure = |error| import_failure("tenant database", &error);
    let tenant_id = tenant_id_for(backend, parsed.slug).map_err(failure)?;
    if let Some(found) = backend
        .databases()
        .find((tenant_id.as_str(), parsed.name))
        .map_err(failure)?
    {
        return Ok((found, true));
    }
    let Some(schema) = foreign.schema(parsed.name).map_err(failure)? else {
        return Err(missing(
            "tenant database",
            id,
            &format!("schema {:?}", parsed.name),
        ));
    };
    Ok((
        DatabaseRecord {
            id: stable_id("tenant_database", parsed.name),
            tenant_id,
            name: parsed.name.to_string(),
            connection_limit: schema.owner_connection_limit,
            schema: schema.name,
            owner_role: schema.owner,
            connection_uri: String::new(),
        },
        false,
    ))
}

/// The live schema an unregistered database state names.
pub(super) fn read_database(
    state: &Value,
    backend: &dyn Backend,
) -> Result<Option<DatabaseRecord>, Diagnostics> {
    let foreign = foreign_objects(backend, "An unregistered tenant_database")?;
    let fields = || -> Result<(String, String, String, String), String> {
        Ok((
            required_string(state, "id")?,
            required_string(state, "tenant_id")?,
            required_string(state, "name")?,
            required_string(state, "schema")?,
        ))
    };
    let (id, tenant_id, name, schema) =
        fields().map_err(|e| corrupt_state("tenant database", e))?;
    let live = foreign
        .schema(&schema)
        .map_err(|error| import_failure("tenant database", &error))?;
    Ok(live.map(|live| DatabaseRecord {
        id,
        tenant_id,
        name,
        connection_limit: live.owner_connection_limit,
        schema: live.name,
        owner_role: live.owner,
        connection_uri: string_field(state, "connection_uri")
            .known()
            .unwrap_or_default(),
    }))
}

pub(super) fn register_database(
    record: &DatabaseRecord,
    backend: &dyn Backend,
) -> Result<DatabaseRecord, Diagnostic> {
    let label = format!("Failed to register tenant database {:?}", record.name);
    let foreign = foreign_objects(backend, "An unregistered tenant_database")
        .map_err(|_| super::foreign::embedded_refusal("An unregistered tenant_database"))?;
    let tenant = adopted_tenant_of(
        &record.tenant_id,
        &[&record.schema, &record.name, &record.owner_role],
    );
    foreign
        .register_database(record, tenant.as_ref())
        .map_err(|error| backend_failure(label, &error))
}

/// The user `SLUG/role:NAME` adopts: the catalog's user with that login, else the live
/// role's.
pub(super) fn import_user(
    id: &str,
    backend: &dyn Backend,
) -> Option<Result<(UserRecord, bool), Diagnostics>> {
    if let Some(refusal) = tenantless_id(id, "tenant user") {
        return Some(Err(refusal));
    }
    let parsed = foreign_id(id, ForeignKind::Role)?;
    Some(adopt_user(id, &parsed, backend))
}

fn adopt_user(
    id: &str,
    parsed: &ForeignId<'_>,
    backend: &dyn Backend,
) -> Result<(UserRecord, bool), Diagnostics> {
    let foreign = foreign_objects(backend, "Import id \"SLUG/role:NAME\"")?;
    let failure = |error| import_failure("tenant user", &error);
    if let Some(found) = backend
        .users()
        .find_by_login(parsed.name)
        .map_err(failure)?
    {
        return Ok((found, true));
    }
    let tenant_id = tenant_id_for(backend, parsed.slug).map_err(failure)?;
    let Some(role) = foreign.role(parsed.name).map_err(failure)? else {
        return Err(missing(
            "tenant user",
            id,
            &format!("role {:?}", parsed.name),
        ));
    };
    Ok((
        UserRecord {
            id: stable_id("tenant_user", parsed.name),
            tenant_id,
            email: adopted_email(parsed.slug, parsed.name),
            role: "member".to_string(),
            disabled: !role.can_login,
            login: role.name,
            connection_limit: role.connection_limit,
            password_hash: String::new(),
        },
        false,
    ))
}

/// The email an adopted role gets: `ROLE@SLUG.adopted.invalid`.
pub(super) fn adopted_email(slug: &str, role: &str) -> String {
    format!("{}@{slug}.adopted.invalid", role.to_ascii_lowercase())
}

/// The live role an unregistered user state names.
pub(super) fn read_user(
    state: &Value,
    backend: &dyn Backend,
) -> Result<Option<UserRecord>, Diagnostics> {
    let foreign = foreign_objects(backend, "An unregistered tenant_user")?;
    let fields = || -> Result<(String, String, String, String, String), String> {
        Ok((
            required_string(state, "id")?,
            required_string(state, "tenant_id")?,
            required_string(state, "email")?,
            required_string(state, "role")?,
            required_string(state, "login")?,
        ))
    };
    let (id, tenant_id, email, role, login) =
        fields().map_err(|e| corrupt_state("tenant user", e))?;
    let live = foreign
        .role(&login)
        .map_err(|error| import_failure("tenant user", &error))?;
    Ok(live.map(|live| UserRecord {
        id,
        tenant_id,
        email,
        role,
        disabled: !live.can_login,
        login: live.name,
        connection_limit: live.connection_limit,
        password_hash: String::new(),
    }))
}

pub(super) fn register_user(
    record: &UserRecord,
    backend: &dyn Backend,
) -> Result<UserRecord, Diagnostic> {
    let label = format!("Failed to register tenant user {:?}", record.email);
    let foreign = foreign_objects(backend, "An unregistered tenant_user")
        .map_err(|_| super::foreign::embedded_refusal("An unregistered tenant_user"))?;
    let tenant = adopted_tenant_of(&record.tenant_id, &[&record.email, &record.login]);
    foreign
        .register_user(record, tenant.as_ref())
        .map_err(|error| backend_failure(label, &error))
}

/// The tenant record an unregistered tenant state holds.
pub(super) fn read_tenant(state: &Value) -> Result<TenantRecord, Diagnostics> {
    super::tenant::record_from_state(state).map_err(|e| corrupt_state("tenant", e))
}

#[cfg(test)]
mod tests;
