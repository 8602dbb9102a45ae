//! The `tenant_grant` resource: privileges of a user on a database of the same tenant.

use std::collections::{BTreeMap, BTreeSet};

use tenantform_proto::schema::{Attribute, Block, Schema};
use tenantform_proto::value::{AttributePath, Type, Value};

use super::common::{
    Adoption, apply_outcome, backend_failure, destroy_by_id, new_id, plan_with_rules,
    planned_for_create, read_by_id,
};
use super::import::ImportSpec;
use super::plan::PlanRules;
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{Backend, BackendError, GrantRecord};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::values::{
    Field, attr, object, required_string, string_field, string_set, string_set_value,
};

pub const PRIVILEGES: &[&str] = &["read", "write", "admin"];

const RULES: PlanRules = PlanRules {
    defaults: &[],
    forces_replacement: &["user_id", "database_id"],
};

/// The `tenant_grant` resource type.
pub struct TenantGrant;

fn schema() -> Schema {
    let attributes = BTreeMap::from([
        (
            "id".to_string(),
            Attribute::computed(Type::String).describe("The grant's id."),
        ),
        (
            "user_id".to_string(),
            Attribute::required(Type::String)
                .describe("The user's id. Changing it replaces the grant."),
        ),
        (
            "database_id".to_string(),
            Attribute::required(Type::String)
                .describe("The database's id. Changing it replaces the grant."),
        ),
        (
            "privileges".to_string(),
            Attribute::required(Type::Set(Box::new(Type::String)))
                .describe("A set of read, write and admin."),
        ),
    ]);
    Schema {
        version: 0,
        block: Block {
            attributes,
            description: "Privileges of a tenant user on a database of the same tenant."
                .to_string(),
            ..Block::default()
        },
    }
}

const LABEL: &str = "tenant grant";
const IMPORT: ImportSpec = ImportSpec {
    what: LABEL,
    natural_key: "slug/email/database-name",
};

/// The state value of a grant record.
pub fn record_to_value(record: &GrantRecord) -> Value {
    object([
        ("id", Value::string(&record.id)),
        ("user_id", Value::string(&record.user_id)),
        ("database_id", Value::string(&record.database_id)),
        ("privileges", string_set_value(&record.privileges)),
    ])
}

fn planned_privileges(planned: &Value) -> BTreeSet<String> {
    string_set(attr(planned, "privileges"))
}

impl TenantGrant {
    fn create_or_adopt(
        &self,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<GrantRecord, Diagnostic> {
        let failure =
            |error: BackendError| backend_failure(format!("Failed to create {LABEL}"), &error);
        let invalid = |detail: String| Diagnostic::error("Invalid planned tenant grant", detail);
        let privileges = planned_privileges(planned);
        if let Some(id) = string_field(planned, "id").known()
            && let Some(existing) = backend.grants().get(&id).map_err(failure)?
        {
            return backend
                .grants()
                .update(&GrantRecord {
                    privileges,
                    ..existing
                })
                .map_err(failure);
        }
        let record = GrantRecord {
            id: new_id(),
            user_id: required_string(planned, "user_id").map_err(invalid)?,
            database_id: required_string(planned, "database_id").map_err(invalid)?,
            privileges,
        };
        backend.grants().create(&record).map_err(failure)
    }

    fn update(
        &self,
        prior: &Value,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<GrantRecord, Diagnostic> {
        let failure =
            |error: BackendError| backend_failure(format!("Failed to update {LABEL}"), &error);
        let id = string_field(prior, "id").known().unwrap_or_default();
        let existing = backend.grants().get(&id).map_err(failure)?.ok_or_else(|| {
            Diagnostic::error(
                format!("Failed to update {LABEL}"),
                "The grant no longer exists; refresh and plan again to re-create it.",
            )
        })?;
        backend
            .grants()
            .update(&GrantRecord {
                privileges: planned_privileges(planned),
                ..existing
            })
            .map_err(failure)
    }
}

impl ResourceType for TenantGrant {
    fn type_name(&self) -> &'static str {
        "tenant_grant"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Value::Set(items) | Value::List(items) = attr(config, "privileges") {
            if items.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        "Invalid value for privileges",
                        "privileges must name at least one of read, write, admin.",
                    )
                    .at("privileges"),
                );
            }
            for item in items {
                if let Value::String(privilege) = item
                    && !PRIVILEGES.contains(&privilege.as_str())
                {
                    diagnostics.push(
                        Diagnostic::error(
                            "Invalid value for privileges",
                            format!(
                                "{privilege:?} is not a privilege; expected read, write or admin."
                            ),
                        )
                        .at_path(AttributePath::attr("privileges")),
                    );
                }
            }
        }
        diagnostics
    }

    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput {
        let validation = self.validate(input.config);
        plan_with_rules(&schema(), &RULES, input, validation, |planned| {
            let (Some(backend), Field::Known(user_id), Field::Known(database_id)) = (
                backend,
                string_field(planned, "user_id"),
                string_field(planned, "database_id"),
            ) else {
                return Ok(None);
            };
            Ok(backend
                .grants()
                .find((&user_id, &database_id))?
                .map(|existing| Adoption {
                    id: existing.id,
                    label: LABEL.to_string(),
                }))
        })
    }

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput {
        if input.planned.is_null() {
            return destroy_by_id(input.prior, format!("Failed to delete {LABEL}"), |id| {
                backend.grants().delete(id)
            });
        }
        let result = if input.prior.is_null() {
            self.create_or_adopt(&planned_for_create(&input), backend)
        } else {
            self.update(input.prior, input.planned, backend)
        };
        apply_outcome(input.prior, result, record_to_value)
    }

    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        read_by_id(
            state,
            format!("Failed to read {LABEL}"),
            |id| backend.grants().get(id),
            record_to_value,
        )
    }

    /// Imports by id, or by `slug/email/database-name`, discovering the user, the database and
    /// the privileges when the catalog does not list them yet.
    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        IMPORT.import(
            id,
            backend,
            |id| backend.grants().get(id),
            |tenant, rest| {
                let Some(user) = backend.discover_user(&tenant.id, rest[0])? else {
                    return Ok(None);
                };
                let Some(database) = backend.discover_database(&tenant.id, rest[1])? else {
                    return Ok(None);
                };
                backend.discover_grant(&user.id, &database.id)
            },
            record_to_value,
        )
    }
}
