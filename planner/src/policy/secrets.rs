//! Keeping secrets out of what the policies say. The policies' input, the plan's JSON
//! document, holds sensitive values in clear, as Terraform's JSON plan does, with masks
//! telling which they are (`before_sensitive`, `after_sensitive`, `sensitive_values`, and
//! `sensitive` outputs, and the root module's variables the `configuration` declares
//! `sensitive`). A message a policy writes, or an evaluation error quoting a value,
//! could repeat one; [`Redactor`] replaces each such value with `(sensitive value)`.

use serde_json::Value as Json;

/// Sensitive strings shorter than this are left alone: replacing every `on` or `42` in a
/// message would garble it, and values that short are no secrets worth the name.
const SHORTEST_SECRET: usize = 4;

/// What a sensitive value is replaced with, as plans show it.
const REDACTED: &str = "(sensitive value)";

/// The sensitive values of one document, longest first.
#[derive(Debug, Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

/// The value and mask keys that come in pairs in the JSON plan.
const MASKED: [(&str, &str); 3] = [
    ("before", "before_sensitive"),
    ("after", "after_sensitive"),
    ("values", "sensitive_values"),
];

impl Redactor {
    /// Collects every value the document's masks mark sensitive.
    pub(crate) fn of_plan_document(document: &Json) -> Redactor {
        let mut secrets = Vec::new();
        collect_masked(document, &mut secrets);
        collect_sensitive_variables(document, &mut secrets);
        secrets.retain(|s| s.chars().count() >= SHORTEST_SECRET);
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with every sensitive value replaced.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        text
    }
}

/// The values (and defaults) of the root module's variables declared `sensitive`.
fn collect_sensitive_variables(document: &Json, secrets: &mut Vec<String>) {
    let declared = document
        .pointer("/configuration/root_module/variables")
        .and_then(Json::as_object);
    for (name, declaration) in declared.into_iter().flatten() {
        if declaration.get("sensitive") != Some(&Json::Bool(true)) {
            continue;
        }
        let given = document
            .get("variables")
            .and_then(|variables| variables.get(name))
            .and_then(|variable| variable.get("value"));
        for value in given.into_iter().chain(declaration.get("default")) {
            leaves(value, secrets);
        }
    }
}

/// Walks the document, collecting the values under each mask it finds.
fn collect_masked(node: &Json, secrets: &mut Vec<String>) {
    match node {
        Json::Object(fields) => {
            for (value_key, mask_key) in MASKED {
                if let (Some(value), Some(mask)) = (fields.get(value_key), fields.get(mask_key)) {
                    collect_under(value, mask, secrets);
                }
            }
            if fields.get("sensitive") == Some(&Json::Bool(true))
                && let Some(value) = fields.get("value")
            {
                collect_under(value, &Json::Bool(true), secrets);
            }
            fields
                .values()
                .for_each(|child| collect_masked(child, secrets));
        }
        Json::Array(items) => items.iter().for_each(|item| collect_masked(item, secrets)),
        _ => {}
    }
}

/// The leaves of `value` that `mask` marks sensitive (`true` marks a whole subtree).
fn collect_under(value: &Json, mask: &Json, secrets: &mut Vec<String>) {
    match (value, mask) {
        (_, Json::Bool(true)) => leaves(value, secrets),
        (Json::Object(fields), Json::Object(masks)) => {
            for (key, mask) in masks {
                if let Some(value) = fields.get(key) {
                    collect_under(value, mask, secrets);
                }
            }
        }
        (Json::Array(items), Json::Array(masks)) => {
            for (value, mask) in items.iter().zip(masks) {
                collect_under(value, mask, secrets);
            }
        }
        _ => {}
    }
}

/// Every string and number in `value`, as text.
fn leaves(value: &Json, secrets: &mut Vec<String>) {
    match value {
        Json::String(text) => secrets.push(text.clone()),
        Json::Number(number) => secrets.push(number.to_string()),
        Json::Array(items) => items.iter().for_each(|item| leaves(item, secrets)),
        Json::Object(fields) => fields.values().for_each(|item| leaves(item, secrets)),
        Json::Null | Json::Bool(_) => {}
    }
}
