//! [`Managed`]: the one implementation of [`ResourceType`], for every [`Kind`]. It owns the
//! flow every type shares: plan rules and adoption, create (or adopt), update, destroy,
//! read and import, and the secret a kind generates on create.

use tenantform_proto::schema::Schema;
use tenantform_proto::value::Value;

use super::common::{
    Adoption, backend_failure, failed_apply, plan_with_rules, planned_for_create, state_id,
};
use super::foreign::{REGISTERED, is_unregistered};
use super::kind::Kind;
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{Backend, BackendError};
use crate::records::{KeyParts, Record};
use crate::values::{attr, string_field};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The resource type of kind `K`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Managed<K>(pub K);

/// The state value of a catalog `record` with the secret attribute, if the kind has one, set
/// to `secret`.
fn state_value<K: Kind>(record: &K::Record, secret: Value) -> Value {
    state_value_as::<K>(record, secret, true)
}

/// [`state_value`] of a record the catalog lists (`registered`) or not.
fn state_value_as<K: Kind>(record: &K::Record, secret: Value, registered: bool) -> Value {
    let mut value = K::to_value(record);
    if let Value::Object(attributes) = &mut value {
        if let Some(name) = K::SECRET_ATTRIBUTE {
            attributes.insert(name.to_string(), secret);
        }
        if K::TRACKS_REGISTRATION {
            attributes.insert(REGISTERED.to_string(), Value::Bool(registered));
        }
        if !registered {
            // What only the registration sets has no value before it.
            for name in K::REGISTRATION_COMPUTES {
                attributes.insert(name.to_string(), Value::Null);
            }
        }
    }
    value
}

/// An imported state marked as not registered, without what only the registration sets.
fn unregistered_value<K: Kind>(mut value: Value) -> Value {
    if let Value::Object(attributes) = &mut value {
        attributes.insert(REGISTERED.to_string(), Value::Bool(false));
        for name in K::REGISTRATION_COMPUTES {
            attributes.insert(name.to_string(), Value::Null);
        }
    }
    value
}

/// Sets `registered` in a planned create or update: known true for a create, unknown (with
/// what registering computes) for an update that registers an imported object; otherwise
/// the prior value stands (null in a state written before the attribute existed, as
/// Terraform's upgrade of it leaves it, until a refresh reads it).
fn plan_registration<K: Kind>(prior: &Value, output: &mut PlanOutput) {
    if !K::TRACKS_REGISTRATION || output.diagnostics.has_errors() {
        return;
    }
    let registering = is_unregistered(prior) && output.requires_replace.is_empty();
    let Value::Object(planned) = &mut output.planned else {
        return;
    };
    if registering {
        for name in std::iter::once(&REGISTERED).chain(K::REGISTRATION_COMPUTES) {
            planned.insert(name.to_string(), Value::Unknown);
        }
    } else if prior.is_null() {
        planned.insert(REGISTERED.to_string(), Value::Bool(true));
    }
}

/// The new state of an update keeps a null `registered` of its prior state, as planned.
fn keep_unread_registration<K: Kind>(prior: &Value, new_state: &mut Value) {
    let unread = !prior.is_null() && attr(prior, REGISTERED).is_null();
    if K::TRACKS_REGISTRATION
        && unread
        && let Value::Object(attributes) = new_state
    {
        attributes.insert(REGISTERED.to_string(), Value::Null);
    }
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
        let existing = match K::store(backend).get(&id).map_err(failure)? {
            Some(existing) => existing,
            None if is_unregistered(prior) => Self::register(prior, backend)?,
            None => return Err(K::missing_on_update(planned, &id)),
        };
        let record = K::updated(existing, planned)?;
        K::save(backend, &record, true, None).map_err(failure)
    }

    /// Registers the imported object `prior` describes, as it is live now.
    fn register(prior: &Value, backend: &dyn Backend) -> Result<K::Record, Diagnostic> {
        let unreadable = |diagnostics: Diagnostics| {
            let detail = diagnostics
                .iter()
                .map(|d| d.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            Diagnostic::error(format!("Failed to register {}", K::label(prior)), detail)
        };
        let live = K::read_unregistered(prior, backend)
            .map_err(unreadable)?
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Failed to register {}", K::label(prior)),
                    "The imported object no longer exists; refresh and plan again.",
                )
            })?;
        K::register(&live, backend)
    }

    fn destroy(prior: &Value, backend: &dyn Backend) -> ApplyOutput {
        if is_unregistered(prior) && K::NOUN.is_some() {
            let refusal = Diagnostic::error(
                format!("Cannot destroy unregistered {}", K::label(prior)),
                "The object was imported but never registered in the catalog. Apply once to \
                 register it (the plan after the import does), then destroy it; or remove it \
                 from the state with `state rm` to leave it alone.",
            );
            return failed_apply(prior, refusal);
        }
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
        if !input.proposed.is_null() {
            plan_registration::<K>(input.prior, &mut output);
        }
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
            Ok((record, secret)) => {
                let mut new_state = state_value::<K>(&K::applied(record, input.prior), secret);
                keep_unread_registration::<K>(input.prior, &mut new_state);
                ApplyOutput {
                    new_state,
                    diagnostics: Diagnostics::new(),
                }
            }
            Err(diagnostic) => failed_apply(input.prior, diagnostic),
        }
    }

    /// Keeps the secret from `state`: the backend holds only its hash.
    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        match K::store(backend).get(&state_id(state)) {
            Ok(None) if is_unregistered(state) => Ok(K::read_unregistered(state, backend)?
                .map_or(Value::Null, |record| {
                    state_value_as::<K>(&record, secret_of::<K>(state), false)
                })),
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
        if let Some(found) = K::import_foreign(id, backend) {
            let (record, registered) = found?;
            return Ok(state_value_as::<K>(&record, Value::Null, registered));
        }
        let value = K::IMPORT.import(
            id,
            backend,
            |id| K::store(backend).get(id),
            |tenant, rest| K::import_by_key(backend, tenant, rest),
            |record| state_value::<K>(record, Value::Null),
        )?;
        // A live object the naming rules predict (an older script's) is read, not registered:
        // the apply of the update this plans registers it.
        if K::TRACKS_REGISTRATION && !is_unregistered(&value) {
            let id = state_id(&value);
            let listed = K::store(backend).get(&id).map_err(|error| {
                let summary = format!("Failed to import {}", K::IMPORT.what);
                Diagnostics::from(backend_failure(summary, &error))
            })?;
            if listed.is_none() {
                return Ok(unregistered_value::<K>(value));
            }
        }
        Ok(value)
    }
}
