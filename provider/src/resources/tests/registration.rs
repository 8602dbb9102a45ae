//! Tests of the `registered` attribute, of the `schema`/`login` attributes and of foreign
//! import ids on the embedded backend, which has no objects outside its catalog.

use super::*;
use crate::resources::foreign::REGISTERED;

#[test]
fn created_objects_are_registered_in_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let planned = plan(
        &Managed(TenantKind),
        &Value::Null,
        &tenant_config("acme"),
        &backend,
    );
    assert_eq!(
        planned.planned.get_attr(REGISTERED),
        Some(&Value::Bool(true))
    );
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    assert_eq!(tenant.get_attr(REGISTERED), Some(&Value::Bool(true)));
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let database = create_database(&backend, &tenant_id, "main");
    assert_eq!(database.get_attr(REGISTERED), Some(&Value::Bool(true)));
    assert_eq!(
        database.get_attr("schema"),
        Some(&Value::string("tenant_acme_main"))
    );
    let user = create_user(&backend, &tenant_id, "jo@acme.io", "admin");
    assert_eq!(
        user.get_attr("login"),
        Some(&Value::string("tenant_acme_jo"))
    );
}

#[test]
fn an_unregistered_prior_plans_an_update_that_registers_it() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    let unregistered = with(&tenant, REGISTERED, Value::Bool(false));
    let config = tenant_config("acme");
    let output = plan(&Managed(TenantKind), &unregistered, &config, &backend);
    assert!(!output.diagnostics.has_errors(), "{:?}", output.diagnostics);
    assert!(output.requires_replace.is_empty());
    assert_eq!(output.planned.get_attr(REGISTERED), Some(&Value::Unknown));
    assert_eq!(output.planned.get_attr("created_at"), Some(&Value::Unknown));
    // A registered prior plans no change of it.
    let output = plan(&Managed(TenantKind), &tenant, &config, &backend);
    assert_eq!(
        output.planned.get_attr(REGISTERED),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        output.planned.get_attr("created_at"),
        tenant.get_attr("created_at")
    );
}

#[test]
fn an_invalid_schema_or_login_is_diagnosed() {
    let database = config(
        &Managed(DatabaseKind),
        &[
            ("tenant_id", Value::string("t")),
            ("name", Value::string("main")),
            ("schema", Value::string("Acme-Prod")),
        ],
    );
    let diagnostics = Managed(DatabaseKind).validate(&database);
    assert!(diagnostics.has_errors(), "{diagnostics:?}");
    let user = config(
        &Managed(UserKind),
        &[
            ("tenant_id", Value::string("t")),
            ("email", Value::string("jo@acme.io")),
            ("role", Value::string("member")),
            ("login", Value::string("bad login")),
        ],
    );
    assert!(Managed(UserKind).validate(&user).has_errors());
}

#[test]
fn the_embedded_backend_refuses_foreign_import_ids_naming_itself() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    for (resource, id) in [
        (Managed(TenantKind).type_name(), "acme/schema:acme_prod"),
        (Managed(DatabaseKind).type_name(), "acme/schema:acme_prod"),
        (Managed(UserKind).type_name(), "acme/role:acme_app"),
    ] {
        let types = all_resource_types();
        let error = types[resource].import(id, &backend).unwrap_err();
        let text = format!("{error:?}");
        assert!(
            text.contains("embedded SQLite backend") && text.contains("postgres"),
            "{resource} {id}: {text}"
        );
    }
}

#[test]
fn the_embedded_backend_refuses_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let user = create_user(&backend, &tenant_id, "jo@acme.io", "admin");
    let renamed = with(
        &config(
            &Managed(UserKind),
            &[
                ("tenant_id", tenant_id.clone()),
                ("email", Value::string("jo@acme.io")),
                ("role", Value::string("admin")),
            ],
        ),
        "login",
        Value::string("jo_renamed"),
    );
    let output = plan(&Managed(UserKind), &user, &renamed, &backend);
    assert!(output.requires_replace.is_empty(), "a rename is in place");
    let applied = Managed(UserKind).apply(
        ApplyInput {
            prior: &user,
            planned: &output.planned,
            config: &renamed,
            planned_private: &[],
        },
        &backend,
    );
    let text = format!("{:?}", applied.diagnostics);
    assert!(text.contains("needs the postgres backend"), "{text}");
    assert_eq!(applied.new_state, user, "the prior state stands");
}

#[test]
fn a_schema_rename_is_in_place_with_a_new_connection_uri() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let database = create_database(&backend, &tenant_id, "main");
    let renamed = config(
        &Managed(DatabaseKind),
        &[
            ("tenant_id", tenant_id),
            ("name", Value::string("main")),
            ("schema", Value::string("acme_live")),
        ],
    );
    let output = plan(&Managed(DatabaseKind), &database, &renamed, &backend);
    assert!(output.requires_replace.is_empty(), "a rename is in place");
    assert_eq!(
        output.planned.get_attr("schema"),
        Some(&Value::string("acme_live"))
    );
    assert_eq!(
        output.planned.get_attr("connection_uri"),
        Some(&Value::Unknown)
    );
    let unchanged = with(&renamed, "schema", Value::Null);
    let output = plan(&Managed(DatabaseKind), &database, &unchanged, &backend);
    assert_eq!(
        output.planned.get_attr("schema"),
        database.get_attr("schema")
    );
    assert_eq!(
        output.planned.get_attr("connection_uri"),
        database.get_attr("connection_uri")
    );
}

#[test]
fn a_state_from_before_registration_keeps_a_null_until_read() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    let old = with(&tenant, REGISTERED, Value::Null);
    let config = with(&tenant_config("acme"), "tier", Value::string("free"));
    let output = plan(&Managed(TenantKind), &old, &config, &backend);
    assert_eq!(output.planned.get_attr(REGISTERED), Some(&Value::Null));
    let applied = apply(&Managed(TenantKind), &old, &output.planned, &backend);
    assert_eq!(applied.new_state.get_attr(REGISTERED), Some(&Value::Null));
    let read = Managed(TenantKind).read(&old, &backend).unwrap();
    assert_eq!(read.get_attr(REGISTERED), Some(&Value::Bool(true)));
}
