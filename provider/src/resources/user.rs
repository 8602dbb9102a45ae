//! The `tenant_user` resource: a login of a tenant. The password is generated on create (and
//! when an existing user is adopted), returned once in the new state and stored only hashed;
//! updates keep it.

use tenantform_proto::value::Value;

use super::adopted;
use super::checks::Check;
use super::common::{new_id, planned_tenant};
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::{DefaultValue, PlanRules};
use crate::backend::{Backend, BackendError, Store, TenantRecord, UserRecord};
use crate::naming::{disambiguated_user_login, is_valid_email, is_valid_identifier, user_login};
use crate::secrets::{generate_password, hash_password};
use crate::values::{bool_field, integer_field, required_string, string_field};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

pub(super) const ROLES: &[&str] = &["admin", "member", "viewer"];

/// The `tenant_user` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct UserKind;

struct PlannedUser {
    tenant_id: String,
    email: String,
    role: String,
    disabled: bool,
    connection_limit: i64,
}

fn planned_user(planned: &Value) -> Result<PlannedUser, Diagnostic> {
    let invalid = |detail: String| Diagnostic::error("Invalid planned tenant user", detail);
    Ok(PlannedUser {
        tenant_id: required_string(planned, "tenant_id").map_err(invalid)?,
        email: required_string(planned, "email").map_err(invalid)?,
        role: required_string(planned, "role").map_err(invalid)?,
        disabled: bool_field(planned, "disabled")
            .known()
            .ok_or_else(|| invalid("disabled is not a known bool".to_string()))?,
        connection_limit: integer_field(planned, "connection_limit")
            .known()
            .flatten()
            .ok_or_else(|| invalid("connection_limit is not a known whole number".to_string()))?,
    })
}

impl Kind for UserKind {
    type Record = UserRecord;
    const IMPORT: ImportSpec = ImportSpec::new("tenant user", "slug/email");
    const RULES: PlanRules = PlanRules {
        defaults: &[
            ("disabled", DefaultValue::Bool(false)),
            ("connection_limit", DefaultValue::Integer(-1)),
        ],
        forces_replacement: &["tenant_id", "email"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = Some("email");
    const KEY_ATTRIBUTES: &'static [&'static str] = &["tenant_id", "email"];
    const NOUN: Option<&'static str> = Some("user");
    const SECRET_ATTRIBUTE: Option<&'static str> = Some("password");
    const TRACKS_REGISTRATION: bool = true;

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant_user.json");

    const CHECKS: &'static [Check] = &[
        Check::Form(
            "email",
            is_valid_email,
            "expected an email address such as jane@example.com",
        ),
        Check::OneOf("role", ROLES),
        Check::AtLeast("connection_limit", -1),
        Check::Form(
            "login",
            is_valid_identifier,
            "a login is 1 to 63 lower-case letters, digits and underscores, starting with a \
             letter",
        ),
    ];

    fn store(backend: &dyn Backend) -> &dyn Store<UserRecord> {
        backend.users()
    }

    /// The login derives from the tenant's slug and the email, disambiguated when another
    /// user holds it already.
    fn new_record(planned: &Value, backend: &dyn Backend) -> Result<UserRecord, Diagnostic> {
        let user = planned_user(planned)?;
        let tenant = planned_tenant(backend, &user.tenant_id, Self::label(planned))?;
        if let Some(login) = string_field(planned, "login").known() {
            return Ok(new_user(user, login));
        }
        let mut login = user_login(&tenant.slug, &user.email);
        let taken = backend.users().find_by_login(&login).map_err(|error| {
            super::common::backend_failure(
                format!("Failed to create {}", Self::label(planned)),
                &error,
            )
        })?;
        if taken.is_some() {
            login = disambiguated_user_login(&tenant.slug, &user.email);
        }
        Ok(new_user(user, login))
    }

    /// Role, disabled, connection limit and the login's name (a rename) change in place.
    fn updated(existing: UserRecord, planned: &Value) -> Result<UserRecord, Diagnostic> {
        let user = planned_user(planned)?;
        let login = string_field(planned, "login").known();
        Ok(UserRecord {
            login: login.unwrap_or(existing.login.clone()),
            role: user.role,
            disabled: user.disabled,
            connection_limit: user.connection_limit,
            ..existing
        })
    }

    /// Discovers a login the catalog does not list yet.
    fn import_by_key(
        backend: &dyn Backend,
        tenant: &TenantRecord,
        rest: &[&str],
    ) -> Result<Option<UserRecord>, BackendError> {
        backend.discover_user(&tenant.id, rest[0])
    }

    fn import_foreign(
        id: &str,
        backend: &dyn Backend,
    ) -> Option<Result<(UserRecord, bool), Diagnostics>> {
        adopted::import_user(id, backend)
    }

    fn read_unregistered(
        state: &Value,
        backend: &dyn Backend,
    ) -> Result<Option<UserRecord>, Diagnostics> {
        adopted::read_user(state, backend)
    }

    fn register(record: &UserRecord, backend: &dyn Backend) -> Result<UserRecord, Diagnostic> {
        adopted::register_user(record, backend)
    }

    fn generate_secret() -> Option<String> {
        Some(generate_password())
    }

    fn with_secret(record: UserRecord, secret: &str) -> UserRecord {
        UserRecord {
            password_hash: hash_password(secret),
            ..record
        }
    }

    /// A new password also becomes the login role's password verifier.
    fn save(
        backend: &dyn Backend,
        record: &UserRecord,
        existing: bool,
        secret: Option<&str>,
    ) -> Result<UserRecord, BackendError> {
        let users = backend.users();
        if existing
            && backend.foreign().is_none()
            && let Some(before) = users.get(&record.id)?
            && before.login != record.login
        {
            return Err(BackendError::InvalidReference(format!(
                "renaming login {:?} to {:?} needs the postgres backend; the embedded SQLite \
                 backend keeps its logins",
                before.login, record.login
            )));
        }
        match (existing, secret) {
            (false, Some(password)) => users.create_with_password(record, password),
            (false, None) => users.create(record),
            (true, Some(password)) => users.update_with_password(record, password),
            (true, None) => users.update(record),
        }
    }
}

/// The record of a new user with `login`.
fn new_user(user: PlannedUser, login: String) -> UserRecord {
    UserRecord {
        id: new_id(),
        tenant_id: user.tenant_id,
        email: user.email,
        role: user.role,
        disabled: user.disabled,
        connection_limit: user.connection_limit,
        login,
        password_hash: String::new(),
    }
}
