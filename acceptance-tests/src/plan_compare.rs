//! Compares two JSON plans (`show -json PLANFILE`) made by tenantform and by Terraform on
//! copies of the same directory: the parts that must agree are picked per resource instance,
//! per drifted instance and per output, every value the provider generated (ids, timestamps,
//! passwords, found in each side's own `prior_state`) is masked, and the differences are
//! reported path by path. Whole top-level entries such as `relevant_attributes` can be
//! compared too, as sets (Terraform lists them in no fixed order).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Attributes whose values the provider makes up at apply time.
pub const GENERATED_ATTRIBUTES: [&str; 5] =
    ["id", "ids", "created_at", "password", "connection_uri"];
/// What every generated value is replaced with.
pub const PLACEHOLDER: &str = "<generated>";
/// Longest rendering of one value in a mismatch report.
const MAX_SHOWN: usize = 300;

/// The fields compared for each resource instance by the language oracle.
pub const CHANGE_FIELDS: &[&str] = &[
    "actions",
    "after",
    "after_unknown",
    "before_sensitive",
    "after_sensitive",
];

/// The fields compared for each resource instance by the multi-step scenarios: the language
/// oracle's, plus why, from where and by import.
pub const SCENARIO_CHANGE_FIELDS: &[&str] = &[
    "actions",
    "action_reason",
    "previous_address",
    "importing",
    "before",
    "after",
    "after_unknown",
    "before_sensitive",
    "after_sensitive",
];

/// The fields compared for each drifted instance (`resource_drift`).
pub const DRIFT_FIELDS: &[&str] = &["actions", "before", "after"];

/// The fields compared for each output change.
pub const OUTPUT_FIELDS: &[&str] = &["actions", "after", "after_unknown", "after_sensitive"];

/// Which parts of a plan to compare.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub changes: &'static [&'static str],
    /// Empty: `resource_drift` is not compared.
    pub drift: &'static [&'static str],
    pub outputs: &'static [&'static str],
    /// Top-level entries compared whole, keyed as `plan.NAME`; arrays compared as sets.
    pub top_level: &'static [&'static str],
}

/// What the language oracle compares: the changes, the drift, the outputs, the attributes
/// relevant to the drift, the whole `configuration`, the `checks` and the plan's versions
/// and flags.
pub const LANGUAGE: Fields = Fields {
    changes: CHANGE_FIELDS,
    drift: DRIFT_FIELDS,
    outputs: OUTPUT_FIELDS,
    top_level: &[
        "relevant_attributes",
        "configuration",
        "checks",
        "format_version",
        "terraform_version",
        "applyable",
        "complete",
        "errored",
    ],
};

/// What the multi-step scenarios compare.
pub const SCENARIO: Fields = Fields {
    changes: SCENARIO_CHANGE_FIELDS,
    drift: DRIFT_FIELDS,
    outputs: OUTPUT_FIELDS,
    top_level: &["relevant_attributes"],
};

/// A report of every address where the two plans disagree; empty when they agree.
pub fn compare_plans(ours: &Value, theirs: &Value, fields: Fields) -> Vec<String> {
    let ours = comparable(ours, fields);
    let theirs = comparable(theirs, fields);
    let addresses: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    let mut report = Vec::new();
    for address in addresses {
        let mut lines = Vec::new();
        differences("", ours.get(address), theirs.get(address), &mut lines);
        if !lines.is_empty() {
            report.push(format!("    {address}\n{}", lines.join("\n")));
        }
    }
    report
}

/// The parts of a JSON plan that must agree, keyed by address (outputs as `output.NAME`,
/// drift as `drift:ADDRESS`).
pub fn comparable(plan: &Value, fields: Fields) -> BTreeMap<String, Value> {
    let mut generated = BTreeSet::new();
    collect_generated(&plan["prior_state"]["values"], &mut generated);
    // An object deleted outside of the tool is in no refreshed prior state, only in the drift.
    for drift in plan["resource_drift"].as_array().into_iter().flatten() {
        collect_generated(&drift["change"]["before"], &mut generated);
    }
    let mut parts = BTreeMap::new();
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        let key = instance_key("", change);
        parts.insert(key, picked(change, &change["change"], fields.changes));
    }
    if !fields.drift.is_empty() {
        for drift in plan["resource_drift"].as_array().into_iter().flatten() {
            let key = instance_key("drift:", drift);
            parts.insert(key, picked(drift, &drift["change"], fields.drift));
        }
    }
    for (name, change) in plan["output_changes"].as_object().into_iter().flatten() {
        let mut picked_fields = serde_json::Map::new();
        for field in fields.outputs {
            picked_fields.insert(field.to_string(), change[*field].clone());
        }
        parts.insert(format!("output.{name}"), Value::Object(picked_fields));
    }
    for name in fields.top_level {
        parts.insert(format!("plan.{name}"), as_set(&plan[*name]));
    }
    for part in parts.values_mut() {
        replace_generated(part, &generated);
    }
    parts
}

/// An array with its items in one order (by their JSON text); anything else unchanged.
fn as_set(value: &Value) -> Value {
    match value.as_array() {
        Some(items) => {
            let mut items = items.clone();
            items.sort_by_cached_key(std::string::ToString::to_string);
            Value::Array(items)
        }
        None => value.clone(),
    }
}

/// An instance's address, with its deposed key when it has one.
fn instance_key(prefix: &str, change: &Value) -> String {
    let address = change["address"].as_str().unwrap_or_default();
    match change["deposed"].as_str() {
        Some(deposed) => format!("{prefix}{address} (deposed {deposed})"),
        None => format!("{prefix}{address}"),
    }
}

/// The named fields, looked up in the change body first and in the entry itself second
/// (`previous_address` and `action_reason` sit beside `change`, not in it).
fn picked(entry: &Value, body: &Value, fields: &[&str]) -> Value {
    let mut picked = serde_json::Map::new();
    for field in fields {
        let value = match body.get(*field) {
            Some(value) => value.clone(),
            None => entry.get(*field).cloned().unwrap_or(Value::Null),
        };
        picked.insert(field.to_string(), value);
    }
    Value::Object(picked)
}

/// Every generated string of a value tree: ids, timestamps, passwords, URIs.
fn collect_generated(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                if GENERATED_ATTRIBUTES.contains(&key.as_str()) {
                    collect_strings(field, found);
                } else {
                    collect_generated(field, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_generated(item, found)),
        _ => {}
    }
}

fn collect_strings(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::String(text) if text.len() >= 4 => {
            found.insert(text.clone());
        }
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, found)),
        _ => {}
    }
}

fn replace_generated(value: &mut Value, generated: &BTreeSet<String>) {
    match value {
        Value::String(text) => {
            for random in generated {
                if text.contains(random.as_str()) {
                    *text = text.replace(random.as_str(), PLACEHOLDER);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_generated(item, generated)),
        Value::Object(fields) => fields
            .values_mut()
            .for_each(|field| replace_generated(field, generated)),
        _ => {}
    }
}

fn shown(value: Option<&Value>) -> String {
    let text = value.map_or_else(|| "(absent)".to_string(), Value::to_string);
    if text.len() > MAX_SHOWN {
        let cut = (0..=MAX_SHOWN)
            .rev()
            .find(|index| text.is_char_boundary(*index))
            .unwrap_or(0);
        format!("{}…", &text[..cut])
    } else {
        text
    }
}

/// The paths where two JSON values differ, with both sides' values.
fn differences(path: &str, ours: Option<&Value>, theirs: Option<&Value>, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Some(Value::Object(left)), Some(Value::Object(right))) => {
            let keys: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
            for key in keys {
                differences(&format!("{path}.{key}"), left.get(key), right.get(key), out);
            }
        }
        (Some(Value::Array(left)), Some(Value::Array(right))) if left.len() == right.len() => {
            for (index, (l, r)) in left.iter().zip(right).enumerate() {
                differences(&format!("{path}[{index}]"), Some(l), Some(r), out);
            }
        }
        (left, right) if left != right => out.push(format!(
            "      {path}:\n        tenantform: {}\n        terraform:  {}",
            shown(left),
            shown(right)
        )),
        _ => {}
    }
}

/// `text` with every line indented, for nested reports.
pub fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str, name: &str, previous: Option<&str>) -> Value {
        serde_json::json!({
            "prior_state": {"values": {"root_module": {"resources": [
                {"mode": "managed", "values": {"id": id}}]}}},
            "resource_changes": [{
                "address": "tenant.b",
                "previous_address": previous,
                "change": {"actions": ["no-op"], "before": {"id": id, "name": name},
                           "after": {"id": id, "name": name}}
            }],
            "resource_drift": [{"address": "tenant.b",
                                "change": {"actions": ["update"], "before": {"id": id}}}],
            "output_changes": {"x": {"actions": ["create"], "after": id}},
            "relevant_attributes": [
                {"resource": "tenant.b", "attribute": ["name"]},
                {"resource": "tenant.a", "attribute": ["id"]}
            ]
        })
    }

    #[test]
    fn generated_values_are_masked_and_scenario_fields_compared() {
        let ours = plan("t-1111", "a", Some("tenant.a"));
        let theirs = plan("t-2222", "a", Some("tenant.a"));
        assert!(compare_plans(&ours, &theirs, SCENARIO).is_empty());
        let moved_elsewhere = plan("t-2222", "a", Some("tenant.z"));
        let report = compare_plans(&ours, &moved_elsewhere, SCENARIO);
        assert_eq!(report.len(), 1, "{report:?}");
        assert!(report[0].contains(".previous_address"), "{report:?}");
        // The language oracle does not look at previous_address.
        assert!(compare_plans(&ours, &moved_elsewhere, LANGUAGE).is_empty());
    }

    #[test]
    fn drift_is_compared_in_scenarios() {
        let ours = plan("t-1111", "a", None);
        let mut theirs = plan("t-2222", "a", None);
        theirs["resource_drift"] = serde_json::json!([]);
        let report = compare_plans(&ours, &theirs, SCENARIO);
        assert!(
            report.iter().any(|line| line.contains("drift:tenant.b")),
            "{report:?}"
        );
    }

    #[test]
    fn relevant_attributes_are_compared_as_sets_in_scenarios() {
        let ours = plan("t-1111", "a", None);
        let mut theirs = plan("t-2222", "a", None);
        let reordered = serde_json::json!([
            {"resource": "tenant.a", "attribute": ["id"]},
            {"resource": "tenant.b", "attribute": ["name"]}
        ]);
        theirs["relevant_attributes"] = reordered;
        assert!(compare_plans(&ours, &theirs, SCENARIO).is_empty());
        theirs["relevant_attributes"] = serde_json::json!([
            {"resource": "tenant.a", "attribute": ["id"]}
        ]);
        let report = compare_plans(&ours, &theirs, SCENARIO);
        assert!(
            report
                .iter()
                .any(|line| line.contains("plan.relevant_attributes")),
            "{report:?}"
        );
        assert!(!compare_plans(&ours, &theirs, LANGUAGE).is_empty());
    }

    #[test]
    fn the_language_oracle_compares_the_whole_configuration() {
        let mut ours = plan("t-1111", "a", None);
        let mut theirs = plan("t-2222", "a", None);
        ours["configuration"] = serde_json::json!({"root_module": {"resources": [
            {"address": "tenant.b", "expressions": {"slug": {"constant_value": "b"}}}]}});
        theirs["configuration"] = ours["configuration"].clone();
        assert!(compare_plans(&ours, &theirs, LANGUAGE).is_empty());
        theirs["configuration"]["root_module"]["resources"][0]["expressions"]["slug"] =
            serde_json::json!({"references": ["var.slug"]});
        let report = compare_plans(&ours, &theirs, LANGUAGE);
        assert_eq!(report.len(), 1, "{report:?}");
        assert!(report[0].contains("plan.configuration"), "{report:?}");
        assert!(report[0].contains("expressions.slug"), "{report:?}");
    }
}
