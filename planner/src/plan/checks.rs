//! The results of the configuration's checks a plan evaluated (resource preconditions and
//! postconditions, `check` blocks' assertions), kept with the plan and written as the JSON
//! plan's `checks` the way Terraform's `jsonchecks` writes them: one entry per configuration
//! object, with the status of each of its instances and the failure messages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceMode};

/// The outcome of one condition, or of every condition of one object instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CheckStatus {
    Pass,
    Unknown,
    Fail,
    Error,
}

impl CheckStatus {
    /// Terraform's aggregation: an error wins over a failure, a failure over an unknown
    /// result, and only passes pass.
    fn combined(self, other: CheckStatus) -> CheckStatus {
        self.max(other)
    }

    fn name(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Unknown => "unknown",
            CheckStatus::Fail => "fail",
            CheckStatus::Error => "error",
        }
    }
}

/// One evaluated condition of one object instance, with the JSON addresses of its
/// configuration object and of the instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct CheckResult {
    /// The configuration object's address (`kind`, `to_display`, ...).
    pub config: Json,
    /// The instance's address (`to_display`, `module`, `instance_key`).
    pub instance: Json,
    pub status: CheckStatus,
    /// The failure message, when the condition failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

fn module_path(steps: &[ModuleStep]) -> String {
    steps
        .iter()
        .map(|step| format!("module.{}", step.name))
        .collect::<Vec<_>>()
        .join(".")
}

fn module_instance(steps: &[ModuleStep]) -> String {
    steps
        .iter()
        .map(|step| format!("module.{}{}", step.name, step.key))
        .collect::<Vec<_>>()
        .join(".")
}

fn prefixed(module: &str, rest: &str) -> String {
    if module.is_empty() {
        rest.to_string()
    } else {
        format!("{module}.{rest}")
    }
}

impl CheckResult {
    /// A condition of resource instance `addr`.
    pub(crate) fn resource(
        addr: &InstanceAddr,
        status: CheckStatus,
        problem: Option<String>,
    ) -> Self {
        let module = module_path(&addr.module);
        let mut config = Map::new();
        config.insert("kind".into(), json!("resource"));
        config.insert(
            "mode".into(),
            json!(match addr.resource.mode {
                ResourceMode::Managed => "managed",
                ResourceMode::Data => "data",
            }),
        );
        config.insert("type".into(), json!(addr.resource.type_name));
        config.insert("name".into(), json!(addr.resource.name));
        config.insert(
            "to_display".into(),
            json!(prefixed(&module, &addr.resource.to_string())),
        );
        if !module.is_empty() {
            config.insert("module".into(), json!(module));
        }
        let mut instance = Map::new();
        instance.insert("to_display".into(), json!(addr.to_string()));
        if !addr.module.is_empty() {
            instance.insert("module".into(), json!(module_instance(&addr.module)));
        }
        match &addr.key {
            InstanceKey::None => {}
            InstanceKey::Int(index) => {
                instance.insert("instance_key".into(), json!(index));
            }
            InstanceKey::Str(key) => {
                instance.insert("instance_key".into(), json!(key));
            }
        }
        CheckResult {
            config: Json::Object(config),
            instance: Json::Object(instance),
            status,
            problem,
        }
    }

    /// An assertion of check block `name` in module instance `module`.
    pub(crate) fn check_block(
        module: &[ModuleStep],
        name: &str,
        status: CheckStatus,
        problem: Option<String>,
    ) -> Self {
        let path = module_path(module);
        let mut config = Map::new();
        config.insert("kind".into(), json!("check"));
        config.insert("name".into(), json!(name));
        config.insert(
            "to_display".into(),
            json!(prefixed(&path, &format!("check.{name}"))),
        );
        if !path.is_empty() {
            config.insert("module".into(), json!(path));
        }
        let dynamic = module_instance(module);
        let mut instance = Map::new();
        instance.insert(
            "to_display".into(),
            json!(prefixed(&dynamic, &format!("check.{name}"))),
        );
        if !dynamic.is_empty() {
            instance.insert("module".into(), json!(dynamic));
        }
        CheckResult {
            config: Json::Object(config),
            instance: Json::Object(instance),
            status,
            problem,
        }
    }

    /// The validation rules of root module variable `name`, which a saved plan passed.
    pub(crate) fn passed_variable(name: &str) -> Self {
        let display = format!("var.{name}");
        CheckResult {
            config: json!({"kind": "var", "name": name, "to_display": display}),
            instance: json!({ "to_display": display }),
            status: CheckStatus::Pass,
            problem: None,
        }
    }
}

fn to_display(address: &Json) -> String {
    address["to_display"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// One instance's combined results.
struct InstanceResults {
    address: Json,
    status: CheckStatus,
    problems: Vec<String>,
}

/// Terraform's `checks` array: configuration objects in address order, each with its
/// combined status and its instances (in address order) with theirs.
pub(crate) fn checks_json(results: &[CheckResult]) -> Json {
    let mut objects: BTreeMap<String, (Json, BTreeMap<String, InstanceResults>)> = BTreeMap::new();
    for result in results {
        let (_, instances) = objects
            .entry(to_display(&result.config))
            .or_insert_with(|| (result.config.clone(), BTreeMap::new()));
        let instance = instances
            .entry(to_display(&result.instance))
            .or_insert_with(|| InstanceResults {
                address: result.instance.clone(),
                status: CheckStatus::Pass,
                problems: Vec::new(),
            });
        instance.status = instance.status.combined(result.status);
        if let Some(problem) = &result.problem
            && !instance.problems.contains(problem)
        {
            instance.problems.push(problem.clone());
        }
    }
    let entries = objects
        .into_values()
        .map(|(address, instances)| {
            let status = instances
                .values()
                .fold(CheckStatus::Pass, |status, i| status.combined(i.status));
            let instances: Vec<Json> = instances.into_values().map(instance_json).collect();
            let mut object = Map::new();
            object.insert("address".into(), address);
            object.insert("status".into(), json!(status.name()));
            if !instances.is_empty() {
                object.insert("instances".into(), Json::Array(instances));
            }
            Json::Object(object)
        })
        .collect();
    Json::Array(entries)
}

fn instance_json(mut instance: InstanceResults) -> Json {
    let mut object = Map::new();
    object.insert("address".into(), instance.address);
    object.insert("status".into(), json!(instance.status.name()));
    if !instance.problems.is_empty() {
        instance.problems.sort();
        let problems = instance
            .problems
            .into_iter()
            .map(|message| json!({ "message": message }))
            .collect();
        object.insert("problems".into(), Json::Array(problems));
    }
    Json::Object(object)
}

#[cfg(test)]
mod tests;
