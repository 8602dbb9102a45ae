//! Helpers shared by the resource types: validation of enumerations and numbers, mapping
//! backend errors to diagnostics, and the skeleton of plan and apply that every type follows.

use tenantform_proto::value::{AttributePath, PathStep, Value};

use super::plan::{PlanRules, plan_object};
use super::{ApplyOutput, PlanInput, PlanOutput};
use crate::backend::BackendError;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::values::{Field, integer_field, string_field};

/// A fresh object id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Checks that a known string attribute is one of `allowed`.
pub fn check_one_of(
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
pub fn check_integer_at_least(
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
pub fn check_string(
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
pub fn nested_path(block: &str, index: usize, name: &str) -> AttributePath {
    AttributePath(vec![
        PathStep::Attribute(block.to_string()),
        PathStep::IntKey(index as i64),
        PathStep::Attribute(name.to_string()),
    ])
}

/// An error diagnostic for a failed backend call.
pub fn backend_failure(summary: impl Into<String>, error: &BackendError) -> Diagnostic {
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
pub fn state_id(state: &Value) -> String {
    string_field(state, "id").known().unwrap_or_default()
}

/// Destroys the object `prior` describes with `delete`; on failure the prior state stands and
/// the diagnostic's summary is `failure`.
pub fn destroy_by_id(
    prior: &Value,
    failure: String,
    delete: impl FnOnce(&str) -> Result<bool, BackendError>,
) -> ApplyOutput {
    match delete(&state_id(prior)) {
        Ok(_) => ApplyOutput::default(),
        Err(error) => failed_apply(prior, backend_failure(failure, &error)),
    }
}

/// Refreshes `state` by its id with `get`: the record's value, or null once it is gone.
pub fn read_by_id<R>(
    state: &Value,
    failure: String,
    get: impl FnOnce(&str) -> Result<Option<R>, BackendError>,
    to_value: impl FnOnce(&R) -> Value,
) -> Result<Value, Diagnostics> {
    match get(&state_id(state)) {
        Ok(found) => Ok(found.as_ref().map_or(Value::Null, to_value)),
        Err(error) => Err(backend_failure(failure, &error).into()),
    }
}

/// An apply that failed before changing anything: the prior state stands.
pub fn failed_apply(prior: &Value, diagnostic: Diagnostic) -> ApplyOutput {
    ApplyOutput {
        new_state: prior.clone(),
        diagnostics: diagnostic.into(),
    }
}

/// The response to a create or update: the new object's state on success; on failure the
/// prior object is kept, with the diagnostic.
pub fn apply_outcome<R>(
    prior: &Value,
    result: Result<R, Diagnostic>,
    to_value: impl FnOnce(&R) -> Value,
) -> ApplyOutput {
    match result {
        Ok(record) => ApplyOutput {
            new_state: to_value(&record),
            diagnostics: Diagnostics::new(),
        },
        Err(diagnostic) => failed_apply(prior, diagnostic),
    }
}

/// A planned create of an object that turned out to exist in the backend already.
pub struct Adoption {
    pub id: String,
    /// How the object is named in messages, e.g. `tenant "acme"`.
    pub label: String,
}

/// The common plan flow: destroy is planned as null; create and update follow [`PlanRules`];
/// a create whose natural key already exists adopts the existing object's id.
pub fn plan_with_rules(
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
        };
    }
    let (mut planned, requires_replace) = plan_object(schema, rules, input.prior, input.config);
    let mut diagnostics = validation;
    if input.prior.is_null() {
        match find_existing(&planned) {
            Ok(Some(adoption)) => {
                if let Value::Object(attributes) = &mut planned {
                    attributes.insert("id".to_string(), Value::string(&adoption.id));
                }
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
        requires_replace,
        diagnostics,
    }
}

/// The warning shown when a planned create adopts an existing object.
pub fn adoption_warning(label: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Adopting existing {label}"),
        format!(
            "The {label} exists in the backend but not in the state, for example because an \
             earlier apply was interrupted. It will be adopted and updated in place, not \
             created a second time."
        ),
    )
}
