//! Tests of the shapes of unknown values.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Nesting};
use tenantform_proto::value::{AttributePath, PathStep, Type, Value};

use super::*;
use crate::test_support::{block, map_of_strings, nested, obj};

fn schema() -> Block {
    let item = block(&[("labels", Attribute::computed(map_of_strings()))], &[]);
    let owner = Type::Object(BTreeMap::from([(
        "names".into(),
        Type::List(Box::new(Type::String)),
    )]));
    block(
        &[
            ("id", Attribute::computed(Type::String)),
            (
                "ids",
                Attribute::computed(Type::List(Box::new(Type::String))),
            ),
            (
                "tags",
                Attribute::computed(Type::Set(Box::new(Type::String))),
            ),
            ("owner", Attribute::computed(owner)),
        ],
        &[("item", nested(Nesting::List, item))],
    )
}

fn at(steps: &[PathStep], kind: CollectionKind) -> UnknownCollection {
    UnknownCollection {
        path: AttributePath(steps.to_vec()),
        kind,
    }
}

fn attr(name: &str) -> PathStep {
    PathStep::Attribute(name.into())
}

/// An object whose attributes `names` are all unknown.
fn all_unknown(names: &[&str]) -> Value {
    Value::Object(
        names
            .iter()
            .map(|name| (name.to_string(), Value::Unknown))
            .collect(),
    )
}

#[test]
fn unknown_collections_take_their_kind_from_the_schema() {
    let value = all_unknown(&["id", "ids", "tags", "owner", "item"]);
    let found = unknown_collections(&schema(), &value);
    assert_eq!(
        found,
        vec![
            at(&[attr("ids")], CollectionKind::Sequence),
            at(&[attr("owner")], CollectionKind::Mapping),
            at(&[attr("tags")], CollectionKind::Sequence),
            at(&[attr("item")], CollectionKind::Sequence),
        ]
    );
}

#[test]
fn unknowns_inside_known_values_are_found_at_their_paths() {
    let value = obj(&[
        ("id", Value::string("x")),
        ("ids", Value::List(vec![Value::Unknown])),
        ("tags", Value::Null),
        ("owner", obj(&[("names", Value::Unknown)])),
        (
            "item",
            Value::List(vec![obj(&[("labels", Value::Unknown)]), Value::Unknown]),
        ),
    ]);
    let found = unknown_collections(&schema(), &value);
    assert_eq!(
        found,
        vec![
            at(&[attr("owner"), attr("names")], CollectionKind::Sequence),
            at(
                &[attr("item"), PathStep::IntKey(0), attr("labels")],
                CollectionKind::Mapping
            ),
            at(
                &[attr("item"), PathStep::IntKey(1)],
                CollectionKind::Mapping
            ),
        ]
    );
}

#[test]
fn known_objects_have_no_unknown_collections() {
    let value = obj(&[("id", Value::Unknown), ("ids", Value::List(vec![]))]);
    assert!(unknown_collections(&schema(), &value).is_empty());
}
