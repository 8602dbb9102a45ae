//! Tests of the `tenant_storage` resource.

use super::*;

fn create_storage(backend: &dyn Backend, tenant_id: &Value, quota: i64) -> Value {
    create(
        &Managed(StorageKind),
        &storage_config(tenant_id, quota),
        backend,
    )
}

fn storage_config(tenant_id: &Value, quota: i64) -> Value {
    config(
        &Managed(StorageKind),
        &[
            ("tenant_id", tenant_id.clone()),
            ("quota_gb", int_value(quota)),
        ],
    )
}

#[test]
fn storage_plans_applies_reads_and_updates_in_place() {
    let (_dir, backend, _, tenant_id) = acme();

    let output = plan(
        &Managed(StorageKind),
        &Value::Null,
        &storage_config(&tenant_id, 5),
        &backend,
    );
    assert_eq!(output.planned.get_attr("path"), Some(&Value::Unknown));
    assert_eq!(output.planned.get_attr("used_bytes"), Some(&Value::Unknown));
    let storage = create_storage(&backend, &tenant_id, 5);
    let path = storage
        .get_attr("path")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(std::path::Path::new(&path).is_dir());
    assert_eq!(storage.get_attr("used_bytes"), Some(&int_value(0)));

    std::fs::write(std::path::Path::new(&path).join("f"), [0u8; 100]).unwrap();
    let read = Managed(StorageKind).read(&storage, &backend).unwrap();
    assert_eq!(read.get_attr("used_bytes"), Some(&int_value(100)));
    let same = plan(
        &Managed(StorageKind),
        &read,
        &storage_config(&tenant_id, 5),
        &backend,
    );
    assert!(values_equal(&same.planned, &read), "no change after a read");

    let bigger = plan(
        &Managed(StorageKind),
        &read,
        &storage_config(&tenant_id, 50),
        &backend,
    );
    assert!(bigger.requires_replace.is_empty());
    let updated = apply(&Managed(StorageKind), &read, &bigger.planned, &backend);
    assert_conforms(&bigger.planned, &updated.new_state);
    assert_eq!(updated.new_state.get_attr("quota_gb"), Some(&int_value(50)));

    let moved = plan(
        &Managed(StorageKind),
        &updated.new_state,
        &storage_config(&Value::string("another-tenant"), 50),
        &backend,
    );
    assert_eq!(
        moved.requires_replace,
        vec![AttributePath::attr("tenant_id")]
    );

    apply(
        &Managed(StorageKind),
        &updated.new_state,
        &Value::Null,
        &backend,
    );
    assert!(!std::path::Path::new(&path).exists());
    assert_eq!(
        Managed(StorageKind)
            .read(&updated.new_state, &backend)
            .unwrap(),
        Value::Null
    );
}

#[test]
fn quota_must_be_a_whole_number_of_at_least_one() {
    for bad in [
        int_value(0),
        Value::Number(tenantform_proto::value::Number::Float(1.5)),
    ] {
        let config = config(
            &Managed(StorageKind),
            &[("tenant_id", Value::string("t")), ("quota_gb", bad)],
        );
        let diagnostics = Managed(StorageKind).validate(&config);
        assert!(diagnostics.has_errors());
    }
    let config = config(
        &Managed(StorageKind),
        &[
            ("tenant_id", Value::string("t")),
            ("quota_gb", int_value(1)),
        ],
    );
    assert!(!Managed(StorageKind).validate(&config).has_errors());
}

#[test]
fn storage_left_by_an_interrupted_apply_is_adopted() {
    let (_dir, backend, _, tenant_id) = acme();
    let storage = create_storage(&backend, &tenant_id, 5);
    let output = plan(
        &Managed(StorageKind),
        &Value::Null,
        &storage_config(&tenant_id, 7),
        &backend,
    );
    assert_adoption_planned(&output, &storage);
    let adopted = apply_plan(&Managed(StorageKind), &Value::Null, &output, &backend);
    assert_conforms(&output.planned, &adopted.new_state);
    assert_eq!(adopted.new_state.get_attr("id"), storage.get_attr("id"));
    assert_eq!(adopted.new_state.get_attr("path"), storage.get_attr("path"));
}

#[test]
fn storage_replacement_creates_a_new_object() {
    let (_dir, backend, _, tenant_id) = acme();
    let storage = create_storage(&backend, &tenant_id, 5);
    assert_replaces(
        &Managed(StorageKind),
        &storage,
        &storage_config(&tenant_id, 5),
        &backend,
    );
}
