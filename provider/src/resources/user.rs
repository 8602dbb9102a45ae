//! The `tenant_user` resource: a login of a tenant. The password is generated on create (and
//! when an existing user is adopted), returned once in the new state and stored only hashed;
//! updates keep it.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Schema};
use tenantform_proto::value::{AttributePath, Type, Value};

use super::common::{
    Adoption, apply_outcome, backend_failure, check_integer_at_least, check_one_of, check_string,
    destroy_by_id, new_id, plan_with_rules, planned_for_create, read_by_id,
};
use super::import::ImportSpec;
use super::plan::{DefaultValue, PlanRules};
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{Backend, BackendError, UserRecord};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::naming::{disambiguated_user_login, is_valid_email, user_login};
use crate::secrets::{generate_password, hash_password};
use crate::values::{
    Field, attr, bool_field, int_value, integer_field, object, required_string, string_field,
};

pub const ROLES: &[&str] = &["admin", "member", "viewer"];

const RULES: PlanRules = PlanRules {
    defaults: &[
        ("disabled", DefaultValue::Bool(false)),
        ("connection_limit", DefaultValue::Integer(-1)),
    ],
    forces_replacement: &["tenant_id", "email"],
};

const IMPORT: ImportSpec = ImportSpec {
    what: "tenant user",
    natural_key: "slug/email",
};

/// The `tenant_user` resource type.
pub struct TenantUser;

fn schema() -> Schema {
    let attributes = BTreeMap::from([
        (
            "id".to_string(),
            Attribute::computed(Type::String).describe("The user's id."),
        ),
        (
            "tenant_id".to_string(),
            Attribute::required(Type::String)
                .describe("The owning tenant's id. Changing it replaces the user."),
        ),
        (
            "email".to_string(),
            Attribute::required(Type::String)
                .describe("The user's email address. Changing it replaces the user."),
        ),
        (
            "role".to_string(),
            Attribute::required(Type::String).describe("admin, member or viewer."),
        ),
        (
            "disabled".to_string(),
            Attribute::optional_computed(Type::Bool)
                .describe("When true the user cannot log in; default false."),
        ),
        (
            "connection_limit".to_string(),
            Attribute::optional_computed(Type::Number).describe(
                "Sessions the user may hold at once; -1 (the default) for no limit. On \
                 PostgreSQL, the login role's CONNECTION LIMIT.",
            ),
        ),
        (
            "login".to_string(),
            Attribute::computed(Type::String).describe("The login name, tenant_<slug>_<user>."),
        ),
        (
            "password".to_string(),
            Attribute::computed(Type::String)
                .sensitive()
                .describe("Generated on create; null after import."),
        ),
    ]);
    Schema {
        version: 0,
        block: Block {
            attributes,
            description: "A user of a tenant.".to_string(),
            ..Block::default()
        },
    }
}

fn label(state: &Value) -> String {
    format!(
        "tenant user {:?}",
        string_field(state, "email").known().unwrap_or_default()
    )
}

/// The state value of a user record with the given password (null when not known).
pub fn record_to_value(record: &UserRecord, password: Value) -> Value {
    object([
        ("id", Value::string(&record.id)),
        ("tenant_id", Value::string(&record.tenant_id)),
        ("email", Value::string(&record.email)),
        ("role", Value::string(&record.role)),
        ("disabled", Value::Bool(record.disabled)),
        ("connection_limit", int_value(record.connection_limit)),
        ("login", Value::string(&record.login)),
        ("password", password),
    ])
}

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

impl TenantUser {
    /// Returns the record and the new plaintext password.
    fn create_or_adopt(
        &self,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<(UserRecord, String), Diagnostic> {
        let failure = |error: BackendError| {
            backend_failure(format!("Failed to create {}", label(planned)), &error)
        };
        let user = planned_user(planned)?;
        let password = generate_password();
        let password_hash = hash_password(&password);
        if let Some(id) = string_field(planned, "id").known()
            && let Some(existing) = backend.users().get(&id).map_err(failure)?
        {
            let updated = backend
                .users()
                .update_with_password(
                    &UserRecord {
                        role: user.role,
                        disabled: user.disabled,
                        connection_limit: user.connection_limit,
                        password_hash,
                        ..existing
                    },
                    &password,
                )
                .map_err(failure)?;
            return Ok((updated, password));
        }
        let tenant = backend
            .tenants()
            .get(&user.tenant_id)
            .map_err(failure)?
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Failed to create {}", label(planned)),
                    format!("Tenant {:?} does not exist.", user.tenant_id),
                )
                .at("tenant_id")
            })?;
        let mut login = user_login(&tenant.slug, &user.email);
        if backend
            .users()
            .find_by_login(&login)
            .map_err(failure)?
            .is_some()
        {
            login = disambiguated_user_login(&tenant.slug, &user.email);
        }
        let record = UserRecord {
            id: new_id(),
            tenant_id: user.tenant_id,
            email: user.email,
            role: user.role,
            disabled: user.disabled,
            connection_limit: user.connection_limit,
            login,
            password_hash,
        };
        let created = backend
            .users()
            .create_with_password(&record, &password)
            .map_err(failure)?;
        Ok((created, password))
    }

    fn update(
        &self,
        prior: &Value,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<UserRecord, Diagnostic> {
        let failure = |error: BackendError| {
            backend_failure(format!("Failed to update {}", label(planned)), &error)
        };
        let user = planned_user(planned)?;
        let id = string_field(prior, "id").known().unwrap_or_default();
        let existing = backend.users().get(&id).map_err(failure)?.ok_or_else(|| {
            Diagnostic::error(
                format!("Failed to update {}", label(planned)),
                "The user no longer exists; refresh and plan again to re-create it.",
            )
        })?;
        backend
            .users()
            .update(&UserRecord {
                role: user.role,
                disabled: user.disabled,
                connection_limit: user.connection_limit,
                ..existing
            })
            .map_err(failure)
    }
}

impl ResourceType for TenantUser {
    fn type_name(&self) -> &'static str {
        "tenant_user"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        check_string(
            config,
            "email",
            is_valid_email,
            "expected an email address such as jane@example.com",
            AttributePath::attr("email"),
            &mut diagnostics,
        );
        check_one_of(
            config,
            "role",
            ROLES,
            AttributePath::attr("role"),
            &mut diagnostics,
        );
        check_integer_at_least(config, "connection_limit", -1, &mut diagnostics);
        diagnostics
    }

    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput {
        let validation = self.validate(input.config);
        plan_with_rules(&schema(), &RULES, input, validation, |planned| {
            let (Some(backend), Field::Known(tenant_id), Field::Known(email)) = (
                backend,
                string_field(planned, "tenant_id"),
                string_field(planned, "email"),
            ) else {
                return Ok(None);
            };
            Ok(backend
                .users()
                .find((&tenant_id, &email))?
                .map(|existing| Adoption {
                    id: existing.id,
                    label: format!("tenant user {email:?}"),
                }))
        })
    }

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput {
        if input.planned.is_null() {
            return destroy_by_id(
                input.prior,
                format!("Failed to delete {}", label(input.prior)),
                |id| backend.users().delete(id),
            );
        }
        let result = if input.prior.is_null() {
            self.create_or_adopt(&planned_for_create(&input), backend)
                .map(|(record, password)| record_to_value(&record, Value::String(password)))
        } else {
            self.update(input.prior, input.planned, backend)
                .map(|record| record_to_value(&record, attr(input.prior, "password").clone()))
        };
        apply_outcome(input.prior, result, Value::clone)
    }

    /// Keeps the password from `state`: the backend holds only its hash.
    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        read_by_id(
            state,
            format!("Failed to read {}", label(state)),
            |id| backend.users().get(id),
            |record| record_to_value(record, attr(state, "password").clone()),
        )
    }

    /// Imports by id, or by `slug/email`, discovering a login the catalog does not list yet.
    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        IMPORT.import(
            id,
            backend,
            |id| backend.users().get(id),
            |tenant, rest| backend.discover_user(&tenant.id, rest[0]),
            |record| record_to_value(record, Value::Null),
        )
    }
}
