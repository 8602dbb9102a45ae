//! Helpers shared by the resource types: validation of enumerations and numbers, mapping
//! backend errors to diagnostics, and the skeleton of plan and apply that every type follows.

use tenantform_proto::value::{AttributePath, PathStep, Value};

use super::plan::{PlanRules, plan_object};
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput};
use crate::backend::{Backend, BackendError, TenantRecord};
use crate::values::{Field, integer_field, string_field};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// A fresh object id.
pub(super) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Checks that a known string attribute is one of `allowed`.
pub(super) fn check_one_of(
    object: &Value,
    name: &str,
    allowed: &[&str],
    path: AttributePath,
    diagnostics: &mut Diagnostics,
) {
    if let Field::Known(value) = string_field(object, name)
        && !allowed.contains(&value.as_str())
    {
        diagnostics.push(
            Diagnostic::error(
                format!("Invalid value for {name}"),
                format!(
                    "{value:?} is not a valid {name}; expected one of: {}.",
                    allowed.join(", ")
                ),
            )
            .at_path(path),
        );
    }
}

/// Checks that a known number attribute is a whole number of at least `minimum`.
pub(super) fn check_integer_at_least(
    object: &Value,
    name: &str,
    minimum: i64,
    diagnostics: &mut Diagnostics,
) {
    match integer_field(object, name) {
        Field::Known(Some(value)) if value >= minimum => {}
        Field::Known(_) => diagnostics.push(
            Diagnostic::error(
                format!("Invalid value for {name}"),
                format!("{name} must be a whole number of at least {minimum}."),
            )
            .at(name),
        ),
        Field::Null | Field::Unknown => {}
    }
}

/// Checks a known string attribute with `is_valid`, explaining the expected form.
pub(super) fn check_string(
    object: &Value,
    name: &str,
    is_valid: fn(&str) -> bool,
    expected: &str,
    path: AttributePath,
    diagnostics: &mut Diagnostics,
) {
    if let Field::Known(value) = string_field(object, name)
        && !is_valid(&value)
    {
        diagnostics.push(
            Diagnostic::error(
                format!("Invalid value for {name}"),
                format!("{value:?} is not valid: {expected}."),
            )
            .at_path(path),
        );
    }
}

/// The path `block[index].name`.
pub(super) fn nested_path(block: &str, index: usize, name: &str) -> AttributePath {
    AttributePath(vec![
        PathStep::Attribute(block.to_string()),
        PathStep::IntKey(index as i64),
        PathStep::Attribute(name.to_string()),
    ])
}

/// An error diagnostic for a failed backend call.
pub(super) fn backend_failure(summary: impl Into<String>, error: &BackendError) -> Diagnostic {
    let detail = match error {
        BackendError::HasDependents { .. } => format!(
            "{error}. Resources are destroyed in reverse dependency order, so this usually means \
             objects outside this configuration still depend on it."
        ),
        _ => error.to_string(),
    };
    Diagnostic::error(summary, detail)
}

/// The id recorded in a state value (empty when absent).
pub(super) fn state_id(state: &Value) -> String {
    string_field(state, "id").known().unwrap_or_default()
}

/// An apply that failed before changing anything: the prior state stands.
pub(super) fn failed_apply(prior: &Value, diagnostic: Diagnostic) -> ApplyOutput {
    ApplyOutput {
        new_state: prior.clone(),
        diagnostics: diagnostic.into(),
    }
}

/// A planned create of an object that turned out to exist in the backend already.
pub(super) struct Adoption {
    pub id: String,
    /// How the object is named in messages, e.g. `tenant "acme"`.
    pub label: String,
}

/// The prefix of the planned private data that names an adoption candidate.
const ADOPTION_PREFIX: &[u8] = b"tenantform-adopt:";

/// The planned private data of a create that adopts the object `id` if it still exists when
/// the create is applied.
pub(super) fn adoption_private(id: &str) -> Vec<u8> {
    [ADOPTION_PREFIX, id.as_bytes()].concat()
}

/// The adoption candidate a plan carried in its private data, if any.
pub(super) fn adoption_candidate(planned_private: &[u8]) -> Option<String> {
    let id = planned_private.strip_prefix(ADOPTION_PREFIX)?;
    String::from_utf8(id.to_vec())
        .ok()
        .filter(|id| !id.is_empty())
}

/// The planned value a create is applied with: the plan's value with the id of the adoption
/// candidate, if the plan carried one. The create adopts that object only if it still exists
/// (see each type's `create_or_adopt`); otherwise a new object is created with a fresh id.
pub(super) fn planned_for_create(input: &ApplyInput<'_>) -> Value {
    let mut planned = input.planned.clone();
    if let Some(id) = adoption_candidate(input.planned_private)
        && let Value::Object(attributes) = &mut planned
    {
        attributes.insert("id".to_string(), Value::string(&id));
    }
    planned
}

/// The common plan flow: destroy is planned as null; create and update follow [`PlanRules`].
/// A create whose natural key already exists names that object as its adoption candidate in
/// the planned private data; its id stays unknown in the plan, because in a replacement the
/// existing object is the one about to be destroyed, and only the apply can tell whether the
/// candidate is still there to adopt.
pub(super) fn plan_with_rules(
    schema: &tenantform_proto::schema::Schema,
    rules: &PlanRules,
    input: PlanInput<'_>,
    validation: Diagnostics,
    find_existing: impl FnOnce(&Value) -> Result<Option<Adoption>, BackendError>,
) -> PlanOutput {
    if input.proposed.is_null() {
        return PlanOutput::default();
    }
    if validation.has_errors() {
        return PlanOutput {
            planned: input.proposed.clone(),
            requires_replace: Vec::new(),
            diagnostics: validation,
            planned_private: Vec::new(),
        };
    }
    let (planned, requires_replace) = plan_object(schema, rules, input.prior, input.config);
    let mut diagnostics = validation;
    let mut planned_private = Vec::new();
    if input.prior.is_null() {
        match find_existing(&planned) {
            Ok(Some(adoption)) => {
                planned_private = adoption_private(&adoption.id);
                diagnostics.push(adoption_warning(&adoption.label));
            }
            Ok(None) => {}
            Err(error) => diagnostics.push(backend_failure(
                "Failed to look for an existing object to adopt",
                &error,
            )),
        }
    }
    PlanOutput {
        planned,
        planned_private,
        requires_replace,
        diagnostics,
    }
}

/// The warning shown when a planned create adopts an existing object.
pub(super) fn adoption_warning(label: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Adopting existing {label}"),
        format!(
            "The {label} exists in the backend but not in the state, for example because an \
             earlier apply was interrupted. If it still exists when the create is applied, it \
             will be adopted and updated in place, not created a second time."
        ),
    )
}

/// The tenant a planned create names by `tenant_id`; `label` names the object being created
/// in the error.
pub(super) fn planned_tenant(
    backend: &dyn Backend,
    tenant_id: &str,
    label: String,
) -> Result<TenantRecord, Diagnostic> {
    let summary = format!("Failed to create {label}");
    backend
        .tenants()
        .get(tenant_id)
        .map_err(|error| backend_failure(summary.clone(), &error))?
        .ok_or_else(|| {
            Diagnostic::error(summary, format!("Tenant {tenant_id:?} does not exist."))
                .at("tenant_id")
        })
}
