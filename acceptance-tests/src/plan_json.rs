//! Reads the parts of a JSON plan (`show -json PLANFILE`, Terraform's format) that the tests
//! compare: the actions per resource instance and the ids in the prior state.

use std::collections::BTreeSet;

use serde_json::Value;

/// Parses `show -json` output, panicking with the text when it is not JSON.
pub fn parse(text: &str, tool: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("{tool} show -json is not JSON: {error}\n{text}"))
}

/// `(address, actions)` of every resource change, `no-op` included.
pub fn resource_actions(plan: &Value) -> BTreeSet<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .expect("the JSON plan has resource_changes")
        .iter()
        .map(|change| {
            let address = change["address"]
                .as_str()
                .expect("a resource change has an address")
                .to_string();
            let actions = change["change"]["actions"]
                .as_array()
                .expect("a resource change has actions")
                .iter()
                .map(|action| action.as_str().expect("actions are strings").to_string())
                .collect();
            (address, actions)
        })
        .collect()
}

/// The resource changes that change something (anything but `no-op`).
pub fn effective_changes(plan: &Value) -> BTreeSet<(String, Vec<String>)> {
    resource_actions(plan)
        .into_iter()
        .filter(|(_, actions)| actions != &["no-op"])
        .collect()
}

/// `id` attributes of the managed resources in the plan's `prior_state`, all modules.
pub fn prior_state_ids(plan: &Value) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    collect_module_ids(&plan["prior_state"]["values"]["root_module"], &mut ids);
    ids
}

fn collect_module_ids(module: &Value, ids: &mut BTreeSet<String>) {
    for resource in module["resources"].as_array().into_iter().flatten() {
        if resource["mode"].as_str() == Some("managed")
            && let Some(id) = resource["values"]["id"].as_str()
        {
            ids.insert(id.to_string());
        }
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_module_ids(child, ids);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_actions_and_prior_ids() {
        let plan = parse(
            r#"{"resource_changes":[
                 {"address":"tenant.a","change":{"actions":["update"]}},
                 {"address":"tenant.b","change":{"actions":["no-op"]}}],
               "prior_state":{"values":{"root_module":{
                 "resources":[{"mode":"managed","values":{"id":"1"}}],
                 "child_modules":[{"resources":[{"mode":"managed","values":{"id":"2"}},
                                                {"mode":"data","values":{"id":"3"}}]}]}}}}"#,
            "test",
        );
        assert_eq!(resource_actions(&plan).len(), 2);
        assert_eq!(
            effective_changes(&plan).into_iter().collect::<Vec<_>>(),
            vec![("tenant.a".to_string(), vec!["update".to_string()])]
        );
        assert_eq!(
            prior_state_ids(&plan).into_iter().collect::<Vec<_>>(),
            vec!["1", "2"]
        );
    }
}
