//! [`Kind`]: what is particular to one managed resource type (its schema, validation, the
//! mapping between its state value and its record, its import key, and the hooks for
//! generated secrets, protection and plan rules). [`super::managed::Managed`] turns any kind
//! into a full resource type.

use tenantform_proto::schema::Schema;
use tenantform_proto::value::Value;

use super::PlanOutput;
use super::checks::{Check, run_checks};
use super::common::backend_failure;
use super::import::ImportSpec;
use super::plan::PlanRules;
use super::state::record_state;
use crate::backend::{Backend, BackendError, Store, TenantRecord};
use crate::records::{KeyParts, Record};
use crate::schemas::schema_from_json;
use crate::values::string_field;
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// One managed resource type, described by what sets it apart.
pub trait Kind: Send + Sync + 'static {
    type Record: Record;

    /// The full type name, e.g. `tenant_database`: the resource type the record names.
    const TYPE_NAME: &'static str = <Self::Record as Record>::RESOURCE;
    /// How the type is imported; its `what` also names objects in messages.
    const IMPORT: ImportSpec;
    const RULES: PlanRules;
    /// The attribute whose value names an object in messages (`tenant database "main"`);
    /// `None` when the type's name alone does.
    const LABEL_ATTRIBUTE: Option<&'static str>;
    /// The planned attributes that form the record's natural key, in key order.
    const KEY_ATTRIBUTES: &'static [&'static str];
    /// What an update of a vanished object calls it ("The database no longer exists"); `None`
    /// when the update goes ahead and the backend reports the object missing.
    const NOUN: Option<&'static str>;
    /// The verb of a failed destroy: `Failed to delete ...`.
    const DESTROY_VERB: &'static str = "delete";
    /// The attribute holding a secret generated on create; kept from the prior state after.
    const SECRET_ATTRIBUTE: Option<&'static str> = None;

    /// Whether the type has the computed `registered` attribute: objects of it can be
    /// imported from live objects the catalog does not list (see `super::foreign`).
    const TRACKS_REGISTRATION: bool = false;
    /// Computed attributes the registering apply sets (unknown in the plan that registers).
    const REGISTRATION_COMPUTES: &'static [&'static str] = &[];

    /// The schema, as provider-schema JSON.
    const SCHEMA_JSON: &'static str;
    /// The checks of the configuration's attributes, in the order they report.
    const CHECKS: &'static [Check] = &[];

    fn schema() -> Schema {
        schema_from_json(Self::SCHEMA_JSON)
    }
    /// Checks the configuration: [`Kind::CHECKS`], then [`Kind::check_more`]. Unknown values
    /// are skipped.
    fn validate(config: &Value) -> Diagnostics {
        let mut diagnostics = run_checks(config, Self::CHECKS);
        Self::check_more(config, &mut diagnostics);
        diagnostics
    }
    /// Checks that a table of [`Check`]s cannot express.
    fn check_more(config: &Value, diagnostics: &mut Diagnostics) {
        let _ = (config, diagnostics);
    }
    fn store(backend: &dyn Backend) -> &dyn Store<Self::Record>;
    /// The state value of a record, without the secret attribute: by default the record's
    /// fields that the schema declares (see [`record_state`]).
    fn to_value(record: &Self::Record) -> Value {
        record_state(&Self::schema(), record, Self::SECRET_ATTRIBUTE)
    }

    /// The record a planned create makes, with a fresh id.
    fn new_record(planned: &Value, backend: &dyn Backend) -> Result<Self::Record, Diagnostic>;
    /// `existing` with the planned in-place changes.
    fn updated(existing: Self::Record, planned: &Value) -> Result<Self::Record, Diagnostic>;
    /// Finds the record of an import id's natural key, given its tenant and the other parts.
    /// By default the live record whose natural key is the tenant's id and then `rest`.
    fn import_by_key(
        backend: &dyn Backend,
        tenant: &TenantRecord,
        rest: &[&str],
    ) -> Result<Option<Self::Record>, BackendError> {
        let parts: Vec<&str> = std::iter::once(tenant.id.as_str())
            .chain(rest.iter().copied())
            .collect();
        match KeyParts::from_parts(&parts) {
            Some(key) => Self::store(backend).find(key),
            None => Ok(None),
        }
    }

    /// The object a foreign import id (`SLUG/schema:NAME`, `SLUG/role:NAME`) names, and
    /// whether the catalog lists it; `None` when `id` has no foreign form this type takes.
    /// Reads only.
    fn import_foreign(
        id: &str,
        backend: &dyn Backend,
    ) -> Option<Result<(Self::Record, bool), Diagnostics>> {
        let _ = (id, backend);
        None
    }
    /// The live object an unregistered `state` describes; `None` once it is gone.
    fn read_unregistered(
        state: &Value,
        backend: &dyn Backend,
    ) -> Result<Option<Self::Record>, Diagnostics> {
        let _ = (state, backend);
        Ok(None)
    }
    /// Writes the catalog row of an unregistered object, as it is live, under its id.
    fn register(record: &Self::Record, backend: &dyn Backend) -> Result<Self::Record, Diagnostic> {
        let _ = (record, backend);
        Err(Diagnostic::error(
            format!("Cannot register {}", Self::IMPORT.what),
            format!(
                "{} objects are never imported unregistered.",
                Self::IMPORT.what
            ),
        ))
    }

    /// A new secret for a create, for kinds with a [`Kind::SECRET_ATTRIBUTE`].
    fn generate_secret() -> Option<String> {
        None
    }
    /// `record` keeping (a hash of) a newly generated `secret`.
    fn with_secret(record: Self::Record, secret: &str) -> Self::Record {
        let _ = secret;
        record
    }
    /// Stores a new record (`existing` false) or an update; `secret` is the plaintext of a
    /// newly generated secret.
    fn save(
        backend: &dyn Backend,
        record: &Self::Record,
        existing: bool,
        secret: Option<&str>,
    ) -> Result<Self::Record, BackendError> {
        let _ = secret;
        let store = Self::store(backend);
        if existing {
            store.update(record)
        } else {
            store.create(record)
        }
    }
    /// The record as the new state shows it after an apply whose prior state is `prior`.
    fn applied(record: Self::Record, prior: &Value) -> Self::Record {
        let _ = prior;
        record
    }
    /// Whether an existing object with the planned natural key may be adopted.
    fn adoptable(planned: &Value, existing: &Self::Record) -> bool {
        let _ = (planned, existing);
        true
    }
    /// Refuses a destroy of the object `prior` describes.
    fn check_destroy(prior: &Value) -> Result<(), Diagnostic> {
        let _ = prior;
        Ok(())
    }
    /// Adds the kind's own findings to a finished plan.
    fn review_plan(prior: &Value, output: &mut PlanOutput) {
        let _ = (prior, output);
    }

    /// How an object is named in messages, e.g. `tenant database "main"`.
    fn label(state: &Value) -> String {
        match Self::LABEL_ATTRIBUTE {
            Some(name) => format!(
                "{} {:?}",
                Self::IMPORT.what,
                string_field(state, name).known().unwrap_or_default()
            ),
            None => Self::IMPORT.what.to_string(),
        }
    }

    /// The error of an update whose object `id` is gone.
    fn missing_on_update(planned: &Value, id: &str) -> Diagnostic {
        let summary = format!("Failed to update {}", Self::label(planned));
        match Self::NOUN {
            Some(noun) => Diagnostic::error(
                summary,
                format!("The {noun} no longer exists; refresh and plan again to re-create it."),
            ),
            None => backend_failure(summary, &Self::Record::not_found(id)),
        }
    }
}
