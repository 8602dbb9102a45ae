//! The results of the configuration's checks a plan evaluated (resource preconditions and
//! postconditions, `check` blocks' assertions), kept with the plan and written as the JSON
//! plan's `checks` the way Terraform's `jsonchecks` writes them: one entry per configuration
//! object, with the status of each of its instances and the failure messages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::addrs::{
    InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode, module_instance_string,
    module_path_string,
};
use crate::config::Config;

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

/// `module.a.module.b` for a static module path.
/// The address of a resource block with conditions in the module at `path`.
pub(crate) fn resource_config(path: &[String], resource: &ResourceAddr) -> Json {
    let module = module_path_string(path);
    let mut config = Map::new();
    config.insert("kind".into(), json!("resource"));
    config.insert(
        "mode".into(),
        json!(match resource.mode {
            ResourceMode::Managed => "managed",
            ResourceMode::Data => "data",
        }),
    );
    config.insert("type".into(), json!(resource.type_name));
    config.insert("name".into(), json!(resource.name));
    config.insert(
        "to_display".into(),
        json!(prefixed(&module, &resource.to_string())),
    );
    if !module.is_empty() {
        config.insert("module".into(), json!(module));
    }
    Json::Object(config)
}

/// The address of a `check` block (`kind` "check") or of a variable with validation rules
/// (`kind` "var") in the module at `path`.
pub(crate) fn named_config(kind: &str, path: &[String], name: &str) -> Json {
    let module = module_path_string(path);
    let mut config = Map::new();
    config.insert("kind".into(), json!(kind));
    config.insert("name".into(), json!(name));
    config.insert(
        "to_display".into(),
        json!(prefixed(&module, &format!("{kind}.{name}"))),
    );
    if !module.is_empty() {
        config.insert("module".into(), json!(module));
    }
    Json::Object(config)
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
        let static_path: Vec<String> = addr.module.iter().map(|s| s.name.clone()).collect();
        let mut instance = Map::new();
        instance.insert("to_display".into(), json!(addr.to_string()));
        if !addr.module.is_empty() {
            instance.insert("module".into(), json!(module_instance_string(&addr.module)));
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
            config: resource_config(&static_path, &addr.resource),
            instance: Json::Object(instance),
            status,
            problem,
        }
    }

    /// A checkable object of the configuration, whether or not the plan evaluated it: the
    /// JSON plan lists it, with an unknown status when no instance was evaluated.
    pub(crate) fn declared(config: Json) -> Self {
        CheckResult {
            config,
            instance: Json::Null,
            status: CheckStatus::Unknown,
            problem: None,
        }
    }

    /// An assertion of check block `name` in module instance `module`.
    pub(crate) fn check_block(
        module: &[ModuleStep],
        name: &str,
        status: CheckStatus,
        problem: Option<String>,
    ) -> Self {
        Self::named_instance("check", module, name, status, problem)
    }

    /// The validation rules of variable `name` in module instance `module`.
    pub(crate) fn variable(
        module: &[ModuleStep],
        name: &str,
        status: CheckStatus,
        problem: Option<String>,
    ) -> Self {
        Self::named_instance("var", module, name, status, problem)
    }

    /// The validation rules of root module variable `name`, which a saved plan passed.
    pub(crate) fn passed_variable(name: &str) -> Self {
        Self::variable(&[], name, CheckStatus::Pass, None)
    }

    /// The object `KIND.NAME` (a check block or a variable) of module instance `module`.
    fn named_instance(
        kind: &str,
        module: &[ModuleStep],
        name: &str,
        status: CheckStatus,
        problem: Option<String>,
    ) -> Self {
        let static_path: Vec<String> = module.iter().map(|s| s.name.clone()).collect();
        let dynamic = module_instance_string(module);
        let mut instance = Map::new();
        instance.insert(
            "to_display".into(),
            json!(prefixed(&dynamic, &format!("{kind}.{name}"))),
        );
        if !dynamic.is_empty() {
            instance.insert("module".into(), json!(dynamic));
        }
        CheckResult {
            config: named_config(kind, &static_path, name),
            instance: Json::Object(instance),
            status,
            problem,
        }
    }
}

/// Every checkable object of `config` and its modules: resources with conditions, `check`
/// blocks and variables with validation rules.
pub(crate) fn declared_checks(config: &Config) -> Vec<CheckResult> {
    let path = &config.path;
    let resources = config.resources.values().filter(|resource| {
        let rules = &resource.lifecycle_rules;
        !rules.preconditions.is_empty() || !rules.postconditions.is_empty()
    });
    let mut found: Vec<CheckResult> = resources
        .map(|resource| CheckResult::declared(resource_config(path, &resource.addr)))
        .collect();
    found.extend(
        config
            .checks
            .keys()
            .map(|name| CheckResult::declared(named_config("check", path, name))),
    );
    found.extend(
        config
            .variables
            .values()
            .filter(|variable| !variable.validations.is_empty())
            .map(|variable| CheckResult::declared(named_config("var", path, &variable.name))),
    );
    for child in config.children.values() {
        found.extend(declared_checks(child));
    }
    found
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
        if result.instance.is_null() {
            continue;
        }
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
            // An object none of whose instances was evaluated has an unknown status.
            let status = instances
                .values()
                .map(|i| i.status)
                .reduce(CheckStatus::combined)
                .unwrap_or(CheckStatus::Unknown);
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
