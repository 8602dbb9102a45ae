//! Tests of the proposed new state and the plan and result checks.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Nesting};
use tenantform_proto::value::{AttributePath, Type, Value};

use super::*;
use crate::test_support::{block, nested, obj, s};

fn schema() -> Block {
    let contact = block(
        &[
            ("name", Attribute::required(Type::String)),
            ("handle", Attribute::computed(Type::String)),
        ],
        &[],
    );
    block(
        &[
            ("id", Attribute::computed(Type::String)),
            ("slug", Attribute::required(Type::String)),
            ("tier", Attribute::optional_computed(Type::String)),
            ("note", Attribute::optional(Type::String)),
        ],
        &[("contact", nested(Nesting::List, contact))],
    )
}

/// An object of [`schema`]: `id`, `slug`, `tier` and `note` with these `contact` blocks.
fn tenant(id: Value, slug: &str, tier: Value, note: Value, contacts: Vec<Value>) -> Value {
    obj(&[
        ("id", id),
        ("slug", s(slug)),
        ("tier", tier),
        ("note", note),
        ("contact", Value::List(contacts)),
    ])
}

/// A `contact` block of [`schema`].
fn contact(name: &str, handle: Value) -> Value {
    obj(&[("name", s(name)), ("handle", handle)])
}

#[test]
fn create_takes_the_configuration_as_is() {
    let config = tenant(
        Value::Null,
        "acme",
        Value::Null,
        Value::Null,
        vec![contact("a", Value::Null)],
    );
    assert_eq!(proposed_new(&schema(), &Value::Null, &config), config);
}

#[test]
fn computed_values_the_configuration_leaves_null_keep_their_prior_value() {
    let prior = tenant(
        s("t-1"),
        "acme",
        s("free"),
        s("old"),
        vec![contact("a", s("h1"))],
    );
    let config = tenant(
        Value::Null,
        "acme2",
        Value::Null,
        Value::Null,
        vec![contact("b", Value::Null), contact("c", Value::Null)],
    );
    let proposed = proposed_new(&schema(), &prior, &config);
    assert_eq!(proposed.get_attr("id"), Some(&s("t-1")));
    assert_eq!(proposed.get_attr("slug"), Some(&s("acme2")));
    assert_eq!(proposed.get_attr("tier"), Some(&s("free")));
    // Optional, not computed: the configuration's null wins.
    assert_eq!(proposed.get_attr("note"), Some(&Value::Null));
    assert_eq!(
        proposed.get_attr("contact"),
        Some(&Value::List(vec![
            contact("b", s("h1")),
            contact("c", Value::Null)
        ]))
    );
}

#[test]
fn a_plan_that_changes_a_configured_value_is_invalid() {
    let config = tenant(Value::Null, "acme", s("free"), Value::Null, vec![]);
    let mut planned = config.clone();
    if let Value::Object(attrs) = &mut planned {
        attrs.insert("id".into(), Value::Unknown);
    }
    assert!(plan_problems(&schema(), &config, &planned).is_empty());
    if let Value::Object(attrs) = &mut planned {
        attrs.insert("tier".into(), s("enterprise"));
        attrs.insert("note".into(), s("invented"));
    }
    let problems = plan_problems(&schema(), &config, &planned);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains(".note"), "{problems:?}");
    assert!(problems[1].contains(".tier"), "{problems:?}");
}

#[test]
fn unknown_planned_values_may_become_anything_known_ones_may_not() {
    let planned = obj(&[("id", Value::Unknown), ("slug", s("acme"))]);
    assert!(
        compatibility_problems(&planned, &obj(&[("id", s("x")), ("slug", s("acme"))])).is_empty()
    );
    let problems = compatibility_problems(&planned, &obj(&[("id", s("x")), ("slug", s("other"))]));
    assert_eq!(
        problems,
        vec![".slug: the value differs from the planned one".to_string()]
    );
}

#[test]
fn only_changed_replace_paths_count() {
    let paths = vec![AttributePath::attr("slug"), AttributePath::attr("region")];
    let prior = obj(&[("slug", s("a")), ("region", s("eu"))]);
    let same = changed_paths(&paths, &prior, &prior.clone());
    assert!(same.is_empty());
    let planned = obj(&[("slug", s("a")), ("region", Value::Unknown)]);
    assert_eq!(changed_paths(&paths, &prior, &planned), vec![&paths[1]]);
}

#[test]
fn sensitive_paths_follow_the_schema() {
    let block = block(
        &[
            ("password", Attribute::computed(Type::String).sensitive()),
            ("login", Attribute::computed(Type::String)),
        ],
        &[],
    );
    let value = Value::Object(BTreeMap::new());
    assert_eq!(
        sensitive_paths(&block, &value),
        vec![AttributePath::attr("password")]
    );
}
