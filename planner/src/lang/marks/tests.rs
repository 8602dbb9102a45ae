use std::collections::BTreeMap;

use tenantform_proto::value::{AttributePath, Value};

use super::*;
use crate::test_support::{obj, s};

#[test]
fn constructors_without_marked_parts_are_unmarked() {
    assert_eq!(
        Sensitivity::elements(vec![Sensitivity::None, Sensitivity::None]),
        Sensitivity::None
    );
    assert_eq!(Sensitivity::attributes(BTreeMap::new()), Sensitivity::None);
    let marks = Sensitivity::elements(vec![Sensitivity::None, Sensitivity::Whole]);
    assert!(marks.any());
    assert!(!marks.is_whole());
    assert_eq!(marks.element(1), Sensitivity::Whole);
    assert_eq!(marks.collapsed(), Sensitivity::Whole);
}

#[test]
fn union_keeps_the_parts_of_both() {
    let a = Sensitivity::attributes(BTreeMap::from([("a".to_string(), Sensitivity::Whole)]));
    let b = Sensitivity::attributes(BTreeMap::from([("b".to_string(), Sensitivity::Whole)]));
    let both = a.union(b);
    assert_eq!(both.attribute("a"), Sensitivity::Whole);
    assert_eq!(both.attribute("b"), Sensitivity::Whole);
    assert_eq!(both.attribute("c"), Sensitivity::None);
    assert_eq!(both.clone().union(Sensitivity::Whole), Sensitivity::Whole);
    assert_eq!(both.clone().union(Sensitivity::None), both);
}

#[test]
fn a_marked_set_element_marks_the_set() {
    let marks = Sensitivity::elements(vec![Sensitivity::Whole, Sensitivity::None]);
    assert_eq!(
        marks.clone().fitted(&Value::Set(vec![s("a"), s("b")])),
        Sensitivity::Whole
    );
    assert_eq!(
        marks.clone().fitted(&Value::List(vec![s("a"), s("b")])),
        marks
    );
}

#[test]
fn paths_round_trip_through_marks() {
    let value = obj(&[
        ("password", s("p")),
        ("login", s("l")),
        (
            "tags",
            Value::Map(BTreeMap::from([("k".to_string(), s("v"))])),
        ),
        ("items", Value::List(vec![s("x"), s("y")])),
    ]);
    let paths = vec![
        AttributePath::attr("password"),
        AttributePath::attr("tags").then_key("k"),
        AttributePath::attr("items").then_index(1),
    ];
    let marks = Sensitivity::from_paths(&paths);
    assert_eq!(marks.attribute("password"), Sensitivity::Whole);
    assert_eq!(marks.attribute("login"), Sensitivity::None);
    let mut found = marks.paths(&value);
    found.sort();
    let mut expected = paths;
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn marked_values_add_marks() {
    let marked = Marked::plain(s("x"));
    assert_eq!(marked.marks, Sensitivity::None);
    let marked = marked.with(Sensitivity::Whole);
    assert_eq!(marked.into_parts(), (s("x"), Sensitivity::Whole));
}

#[test]
fn marks_of_a_mapping_keep_only_its_marked_entries() {
    let marks = Sensitivity::attributes(BTreeMap::from([
        ("login".to_string(), Sensitivity::None),
        ("password".to_string(), Sensitivity::Whole),
    ]));
    let only_marked = Sensitivity::attributes(BTreeMap::from([(
        "password".to_string(),
        Sensitivity::Whole,
    )]));
    assert_eq!(marks, only_marked);
    let value = obj(&[("login", s("a")), ("password", s("b"))]);
    assert_eq!(marks.clone().fitted(&value), only_marked);
    assert_eq!(marks.attribute("login"), Sensitivity::None);
}
