//! Tests of `schema_pattern`: its validation, the slug it captures and the output shape.

use super::*;

fn schema(name: &str, owner: &str, users: &[&str], owner_registered: bool) -> UnregisteredSchema {
    UnregisteredSchema {
        name: name.to_string(),
        owner: owner.to_string(),
        users: users.iter().map(ToString::to_string).collect(),
        owner_registered,
    }
}

#[test]
fn a_pattern_needs_the_slug_group() {
    assert!(compile("^(?P<slug>[a-z0-9]+)_prod$").is_ok());
    let missing = compile("^([a-z0-9]+)_prod$").unwrap_err();
    assert!(
        missing.detail.contains("no named group `slug`"),
        "{}",
        missing.detail
    );
    let invalid = compile("^(?P<slug>[a-z").unwrap_err();
    assert!(
        invalid.detail.contains("not a valid regular expression"),
        "{}",
        invalid.detail
    );
    assert!(compile(&"a".repeat(2000)).is_err());
}

#[test]
fn only_matches_with_a_valid_slug_are_candidates() {
    let regex = compile("^(?P<slug>[a-z0-9]+)_prod$").unwrap();
    assert_eq!(slug_of(&regex, "acme_prod"), Some("acme".to_string()));
    assert_eq!(slug_of(&regex, "acme_test"), None);
    // Two characters are no slug.
    assert_eq!(slug_of(&regex, "ab_prod"), None);
    assert_eq!(slug_of(&regex, "9lives_prod"), None);
}

#[test]
fn candidates_list_the_owner_first_and_the_import_ids() {
    let acme = schema("acme_prod", "acme_app", &["acme_ro"], false);
    let value = candidate_value("acme", &acme);
    assert_eq!(
        value,
        object([
            ("slug", Value::string("acme")),
            ("schema", Value::string("acme_prod")),
            ("owner", Value::string("acme_app")),
            (
                "roles",
                Value::List(vec![Value::string("acme_app"), Value::string("acme_ro")])
            ),
            ("import_id", Value::string("acme/schema:acme_prod")),
        ])
    );
    let roles = role_values("acme", &acme);
    assert_eq!(roles.len(), 2);
    assert_eq!(
        roles[1],
        object([
            ("key", Value::string("acme/acme_ro")),
            ("slug", Value::string("acme")),
            ("schema", Value::string("acme_prod")),
            ("role", Value::string("acme_ro")),
            ("owner", Value::Bool(false)),
            ("import_id", Value::string("acme/role:acme_ro")),
        ])
    );
    let registered_owner = schema("acme_prod", "acme_app", &[], true);
    assert!(role_values("acme", &registered_owner).is_empty());
}
