//! An in-process fake provider for the core's tests: two resource types with a small schema,
//! objects kept in memory, every call recorded in a shared event log, and failures that tests
//! switch on by object name.
//!
//! - `fake_thing`: `name` (required), `size` (optional, computed: defaults to `"small"`),
//!   `zone` (optional, forces replacement), `protected` (optional bool: refuses deletion),
//!   `id` (computed).
//! - `fake_child`: `parent_id` (required), `label` (optional), `id` and `secret` (computed,
//!   `secret` sensitive).
//! - data source `fake_lookup`: `name` (required); computed `id` (`lookup-NAME`) and `count`
//!   (how many stored objects exist).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tenantform_proto::schema::{Attribute, ProviderSchema};
use tenantform_proto::value::{AttributePath, Type, Value, decode_json};

use super::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, ProviderClient,
    ProviderDiagnostic, ProviderError, ReadResponse, attribute_schema,
};

/// A shared, ordered log of what happened, for asserting on interleavings.
pub(crate) type EventLog = Arc<Mutex<Vec<String>>>;

/// The fake provider. Clone-free: share it as `Arc<FakeProvider>`.
#[derive(Default)]
pub(crate) struct FakeProvider {
    pub events: EventLog,
    /// Objects by id.
    pub objects: Mutex<BTreeMap<String, Value>>,
    /// Names whose create/update/delete fails.
    pub fail_apply: Mutex<BTreeSet<String>>,
    /// Names whose apply takes this long.
    pub apply_delay: Mutex<BTreeMap<String, Duration>>,
    /// Names whose create or update takes effect but never answers: the call times out.
    pub time_out_apply: Mutex<BTreeSet<String>>,
    pub configured: Mutex<Option<Value>>,
    /// The name or label of every object PlanResourceChange was asked about, in order.
    pub planned: Mutex<Vec<String>>,
    next_id: AtomicU64,
    /// ApplyResourceChange calls running now, and the most that ever ran at once.
    applying: AtomicUsize,
    most_applying: AtomicUsize,
}

fn error(summary: &str, detail: &str) -> ProviderDiagnostic {
    ProviderDiagnostic::error(summary, detail)
}

/// The fake's schema.
pub(crate) fn fake_schema() -> ProviderSchema {
    let provider = attribute_schema(&[("endpoint", Attribute::optional(Type::String))]);
    let thing = attribute_schema(&[
        ("id", Attribute::computed(Type::String)),
        ("name", Attribute::required(Type::String)),
        ("size", Attribute::optional_computed(Type::String)),
        ("zone", Attribute::optional(Type::String)),
        ("protected", Attribute::optional(Type::Bool)),
    ]);
    let child = attribute_schema(&[
        ("id", Attribute::computed(Type::String)),
        ("parent_id", Attribute::required(Type::String)),
        ("label", Attribute::optional(Type::String)),
        ("secret", Attribute::computed(Type::String).sensitive()),
    ]);
    let lookup = attribute_schema(&[
        ("name", Attribute::required(Type::String)),
        ("id", Attribute::computed(Type::String)),
        ("count", Attribute::computed(Type::Number)),
    ]);
    ProviderSchema {
        provider,
        resources: BTreeMap::from([
            ("fake_thing".to_string(), thing),
            ("fake_child".to_string(), child),
        ]),
        data_sources: BTreeMap::from([("fake_lookup".to_string(), lookup)]),
    }
}

/// The values the fake refuses when validating: type, attribute, refused value, summary and
/// detail.
const REFUSED_VALUES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "fake_thing",
        "size",
        "huge",
        "Invalid size",
        "size must be small, medium or large",
    ),
    (
        "fake_lookup",
        "name",
        "",
        "Invalid name",
        "name must not be empty",
    ),
];

/// The diagnostics of the refused values `config`, of type `type_name`, holds.
fn refused_values(type_name: &str, config: &Value) -> Vec<ProviderDiagnostic> {
    REFUSED_VALUES
        .iter()
        .filter(|(refused_type, attribute, value, ..)| {
            *refused_type == type_name && config.get_attr(attribute) == Some(&Value::string(*value))
        })
        .map(|(_, attribute, _, summary, detail)| ProviderDiagnostic {
            attribute: Some(AttributePath::attr(attribute)),
            ..error(summary, detail)
        })
        .collect()
}

fn label(value: &Value) -> String {
    value
        .get_attr("name")
        .or_else(|| value.get_attr("label"))
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

fn with_attr(value: &Value, name: &str, new: Value) -> Value {
    let mut value = value.clone();
    if let Value::Object(attrs) = &mut value {
        attrs.insert(name.into(), new);
    }
    value
}

impl FakeProvider {
    pub(crate) fn new() -> Arc<FakeProvider> {
        Arc::new(FakeProvider::default())
    }

    fn log(&self, event: String) {
        self.events.lock().unwrap().push(event);
    }

    /// The most ApplyResourceChange calls that ran at the same time.
    pub(crate) fn most_concurrent_applies(&self) -> usize {
        self.most_applying.load(Ordering::SeqCst)
    }

    pub(crate) fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    pub(crate) fn object_names(&self) -> Vec<String> {
        let objects = self.objects.lock().unwrap();
        let mut names: Vec<String> = objects.values().map(label).collect();
        names.sort();
        names
    }

    fn new_id(&self, type_name: &str) -> String {
        format!(
            "{type_name}-{}",
            self.next_id.fetch_add(1, Ordering::SeqCst) + 1
        )
    }
}

#[async_trait::async_trait]
impl ProviderClient for FakeProvider {
    async fn schema(&self) -> Result<ProviderSchema, ProviderError> {
        Ok(fake_schema())
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> super::Diagnosed {
        Ok(refused_values(type_name, config))
    }

    async fn validate_data_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> super::Diagnosed {
        Ok(refused_values(type_name, config))
    }

    async fn configure(&self, config: &Value) -> super::Diagnosed {
        self.log("configure".into());
        *self.configured.lock().unwrap() = Some(config.clone());
        Ok(Vec::new())
    }

    async fn upgrade_resource_state(
        &self,
        type_name: &str,
        _schema_version: i64,
        raw_json: &[u8],
    ) -> Result<(Value, Vec<ProviderDiagnostic>), ProviderError> {
        let schema = fake_schema();
        let ty = schema.resources[type_name].block.implied_type();
        let decode = |detail: String| ProviderError::Decode {
            provider: "fake".into(),
            detail,
        };
        let json = serde_json::from_slice(raw_json).map_err(|e| decode(e.to_string()))?;
        let value = decode_json(&json, &ty).map_err(|e| decode(e.to_string()))?;
        Ok((value, Vec::new()))
    }

    async fn read_resource(
        &self,
        _type_name: &str,
        current: &Value,
        private: &[u8],
    ) -> Result<ReadResponse, ProviderError> {
        let id = current
            .get_attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let found = self.objects.lock().unwrap().get(id).cloned();
        self.log(format!("read {}", label(current)));
        Ok(ReadResponse {
            new_state: found.unwrap_or(Value::Null),
            private: private.to_vec(),
            diagnostics: Vec::new(),
        })
    }

    async fn plan_resource_change(
        &self,
        request: PlanRequest<'_>,
    ) -> Result<PlanResponse, ProviderError> {
        let subject = if request.proposed.is_null() {
            request.prior
        } else {
            request.proposed
        };
        self.planned.lock().unwrap().push(label(subject));
        let mut response = PlanResponse {
            unknown_collections: Vec::new(),
            planned: request.proposed.clone(),
            requires_replace: Vec::new(),
            planned_private: request.prior_private.to_vec(),
            diagnostics: Vec::new(),
        };
        if request.proposed.is_null() {
            if request.prior.get_attr("protected") == Some(&Value::Bool(true)) {
                response.diagnostics.push(error(
                    "Deletion protection is enabled",
                    &format!(
                        "{} is protected and cannot be deleted.",
                        label(request.prior)
                    ),
                ));
            }
            return Ok(response);
        }
        let mut planned = request.proposed.clone();
        if planned.get_attr("id").is_none_or(Value::is_null) {
            planned = with_attr(&planned, "id", Value::Unknown);
        }
        if request.type_name == "fake_thing" {
            if planned.get_attr("size").is_none_or(Value::is_null) {
                planned = with_attr(&planned, "size", Value::string("small"));
            }
            if !request.prior.is_null()
                && request.prior.get_attr("zone") != planned.get_attr("zone")
            {
                response.requires_replace.push(AttributePath::attr("zone"));
            }
        } else if planned.get_attr("secret").is_none_or(Value::is_null) {
            planned = with_attr(&planned, "secret", Value::Unknown);
        }
        response.planned = planned;
        Ok(response)
    }

    async fn apply_resource_change(
        &self,
        request: ApplyRequest<'_>,
    ) -> Result<ApplyResponse, ProviderError> {
        let name = if request.planned.is_null() {
            label(request.prior)
        } else {
            label(request.planned)
        };
        let verb = match (request.prior.is_null(), request.planned.is_null()) {
            (true, _) => "create",
            (false, true) => "delete",
            (false, false) => "update",
        };
        self.log(format!("{verb} {name}"));
        let delay = self.apply_delay.lock().unwrap().get(&name).copied();
        if let Some(delay) = delay {
            let running = self.applying.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_applying.fetch_max(running, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            self.applying.fetch_sub(1, Ordering::SeqCst);
        }
        if self.fail_apply.lock().unwrap().contains(&name) {
            return Ok(ApplyResponse {
                new_state: if verb == "create" {
                    Value::Null
                } else {
                    request.prior.clone()
                },
                private: Vec::new(),
                diagnostics: vec![error(
                    "Backend failure",
                    &format!("could not {verb} {name}"),
                )],
            });
        }
        if request.planned.is_null() {
            let id = request
                .prior
                .get_attr("id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            self.objects.lock().unwrap().remove(id);
            return Ok(ApplyResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Vec::new(),
            });
        }
        let mut new_state = request.planned.clone();
        let id = match new_state.get_attr("id") {
            Some(Value::String(id)) => id.clone(),
            _ => self.new_id(request.type_name),
        };
        new_state = with_attr(&new_state, "id", Value::string(id.clone()));
        if new_state.get_attr("secret") == Some(&Value::Unknown) {
            new_state = with_attr(
                &new_state,
                "secret",
                Value::string(format!("secret-of-{id}")),
            );
        }
        self.objects.lock().unwrap().insert(id, new_state.clone());
        if self.time_out_apply.lock().unwrap().contains(&name) {
            return Err(ProviderError::Timeout {
                provider: "registry.terraform.io/test/fake".to_string(),
                operation: "ApplyResourceChange",
                timeout: Duration::from_secs(3),
            });
        }
        Ok(ApplyResponse {
            new_state,
            private: request.planned_private.to_vec(),
            diagnostics: Vec::new(),
        })
    }

    async fn read_data_source(
        &self,
        _type_name: &str,
        config: &Value,
    ) -> Result<ReadResponse, ProviderError> {
        let name = label(config);
        self.log(format!("read data {name}"));
        let count = self.objects.lock().unwrap().len() as u64;
        let state = with_attr(config, "id", Value::string(format!("lookup-{name}")));
        let state = with_attr(
            &state,
            "count",
            Value::Number(tenantform_proto::value::Number::from_u64(count)),
        );
        Ok(ReadResponse {
            new_state: state,
            private: Vec::new(),
            diagnostics: Vec::new(),
        })
    }

    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> Result<(Vec<ImportedObject>, Vec<ProviderDiagnostic>), ProviderError> {
        let found = self.objects.lock().unwrap().get(id).cloned();
        match found {
            Some(state) => Ok((
                vec![ImportedObject {
                    type_name: type_name.into(),
                    state,
                    private: Vec::new(),
                }],
                Vec::new(),
            )),
            None => Ok((
                Vec::new(),
                vec![error("Cannot import", &format!("no object {id}"))],
            )),
        }
    }
}
