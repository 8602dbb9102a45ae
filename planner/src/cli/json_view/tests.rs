use serde_json::{Value as Json, json};

use super::*;

#[test]
fn every_line_carries_the_common_fields_in_sorted_order() {
    let text = line(
        Level::Warn,
        "Warning: x",
        "diagnostic",
        vec![("diagnostic", json!({"severity": "warning"}))],
        "2026-01-02T03:04:05.000006Z",
    );
    assert!(text.ends_with('\n') && !text.trim_end().contains('\n'));
    assert_eq!(
        text.trim_end(),
        r#"{"@level":"warn","@message":"Warning: x","@module":"terraform.ui","@timestamp":"2026-01-02T03:04:05.000006Z","diagnostic":{"severity":"warning"},"type":"diagnostic"}"#
    );
}

#[test]
fn timestamps_are_rfc3339_with_microseconds_in_utc() {
    let stamp = timestamp();
    let pattern = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$").unwrap();
    assert!(pattern.is_match(&stamp), "{stamp}");
}

#[test]
fn a_line_with_fields_of_any_name_keeps_them_all() {
    let text = line(
        Level::Info,
        "m",
        "version",
        vec![("ui", json!(UI_VERSION)), ("terraform", json!("0.1.0"))],
        "t",
    );
    let parsed: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["ui"], "1.3");
    assert_eq!(parsed["terraform"], "0.1.0");
    assert_eq!(parsed["@level"], "info");
    assert_eq!(parsed["type"], "version");
}
