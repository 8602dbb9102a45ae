//! Tests of what an apply with an unknown outcome keeps.

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use super::*;

fn object(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(name, value)| ((*name).to_string(), value.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

#[test]
fn a_prior_object_is_kept_tainted() {
    let prior = InstanceState {
        attributes: crate::state::StoredJson::from_json(&serde_json::json!({"id": "t-1"})),
        ..InstanceState::default()
    };
    let planned = object(&[("id", Value::string("t-1")), ("name", Value::string("new"))]);
    let UnknownOutcome::Prior(kept) = unknown_outcome(Some(&prior), &planned) else {
        panic!("the prior object should be kept");
    };
    assert!(kept.tainted);
    assert_eq!(
        kept.attributes, prior.attributes,
        "the prior object, not the planned one"
    );
}

#[test]
fn a_create_keeps_what_the_plan_knew_with_unknowns_as_null() {
    let planned = object(&[("id", Value::Unknown), ("name", Value::string("a"))]);
    assert_eq!(
        unknown_outcome(None, &planned),
        UnknownOutcome::Planned(object(&[("id", Value::Null), ("name", Value::string("a"))]))
    );
}

#[test]
fn a_delete_keeps_nothing_new() {
    assert_eq!(unknown_outcome(None, &Value::Null), UnknownOutcome::Nothing);
}

#[test]
fn the_warning_names_the_instance() {
    let warning = kept_tainted_warning("tenant.a");
    assert!(warning.summary.contains("tenant.a"));
    assert!(warning.detail.contains("tainted"));
}
