//! The rows of changed attributes: leaves of objects and maps, whole sequences, unknowns,
//! long texts, replacements, and no rows for deletions.

use super::*;
use crate::plan::markdown::attributes::{AttributeRow, Cell, resource_rows};

fn value(text: &str) -> Cell {
    Cell::Value(text.into())
}

fn note(text: &str) -> Cell {
    Cell::Note(text.into())
}

fn summary(rows: &[AttributeRow]) -> Vec<(String, Cell, Cell, bool, bool)> {
    rows.iter()
        .map(|r| {
            (
                r.path.clone(),
                r.before.clone(),
                r.after.clone(),
                r.forces_replacement,
                r.text_diff.is_some(),
            )
        })
        .collect()
}

#[test]
fn updates_show_the_leaves_that_differ() {
    let before = obj(&[
        ("name", s("a")),
        (
            "labels",
            Value::Map([("tier".to_string(), s("free")), ("old".to_string(), s("x"))].into()),
        ),
        (
            "settings",
            obj(&[("ttl", s("8h")), ("mfa", Value::Bool(false))]),
        ),
        ("cidrs", Value::List(vec![s("10.0.0.0/8")])),
        ("notes", s("one\ntwo\n")),
        ("same", s("kept")),
    ]);
    let after = obj(&[
        ("name", s("b")),
        (
            "labels",
            Value::Map(
                [
                    ("tier".to_string(), s("gold")),
                    ("my key".to_string(), s("y")),
                ]
                .into(),
            ),
        ),
        (
            "settings",
            obj(&[("ttl", s("8h")), ("mfa", Value::Bool(true))]),
        ),
        (
            "cidrs",
            Value::List(vec![s("10.0.0.0/8"), s("192.0.2.0/24")]),
        ),
        ("notes", Value::Unknown),
        ("same", s("kept")),
    ]);
    let mut update = change("tenant.a", Action::DeleteThenCreate, before, after);
    update.requires_replace = vec![AttributePath::attr("name")];
    assert_eq!(
        summary(&resource_rows(&update)),
        [
            (
                "cidrs".into(),
                value("[\"10.0.0.0/8\"]"),
                value("[\"10.0.0.0/8\", \"192.0.2.0/24\"]"),
                false,
                false
            ),
            (
                "labels[\"my key\"]".into(),
                value("null"),
                value("\"y\""),
                false,
                false
            ),
            (
                "labels[\"old\"]".into(),
                value("\"x\""),
                value("null"),
                false,
                false
            ),
            (
                "labels[\"tier\"]".into(),
                value("\"free\""),
                value("\"gold\""),
                false,
                false
            ),
            ("name".into(), value("\"a\""), value("\"b\""), true, false),
            (
                "notes".into(),
                note("(2 lines)"),
                note("(known after apply)"),
                false,
                false
            ),
            (
                "settings.mfa".into(),
                value("false"),
                value("true"),
                false,
                false
            ),
        ]
    );
}

#[test]
fn long_texts_are_diffed_and_deletions_have_no_rows() {
    let long = "x".repeat(100);
    let update = change(
        "tenant.a",
        Action::Update,
        obj(&[("doc", s(&long))]),
        obj(&[("doc", s(&format!("{long}y")))]),
    );
    let rows = resource_rows(&update);
    assert_eq!(rows[0].before, note("(100 characters)"));
    assert_eq!(
        rows[0].text_diff.as_deref(),
        Some(format!("@@ -1 +1 @@\n-{long}\n+{long}y\n").as_str())
    );
    let delete = change(
        "tenant.a",
        Action::Delete,
        obj(&[("doc", s("x"))]),
        Value::Null,
    );
    assert!(resource_rows(&delete).is_empty());
}
