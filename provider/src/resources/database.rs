//! The `tenant_database` resource: a database of a tenant. Its schema and owner role names
//! derive from the tenant slug and the database name (see `naming`); the embedded backend
//! keeps one SQLite file per database.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Schema};
use tenantform_proto::value::{AttributePath, Type, Value};

use super::common::{
    Adoption, apply_outcome, backend_failure, check_integer_at_least, check_string, destroy_by_id,
    new_id, plan_with_rules, planned_for_create, read_by_id,
};
use super::import::ImportSpec;
use super::plan::{DefaultValue, PlanRules};
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{Backend, DatabaseRecord};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::naming::{database_owner_role, database_schema, is_valid_identifier};
use crate::values::{Field, int_value, integer_field, object, required_string, string_field};

const RULES: PlanRules = PlanRules {
    defaults: &[("connection_limit", DefaultValue::Integer(-1))],
    forces_replacement: &["tenant_id", "name"],
};

const IMPORT: ImportSpec = ImportSpec {
    what: "tenant database",
    natural_key: "slug/name",
};

/// The `tenant_database` resource type.
pub struct TenantDatabase;

fn schema() -> Schema {
    let attributes = BTreeMap::from([
        ("id".to_string(), Attribute::computed(Type::String).describe("The database's id.")),
        (
            "tenant_id".to_string(),
            Attribute::required(Type::String)
                .describe("The owning tenant's id. Changing it replaces the database."),
        ),
        (
            "name".to_string(),
            Attribute::required(Type::String).describe(
                "Name within the tenant, `^[a-z][a-z0-9_]{0,62}$`. Changing it replaces the database.",
            ),
        ),
        (
            "connection_limit".to_string(),
            Attribute::optional_computed(Type::Number)
                .describe("Maximum concurrent connections; -1 (default) means unlimited."),
        ),
        (
            "schema".to_string(),
            Attribute::computed(Type::String).describe("The schema name, tenant_<slug>_<name>."),
        ),
        (
            "owner_role".to_string(),
            Attribute::computed(Type::String).describe("The NOLOGIN role owning the schema."),
        ),
        (
            "connection_uri".to_string(),
            Attribute::computed(Type::String)
                .sensitive()
                .describe("Where to connect to the database."),
        ),
    ]);
    Schema {
        version: 0,
        block: Block {
            attributes,
            description: "A database of a tenant.".to_string(),
            ..Block::default()
        },
    }
}

fn label(state: &Value) -> String {
    format!(
        "tenant database {:?}",
        string_field(state, "name").known().unwrap_or_default()
    )
}

/// The state value of a database record.
pub fn record_to_value(record: &DatabaseRecord) -> Value {
    object([
        ("id", Value::string(&record.id)),
        ("tenant_id", Value::string(&record.tenant_id)),
        ("name", Value::string(&record.name)),
        ("connection_limit", int_value(record.connection_limit)),
        ("schema", Value::string(&record.schema)),
        ("owner_role", Value::string(&record.owner_role)),
        ("connection_uri", Value::string(&record.connection_uri)),
    ])
}

fn planned_connection_limit(planned: &Value) -> Result<i64, Diagnostic> {
    integer_field(planned, "connection_limit")
        .known()
        .flatten()
        .ok_or_else(|| {
            Diagnostic::error(
                "Invalid planned tenant database",
                "connection_limit is not a known whole number",
            )
        })
}

impl TenantDatabase {
    fn create_or_adopt(
        &self,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<DatabaseRecord, Diagnostic> {
        let failure =
            |error| backend_failure(format!("Failed to create {}", label(planned)), &error);
        let invalid = |detail: String| Diagnostic::error("Invalid planned tenant database", detail);
        let tenant_id = required_string(planned, "tenant_id").map_err(invalid)?;
        let name = required_string(planned, "name").map_err(invalid)?;
        let connection_limit = planned_connection_limit(planned)?;
        if let Some(id) = string_field(planned, "id").known()
            && let Some(existing) = backend.databases().get(&id).map_err(failure)?
        {
            return backend
                .databases()
                .update(&DatabaseRecord {
                    connection_limit,
                    ..existing
                })
                .map_err(failure);
        }
        let tenant = backend
            .tenants()
            .get(&tenant_id)
            .map_err(failure)?
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Failed to create {}", label(planned)),
                    format!("Tenant {tenant_id:?} does not exist."),
                )
                .at("tenant_id")
            })?;
        let record = DatabaseRecord {
            id: new_id(),
            schema: database_schema(&tenant.slug, &name),
            owner_role: database_owner_role(&tenant.slug, &name),
            tenant_id,
            name,
            connection_limit,
            connection_uri: String::new(),
        };
        backend.databases().create(&record).map_err(failure)
    }

    fn update(
        &self,
        prior: &Value,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<DatabaseRecord, Diagnostic> {
        let failure =
            |error| backend_failure(format!("Failed to update {}", label(planned)), &error);
        let id = string_field(prior, "id").known().unwrap_or_default();
        let existing = backend
            .databases()
            .get(&id)
            .map_err(failure)?
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Failed to update {}", label(planned)),
                    "The database no longer exists; refresh and plan again to re-create it.",
                )
            })?;
        let connection_limit = planned_connection_limit(planned)?;
        backend
            .databases()
            .update(&DatabaseRecord {
                connection_limit,
                ..existing
            })
            .map_err(failure)
    }
}

impl ResourceType for TenantDatabase {
    fn type_name(&self) -> &'static str {
        "tenant_database"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        check_string(
            config,
            "name",
            is_valid_identifier,
            "a database name is 1 to 63 lower-case letters, digits and underscores, starting \
             with a letter",
            AttributePath::attr("name"),
            &mut diagnostics,
        );
        check_integer_at_least(config, "connection_limit", -1, &mut diagnostics);
        diagnostics
    }

    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput {
        let validation = self.validate(input.config);
        plan_with_rules(&schema(), &RULES, input, validation, |planned| {
            let (Some(backend), Field::Known(tenant_id), Field::Known(name)) = (
                backend,
                string_field(planned, "tenant_id"),
                string_field(planned, "name"),
            ) else {
                return Ok(None);
            };
            Ok(backend
                .databases()
                .find((&tenant_id, &name))?
                .map(|existing| Adoption {
                    id: existing.id,
                    label: format!("tenant database {name:?}"),
                }))
        })
    }

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput {
        if input.planned.is_null() {
            return destroy_by_id(
                input.prior,
                format!("Failed to delete {}", label(input.prior)),
                |id| backend.databases().delete(id),
            );
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
            format!("Failed to read {}", label(state)),
            |id| backend.databases().get(id),
            record_to_value,
        )
    }

    /// Imports by id, or by `slug/name`, discovering a database the catalog does not list yet.
    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        IMPORT.import(
            id,
            backend,
            |id| backend.databases().get(id),
            |tenant, rest| backend.discover_database(&tenant.id, rest[0]),
            record_to_value,
        )
    }
}
