//! [`Managed`]: the one implementation of [`ResourceType`], for every [`Kind`]. It owns the
//! flow every type shares: plan rules and adoption, create (or adopt), update, destroy,
//! read and import, and the secret a kind generates on create.

use tenantform_proto::schema::Schema;
use tenantform_proto::value::Value;

use super::common::{
    Adoption, backend_failure, failed_apply, plan_with_rules, planned_for_create, state_id,
};
use super::kind::Kind;
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{Backend, BackendError};
use crate::records::{KeyParts, Record};
use crate::values::{attr, string_field};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The resource type of kind `K`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Managed<K>(pub K);

/// The state value of `record` with the secret attribute, if the kind has one, set to
/// `secret`.
fn state_value<K: Kind>(record: &K::Record, secret: Value) -> Value {
    let mut value = K::to_value(record);
    if let (Some(name), Value::Object(attributes)) = (K::SECRET_ATTRIBUTE, &mut value) {
        attributes.insert(name.to_string(), secret);
    }
    value
}

/// The secret attribute of `state`, or null.
fn secret_of<K: Kind>(state: &Value) -> Value {
    K::SECRET_ATTRIBUTE.map_or(Value::Null, |name| attr(state, name).clone())
}

/// The existing object a planned create would adopt: the live record with the planned
/// natural key, when the key is known and the kind allows it.
fn adoption_candidate<K: Kind>(
    planned: &Value,
    backend: Option<&dyn Backend>,
) -> Result<Option<Adoption>, BackendError> {
    let Some(backend) = backend else {
        return Ok(None);
    };
    let Some(parts) = K::KEY_ATTRIBUTES
        .iter()
        .map(|name| string_field(planned, name).known())
        .collect::<Option<Vec<String>>>()
    else {
        return Ok(None);
    };
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let Some(key) = KeyParts::from_parts(&parts) else {
        return Ok(None);
    };
    Ok(K::store(backend)
        .find(key)?
        .filter(|existing| K::adoptable(planned, existing))
        .map(|existing| Adoption {
            id: existing.id().to_string(),
            label: K::label(planned),
        }))
}

impl<K: Kind> Managed<K> {
    /// Creates the planned object, or adopts the object the plan named when it still exists.
    /// Returns the record and the newly generated secret, if any.
    fn create_or_adopt(
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<(K::Record, Option<String>), Diagnostic> {
        let failure = |error: BackendError| {
            backend_failure(format!("Failed to create {}", K::label(planned)), &error)
        };
        let existing = match string_field(planned, "id").known() {
            Some(id) => K::store(backend).get(&id).map_err(failure)?,
            None => None,
        };
        let adopting = existing.is_some();
        let record = match existing {
            Some(existing) => K::updated(existing, planned)?,
            None => K::new_record(planned, backend)?,
        };
        let secret = K::generate_secret();
        let record = match &secret {
            Some(secret) => K::with_secret(record, secret),
            None => record,
        };
        let saved = K::save(backend, &record, adopting, secret.as_deref()).map_err(failure)?;
        Ok((saved, secret))
    }

    fn update(
        prior: &Value,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<K::Record, Diagnostic> {
        let failure = |error: BackendError| {
            backend_failure(format!("Failed to update {}", K::label(planned)), &error)
        };
        let id = state_id(prior);
        let existing = K::store(backend)
            .get(&id)
            .map_err(failure)?
            .ok_or_else(|| K::missing_on_update(planned, &id))?;
        let record = K::updated(existing, planned)?;
        K::save(backend, &record, true, None).map_err(failure)
    }

    fn destroy(prior: &Value, backend: &dyn Backend) -> ApplyOutput {
        if let Err(refusal) = K::check_destroy(prior) {
            return failed_apply(prior, refusal);
        }
        match K::store(backend).delete(&state_id(prior)) {
            Ok(_) => ApplyOutput::default(),
            Err(error) => {
                let summary = format!("Failed to {} {}", K::DESTROY_VERB, K::label(prior));
                failed_apply(prior, backend_failure(summary, &error))
            }
        }
    }
}

impl<K: Kind> ResourceType for Managed<K> {
    fn type_name(&self) -> &'static str {
        K::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        K::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        K::validate(config)
    }

    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput {
        let validation = K::validate(input.config);
        let mut output = plan_with_rules(&K::schema(), &K::RULES, input, validation, |planned| {
            adoption_candidate::<K>(planned, backend)
        });
        K::review_plan(input.prior, &mut output);
        output
    }

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput {
        if input.planned.is_null() {
            return Self::destroy(input.prior, backend);
        }
        let result = if input.prior.is_null() {
            Self::create_or_adopt(&planned_for_create(&input), backend)
                .map(|(record, secret)| (record, secret.map_or(Value::Null, Value::String)))
        } else {
            Self::update(input.prior, input.planned, backend)
                .map(|record| (record, secret_of::<K>(input.prior)))
        };
        match result {
            Ok((record, secret)) => ApplyOutput {
                new_state: state_value::<K>(&K::applied(record, input.prior), secret),
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostic) => failed_apply(input.prior, diagnostic),
        }
    }

    /// Keeps the secret from `state`: the backend holds only its hash.
    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        match K::store(backend).get(&state_id(state)) {
            Ok(found) => Ok(found.map_or(Value::Null, |record| {
                state_value::<K>(&record, secret_of::<K>(state))
            })),
            Err(error) => {
                let summary = format!("Failed to read {}", K::label(state));
                Err(backend_failure(summary, &error).into())
            }
        }
    }

    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        K::IMPORT.import(
            id,
            backend,
            |id| K::store(backend).get(id),
            |tenant, rest| K::import_by_key(backend, tenant, rest),
            |record| state_value::<K>(record, Value::Null),
        )
    }
}
