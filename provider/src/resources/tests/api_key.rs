//! Tests of the `tenant_api_key` resource.

use std::collections::BTreeSet;

use super::*;
use crate::secrets::{API_KEY_PREFIX, fingerprint};
use crate::values::string_set_value;

fn scopes(items: &[&str]) -> Value {
    string_set_value(
        &items
            .iter()
            .map(std::string::ToString::to_string)
            .collect::<BTreeSet<_>>(),
    )
}

fn key_config(tenant_id: &Value, name: &str, scope_list: &[&str]) -> Value {
    config(
        &Managed(ApiKeyKind),
        &[
            ("tenant_id", tenant_id.clone()),
            ("name", Value::string(name)),
            ("scopes", scopes(scope_list)),
        ],
    )
}

#[test]
fn the_secret_is_returned_once_and_kept_from_state() {
    let (_dir, backend, _, tenant_id) = acme();
    let key_config = key_config(&tenant_id, "ci", &["read"]);

    let output = plan(&Managed(ApiKeyKind), &Value::Null, &key_config, &backend);
    assert_eq!(output.planned.get_attr("secret"), Some(&Value::Unknown));
    assert_eq!(
        output.planned.get_attr("fingerprint"),
        Some(&Value::Unknown)
    );
    let key = create(&Managed(ApiKeyKind), &key_config, &backend);
    let secret = key
        .get_attr("secret")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(secret.starts_with(API_KEY_PREFIX));
    assert_eq!(secret.len(), API_KEY_PREFIX.len() + 40);
    assert_eq!(
        key.get_attr("fingerprint"),
        Some(&Value::string(fingerprint(&secret)))
    );
    let stored = backend.api_keys().find((tenant_id.as_str().unwrap(), "ci"));
    let stored = stored.unwrap().unwrap();
    assert!(!stored.secret_hash.contains(&secret));
    assert!(crate::secrets::verify_password(
        &secret,
        &stored.secret_hash
    ));
    assert!(Managed(ApiKeyKind).schema().block.attributes["secret"].sensitive);

    let read = Managed(ApiKeyKind).read(&key, &backend).unwrap();
    assert_eq!(read, key, "read keeps the secret from state");

    let widened = with(&key_config, "scopes", scopes(&["read", "write"]));
    let output = plan(&Managed(ApiKeyKind), &read, &widened, &backend);
    assert!(output.requires_replace.is_empty());
    assert_eq!(output.planned.get_attr("secret"), key.get_attr("secret"));
    let updated = apply(&Managed(ApiKeyKind), &read, &output.planned, &backend);
    assert_conforms(&output.planned, &updated.new_state);

    let id = key.get_attr("id").unwrap().as_str().unwrap();
    let imported = Managed(ApiKeyKind).import(id, &backend).unwrap();
    assert_eq!(imported.get_attr("secret"), Some(&Value::Null));
    assert_eq!(
        imported.get_attr("fingerprint"),
        key.get_attr("fingerprint")
    );

    apply(
        &Managed(ApiKeyKind),
        &updated.new_state,
        &Value::Null,
        &backend,
    );
    assert_eq!(
        Managed(ApiKeyKind)
            .read(&updated.new_state, &backend)
            .unwrap(),
        Value::Null
    );
    assert!(
        Managed(ApiKeyKind).import(id, &backend).is_err(),
        "revoked keys cannot be imported"
    );
}

#[test]
fn name_and_expiry_changes_replace_the_key() {
    let (_dir, backend, _, tenant_id) = acme();
    let base = key_config(&tenant_id, "ci", &["read"]);
    let key = create(&Managed(ApiKeyKind), &base, &backend);

    let expiring = with(&base, "expires_at", Value::string("2030-01-01T00:00:00Z"));
    let output = plan(&Managed(ApiKeyKind), &key, &expiring, &backend);
    assert_eq!(
        output.requires_replace,
        vec![AttributePath::attr("expires_at")]
    );
    assert_eq!(output.planned.get_attr("secret"), Some(&Value::Unknown));

    let renamed = with(&base, "name", Value::string("deploy"));
    let output = plan(&Managed(ApiKeyKind), &key, &renamed, &backend);
    assert_eq!(output.requires_replace, vec![AttributePath::attr("name")]);
}

#[test]
fn invalid_names_and_times_are_diagnosed() {
    let base = key_config(&Value::string("t"), "ci", &["read"]);
    assert!(!Managed(ApiKeyKind).validate(&base).has_errors());
    for (name, value) in [
        ("expires_at", Value::string("next tuesday")),
        ("expires_at", Value::string("2030-01-01")),
        ("name", Value::string("has/slash")),
        ("scopes", scopes(&[""])),
    ] {
        let diagnostics = Managed(ApiKeyKind).validate(&with(&base, name, value.clone()));
        assert!(diagnostics.has_errors(), "{name} = {value:?}");
    }
}

#[test]
fn keys_left_by_an_interrupted_apply_are_adopted_with_a_new_secret() {
    let (_dir, backend, _, tenant_id) = acme();
    let base = key_config(&tenant_id, "ci", &["read"]);
    let key = create(&Managed(ApiKeyKind), &base, &backend);
    let output = plan(&Managed(ApiKeyKind), &Value::Null, &base, &backend);
    assert_adoption_planned(&output, &key);
    assert_eq!(
        output.diagnostics.iter().next().unwrap().severity,
        Severity::Warning
    );
    let adopted = apply_plan(&Managed(ApiKeyKind), &Value::Null, &output, &backend);
    assert_conforms(&output.planned, &adopted.new_state);
    assert_eq!(adopted.new_state.get_attr("id"), key.get_attr("id"));
    assert_ne!(adopted.new_state.get_attr("secret"), key.get_attr("secret"));
    assert_ne!(
        adopted.new_state.get_attr("fingerprint"),
        key.get_attr("fingerprint")
    );
}

#[test]
fn api_key_replacement_creates_a_new_key() {
    let (_dir, backend, _, tenant_id) = acme();
    let base = key_config(&tenant_id, "ci", &["read"]);
    let key = create(&Managed(ApiKeyKind), &base, &backend);
    assert_replaces(&Managed(ApiKeyKind), &key, &base, &backend);
}
