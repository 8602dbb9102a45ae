//! The secrets a state holds (user passwords and API key secrets), a check that a text never
//! shows any of them, and the removal of the values a JSON plan marks sensitive (Terraform's
//! JSON plan carries sensitive values in clear, marked by `*_sensitive` companions).

use serde_json::Value;

use crate::state::State;

/// The sensitive attributes that carry generated secrets, by resource type.
const SECRET_ATTRIBUTES: [(&str, &str); 2] =
    [("tenant_user", "password"), ("tenant_api_key", "secret")];

/// One secret of a state.
#[derive(Clone, Debug)]
pub struct StateSecret {
    /// `<resource address>.<attribute>`, safe to print.
    pub location: String,
    pub value: String,
}

/// Every user password and API key secret the state holds (nulls skipped).
pub fn state_secrets(state: &State) -> Vec<StateSecret> {
    let mut secrets = Vec::new();
    for instance in &state.instances {
        for (resource_type, attribute) in SECRET_ATTRIBUTES {
            if instance.resource_type != resource_type {
                continue;
            }
            if let Some(value) = instance.attribute_str(attribute)
                && !value.is_empty()
            {
                secrets.push(StateSecret {
                    location: format!("{}.{attribute}", instance.address),
                    value: value.to_string(),
                });
            }
        }
    }
    secrets
}

/// The secrets that `text` shows, as `<location> in <what>` (the values are never printed).
pub fn leaks(secrets: &[StateSecret], what: &str, text: &str) -> Vec<String> {
    secrets
        .iter()
        .filter(|secret| text.contains(&secret.value))
        .map(|secret| format!("{} in {what}", secret.location))
        .collect()
}

/// A JSON plan (`show -json PLANFILE`) with every value that it marks sensitive replaced by
/// null: the `before`/`after` of resource changes and drift (by `before_sensitive` and
/// `after_sensitive`), the resources of `prior_state` and `planned_values` (by
/// `sensitive_values`) and sensitive outputs and variables. What is left must hold no secret.
pub fn without_sensitive_values(plan: &Value) -> Value {
    let mut plan = plan.clone();
    for list in ["resource_changes", "resource_drift"] {
        if let Some(changes) = plan.get_mut(list).and_then(Value::as_array_mut) {
            for change in changes {
                if let Some(change) = change.get_mut("change") {
                    redact_pair(change, "before", "before_sensitive");
                    redact_pair(change, "after", "after_sensitive");
                }
            }
        }
    }
    if let Some(outputs) = plan
        .get_mut("output_changes")
        .and_then(Value::as_object_mut)
    {
        for change in outputs.values_mut() {
            redact_pair(change, "before", "before_sensitive");
            redact_pair(change, "after", "after_sensitive");
        }
    }
    if let Some(values) = plan
        .get_mut("prior_state")
        .and_then(|s| s.get_mut("values"))
    {
        redact_state_values(values);
    }
    if let Some(values) = plan.get_mut("planned_values") {
        redact_state_values(values);
    }
    // Variables carry no sensitivity marks in the format; the tests' secrets are never inputs.
    plan
}

/// A `values` document (`root_module` and `outputs`), as in `prior_state` and
/// `planned_values`.
fn redact_state_values(values: &mut Value) {
    if let Some(module) = values.get_mut("root_module") {
        redact_module(module);
    }
    if let Some(outputs) = values.get_mut("outputs").and_then(Value::as_object_mut) {
        for output in outputs.values_mut() {
            if output.get("sensitive") == Some(&Value::Bool(true)) {
                output["value"] = Value::Null;
            }
        }
    }
}

fn redact_module(module: &mut Value) {
    if let Some(resources) = module.get_mut("resources").and_then(Value::as_array_mut) {
        for resource in resources {
            redact_pair(resource, "values", "sensitive_values");
        }
    }
    if let Some(children) = module
        .get_mut("child_modules")
        .and_then(Value::as_array_mut)
    {
        for child in children {
            redact_module(child);
        }
    }
}

/// Replaces the parts of `holder[value_key]` that `holder[mask_key]` marks `true` by null.
fn redact_pair(holder: &mut Value, value_key: &str, mask_key: &str) {
    let mask = holder.get(mask_key).cloned().unwrap_or(Value::Null);
    if let Some(value) = holder.get_mut(value_key) {
        redact(value, &mask);
    }
}

fn redact(value: &mut Value, mask: &Value) {
    match (value, mask) {
        (value, Value::Bool(true)) => *value = Value::Null,
        (Value::Object(fields), Value::Object(marks)) => {
            for (key, mark) in marks {
                if let Some(field) = fields.get_mut(key) {
                    redact(field, mark);
                }
            }
        }
        (Value::Array(items), Value::Array(marks)) => {
            for (item, mark) in items.iter_mut().zip(marks) {
                redact(item, mark);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_plan_values_are_removed_and_others_kept() {
        let plan: Value = serde_json::from_str(
            r#"{"resource_changes":[{"address":"tenant_user.u","change":{
                  "before":{"password":"pw","login":"l"},"before_sensitive":{"password":true},
                  "after":{"password":"pw","login":"l"},"after_sensitive":{"password":true}}}],
                "prior_state":{"values":{"root_module":{"child_modules":[{"resources":[
                  {"values":{"secret":"k","tags":["a","b"]},
                   "sensitive_values":{"secret":true,"tags":[false,true]}}]}]}}},
                "planned_values":{"outputs":{"o":{"sensitive":true,"value":"pw"}}}}"#,
        )
        .unwrap();
        let redacted = without_sensitive_values(&plan);
        let text = redacted.to_string();
        assert!(!text.contains("\"pw\""), "{text}");
        assert!(!text.contains("\"k\""), "{text}");
        assert!(!text.contains("\"b\""), "{text}");
        assert!(text.contains("\"login\":\"l\""), "{text}");
        assert!(text.contains("\"a\""), "{text}");
    }

    #[test]
    fn finds_passwords_and_keys_and_reports_leaks_by_location() {
        let state = State::parse(
            r#"{"version":4,"resources":[
              {"mode":"managed","type":"tenant_user","name":"u","instances":[
                {"index_key":"a@x.example","attributes":{"id":"1","password":"pw-one"}},
                {"index_key":"b@x.example","attributes":{"id":"2","password":null}}]},
              {"mode":"managed","type":"tenant_api_key","name":"k","instances":[
                {"attributes":{"id":"3","secret":"key-two"}}]},
              {"mode":"managed","type":"tenant","name":"t","instances":[
                {"attributes":{"id":"4","password":"not-a-secret-attribute"}}]}]}"#,
        )
        .unwrap();
        let secrets = state_secrets(&state);
        let locations: Vec<&str> = secrets.iter().map(|s| s.location.as_str()).collect();
        assert_eq!(
            locations,
            vec![
                "tenant_user.u[\"a@x.example\"].password",
                "tenant_api_key.k.secret"
            ]
        );
        let found = leaks(&secrets, "the log", "... key-two ...");
        assert_eq!(found, vec!["tenant_api_key.k.secret in the log"]);
        assert!(!found[0].contains("key-two"));
    }
}
