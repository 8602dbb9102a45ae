//! Tests of the state encoding of sensitive paths.

use serde_json::json;
use tenantform_proto::value::AttributePath;

use super::{decode, encode};

#[test]
fn paths_survive_the_state_encoding() {
    let paths = vec![
        AttributePath::attr("password"),
        AttributePath::attr("labels").then_key("owner"),
        AttributePath::attr("contact")
            .then_index(0)
            .then_attr("email"),
    ];
    let encoded = encode(&paths);
    assert_eq!(
        encoded[0],
        json!([{"type": "get_attr", "value": "password"}])
    );
    assert_eq!(
        encoded[1][1],
        json!({"type": "index", "value": {"value": "owner", "type": "string"}})
    );
    assert_eq!(decode(&encoded), paths);
}

#[test]
fn unreadable_paths_are_dropped() {
    let json = json!([
        [{"type": "get_attr", "value": "a"}],
        [{"type": "mystery", "value": "b"}],
        "not a path"
    ]);
    assert_eq!(decode(&json), vec![AttributePath::attr("a")]);
}
