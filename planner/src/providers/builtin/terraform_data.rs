//! `terraform_data`: a value kept in state. `input` is copied to `output` when applied, a
//! change of `input` recomputes `output`, and a change of `triggers_replace` replaces the
//! object (a new `id`), as Terraform 1.15's built-in provider does.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Schema};
use tenantform_proto::value::{AttributePath, Type, Value};

use super::{DATA, attr, error};
use crate::plan::shapes::{CollectionKind, UnknownCollection};
use crate::providers::attribute_schema;
use crate::providers::{ApplyResponse, ImportedObject, PlanResponse, ProviderDiagnostic};

pub(super) fn schema() -> Schema {
    attribute_schema(&[
        ("id", Attribute::computed(Type::String)),
        ("input", Attribute::optional(Type::Dynamic)),
        ("output", Attribute::computed(Type::Dynamic)),
        ("triggers_replace", Attribute::optional(Type::Dynamic)),
    ])
}

/// Computed attributes may not be set.
pub(super) fn validate(config: &Value) -> Vec<ProviderDiagnostic> {
    if config.is_null() {
        return Vec::new();
    }
    ["id", "output"]
        .into_iter()
        .filter(|name| !attr(config, name).is_null())
        .map(|name| {
            error(
                &format!("{name:?} attribute is read-only"),
                String::new(),
                None,
            )
        })
        .collect()
}

pub(super) fn plan(prior: &Value, proposed: &Value) -> PlanResponse {
    let mut response = PlanResponse {
        planned: proposed.clone(),
        requires_replace: Vec::new(),
        planned_private: Vec::new(),
        diagnostics: Vec::new(),
        unknown_collections: Vec::new(),
    };
    let Value::Object(fields) = proposed else {
        return response;
    };
    let mut planned = fields.clone();
    let mut prior = prior.clone();
    if !prior.is_null() && attr(&prior, "triggers_replace") != attr(proposed, "triggers_replace") {
        response
            .requires_replace
            .push(AttributePath::attr("triggers_replace"));
        prior = Value::Null;
    }
    if prior.is_null() {
        planned.insert("id".into(), Value::Unknown);
    }
    let input = attr(proposed, "input");
    if attr(&prior, "input") != input {
        let output = if input.is_null() {
            Value::Null
        } else {
            // The output will have the input's type.
            if let Some(kind) = collection_kind(&input) {
                response.unknown_collections.push(UnknownCollection {
                    path: AttributePath::attr("output"),
                    kind,
                });
            }
            Value::Unknown
        };
        planned.insert("output".into(), output);
    }
    response.planned = Value::Object(planned);
    response
}

/// Whether a value is a sequence or a mapping, for an unknown value of its type.
fn collection_kind(value: &Value) -> Option<CollectionKind> {
    match value {
        Value::List(_) | Value::Set(_) | Value::Tuple(_) => Some(CollectionKind::Sequence),
        Value::Map(_) | Value::Object(_) => Some(CollectionKind::Mapping),
        _ => None,
    }
}

pub(super) fn apply(planned: &Value) -> ApplyResponse {
    let new_state = match planned {
        Value::Object(fields) => {
            let mut fields = fields.clone();
            if fields.get("output") == Some(&Value::Unknown) {
                fields.insert("output".into(), attr(planned, "input"));
            }
            if fields.get("id") == Some(&Value::Unknown) {
                fields.insert("id".into(), Value::string(uuid::Uuid::new_v4().to_string()));
            }
            Value::Object(fields)
        }
        _ => Value::Null,
    };
    ApplyResponse {
        new_state,
        private: Vec::new(),
        diagnostics: Vec::new(),
    }
}

/// An imported `terraform_data` holds its id alone.
pub(super) fn import(id: &str) -> (Vec<ImportedObject>, Vec<ProviderDiagnostic>) {
    let state = Value::Object(BTreeMap::from([
        ("id".to_string(), Value::string(id)),
        ("input".to_string(), Value::Null),
        ("output".to_string(), Value::Null),
        ("triggers_replace".to_string(), Value::Null),
    ]));
    let object = ImportedObject {
        type_name: DATA.to_string(),
        state,
        private: Vec::new(),
    };
    (vec![object], Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::obj;

    fn stored(input: &str, trigger: &str) -> Value {
        obj(&[
            ("id", Value::string("abc")),
            ("input", Value::string(input)),
            ("output", Value::string(input)),
            ("triggers_replace", Value::string(trigger)),
        ])
    }

    #[test]
    fn creation_plans_an_unknown_id_and_output_then_apply_fills_them() {
        let proposed = obj(&[
            ("id", Value::Null),
            ("input", Value::string("x")),
            ("output", Value::Null),
            ("triggers_replace", Value::Null),
        ]);
        let planned = plan(&Value::Null, &proposed).planned;
        assert_eq!(planned.get_attr("id"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("output"), Some(&Value::Unknown));
        let applied = apply(&planned).new_state;
        assert_eq!(applied.get_attr("output"), Some(&Value::string("x")));
        assert!(applied.get_attr("id").and_then(Value::as_str).is_some());
    }

    #[test]
    fn input_changes_update_and_trigger_changes_replace() {
        let prior = stored("x", "t1");
        let unchanged = plan(&prior, &prior);
        assert_eq!(unchanged.planned, prior);
        assert!(unchanged.requires_replace.is_empty());

        let new_input = obj(&[
            ("id", Value::string("abc")),
            ("input", Value::string("y")),
            ("output", Value::string("x")),
            ("triggers_replace", Value::string("t1")),
        ]);
        let update = plan(&prior, &new_input);
        assert_eq!(update.planned.get_attr("output"), Some(&Value::Unknown));
        assert_eq!(update.planned.get_attr("id"), Some(&Value::string("abc")));

        let retriggered = stored("x", "t2");
        let replace = plan(&prior, &retriggered);
        assert_eq!(
            replace.requires_replace,
            vec![AttributePath::attr("triggers_replace")]
        );
        assert_eq!(replace.planned.get_attr("id"), Some(&Value::Unknown));
    }

    #[test]
    fn computed_attributes_are_read_only() {
        let config = obj(&[("id", Value::string("x")), ("output", Value::Null)]);
        let diagnostics = validate(&config);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].summary, "\"id\" attribute is read-only");
    }
}
