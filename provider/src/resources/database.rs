//! The `tenant_database` resource: a database of a tenant. Its schema and owner role names
//! derive from the tenant slug and the database name (see `naming`); the embedded backend
//! keeps one SQLite file per database.

use tenantform_proto::value::Value;

use super::PlanOutput;
use super::adopted;
use super::checks::Check;
use super::common::{new_id, planned_tenant};
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::{DefaultValue, PlanRules};
use crate::backend::{Backend, BackendError, DatabaseRecord, Store, TenantRecord};
use crate::naming::{database_owner_role, database_schema, is_valid_identifier};
use crate::values::{attr, integer_field, required_string, string_field, values_equal};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The `tenant_database` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct DatabaseKind;

fn invalid(detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("Invalid planned tenant database", detail)
}

fn planned_connection_limit(planned: &Value) -> Result<i64, Diagnostic> {
    integer_field(planned, "connection_limit")
        .known()
        .flatten()
        .ok_or_else(|| invalid("connection_limit is not a known whole number"))
}

impl Kind for DatabaseKind {
    type Record = DatabaseRecord;
    const IMPORT: ImportSpec = ImportSpec::new("tenant database", "slug/name");
    const RULES: PlanRules = PlanRules {
        defaults: &[("connection_limit", DefaultValue::Integer(-1))],
        forces_replacement: &["tenant_id", "name"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = Some("name");
    const KEY_ATTRIBUTES: &'static [&'static str] = &["tenant_id", "name"];
    const NOUN: Option<&'static str> = Some("database");

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant_database.json");
    const TRACKS_REGISTRATION: bool = true;
    const REGISTRATION_COMPUTES: &'static [&'static str] = &["connection_uri"];

    const CHECKS: &'static [Check] = &[
        Check::Form(
            "name",
            is_valid_identifier,
            "a database name is 1 to 63 lower-case letters, digits and underscores, starting \
             with a letter",
        ),
        Check::AtLeast("connection_limit", -1),
        Check::Form(
            "schema",
            is_valid_identifier,
            "a schema name is 1 to 63 lower-case letters, digits and underscores, starting \
             with a letter",
        ),
    ];

    fn store(backend: &dyn Backend) -> &dyn Store<DatabaseRecord> {
        backend.databases()
    }

    /// The schema and owner role names derive from the tenant's slug and the name.
    fn new_record(planned: &Value, backend: &dyn Backend) -> Result<DatabaseRecord, Diagnostic> {
        let tenant_id = required_string(planned, "tenant_id").map_err(invalid)?;
        let name = required_string(planned, "name").map_err(invalid)?;
        let connection_limit = planned_connection_limit(planned)?;
        let tenant = planned_tenant(backend, &tenant_id, Self::label(planned))?;
        let schema = string_field(planned, "schema").known();
        Ok(DatabaseRecord {
            id: new_id(),
            schema: schema.unwrap_or_else(|| database_schema(&tenant.slug, &name)),
            owner_role: database_owner_role(&tenant.slug, &name),
            tenant_id,
            name,
            connection_limit,
            connection_uri: String::new(),
        })
    }

    /// The connection limit and the schema's name (a rename) change in place.
    fn updated(existing: DatabaseRecord, planned: &Value) -> Result<DatabaseRecord, Diagnostic> {
        let schema = string_field(planned, "schema").known();
        Ok(DatabaseRecord {
            connection_limit: planned_connection_limit(planned)?,
            schema: schema.unwrap_or(existing.schema.clone()),
            ..existing
        })
    }

    /// A renamed schema has a new connection URI, known once the rename is applied.
    fn review_plan(prior: &Value, output: &mut PlanOutput) {
        let renamed = !prior.is_null()
            && !output.planned.is_null()
            && !values_equal(attr(prior, "schema"), attr(&output.planned, "schema"));
        if renamed && let Value::Object(planned) = &mut output.planned {
            planned.insert("connection_uri".to_string(), Value::Unknown);
        }
    }

    fn import_foreign(
        id: &str,
        backend: &dyn Backend,
    ) -> Option<Result<(DatabaseRecord, bool), Diagnostics>> {
        adopted::import_database(id, backend)
    }

    fn read_unregistered(
        state: &Value,
        backend: &dyn Backend,
    ) -> Result<Option<DatabaseRecord>, Diagnostics> {
        adopted::read_database(state, backend)
    }

    fn register(
        record: &DatabaseRecord,
        backend: &dyn Backend,
    ) -> Result<DatabaseRecord, Diagnostic> {
        adopted::register_database(record, backend)
    }

    /// A rename needs live schemas: the embedded backend refuses it.
    fn save(
        backend: &dyn Backend,
        record: &DatabaseRecord,
        existing: bool,
        _secret: Option<&str>,
    ) -> Result<DatabaseRecord, BackendError> {
        let store = backend.databases();
        if !existing {
            return store.create(record);
        }
        if backend.foreign().is_none()
            && let Some(before) = store.get(&record.id)?
            && before.schema != record.schema
        {
            return Err(BackendError::InvalidReference(format!(
                "renaming schema {:?} to {:?} needs the postgres backend; the embedded SQLite \
                 backend keeps its schema names",
                before.schema, record.schema
            )));
        }
        store.update(record)
    }

    /// Discovers a database the catalog does not list yet.
    fn import_by_key(
        backend: &dyn Backend,
        tenant: &TenantRecord,
        rest: &[&str],
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        backend.discover_database(&tenant.id, rest[0])
    }
}
