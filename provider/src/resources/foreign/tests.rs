//! Tests of foreign import ids, stable ids and the `registered` marker.

use super::*;

#[test]
fn foreign_ids_name_the_tenant_and_the_live_object() {
    assert_eq!(
        parse_foreign_id("acme/schema:acme_prod"),
        Some(ForeignId {
            slug: "acme",
            kind: ForeignKind::Schema,
            name: "acme_prod"
        })
    );
    assert_eq!(
        parse_foreign_id("acme/role:acme_app"),
        Some(ForeignId {
            slug: "acme",
            kind: ForeignKind::Role,
            name: "acme_app"
        })
    );
    assert_eq!(
        schema_import_id("acme", "acme_prod"),
        "acme/schema:acme_prod"
    );
    assert_eq!(role_import_id("acme", "acme_ro"), "acme/role:acme_ro");
}

#[test]
fn other_ids_are_not_foreign() {
    for id in [
        "acme",
        "acme/main",
        "acme/schema:",
        "schema:acme_prod",
        "Acme/schema:acme_prod",
        "acme/table:x",
        "acme/jo@acme.io",
    ] {
        assert_eq!(parse_foreign_id(id), None, "{id}");
    }
    let long = format!("acme/role:{}", "r".repeat(64));
    assert_eq!(parse_foreign_id(&long), None);
}

#[test]
fn stable_ids_depend_on_type_and_name_only() {
    let id = stable_id("tenant_database", "acme_prod");
    assert_eq!(id, stable_id("tenant_database", "acme_prod"));
    assert_ne!(id, stable_id("tenant_database", "acme_test"));
    assert_ne!(id, stable_id("tenant_user", "acme_prod"));
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
}

#[test]
fn only_a_false_registered_marks_an_unregistered_object() {
    let state = |value: Value| {
        Value::Object(std::collections::BTreeMap::from([(
            REGISTERED.to_string(),
            value,
        )]))
    };
    assert!(is_unregistered(&state(Value::Bool(false))));
    assert!(!is_unregistered(&state(Value::Bool(true))));
    assert!(!is_unregistered(&state(Value::Null)));
    assert!(!is_unregistered(&state(Value::Unknown)));
}

#[test]
fn ids_without_the_tenant_are_refused_with_the_form_to_write() {
    let refusal = tenantless_id("schema:acme_prod", "tenant database").unwrap();
    let text = format!("{refusal:?}");
    assert!(text.contains("SLUG/schema:acme_prod"), "{text}");
    assert!(tenantless_id("role:acme_app", "tenant user").is_some());
    assert!(tenantless_id("acme/role:acme_app", "tenant user").is_none());
    assert!(tenantless_id("acme", "tenant").is_none());
}
