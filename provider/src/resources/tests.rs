//! Tests of the plan and apply logic of every resource type against the embedded backend.

use std::collections::BTreeMap;

use tenantform_proto::value::{AttributePath, Value};

use super::*;
use crate::backend::embedded::{EmbeddedBackend, EmbeddedSettings};
use crate::values::{int_value, object, values_equal};
use tenantform_proto::diagnostic::Severity;

fn backend(dir: &tempfile::TempDir) -> EmbeddedBackend {
    EmbeddedBackend::open(&EmbeddedSettings {
        path: dir.path().to_path_buf(),
        archive_dir: None,
        storage_root: None,
    })
    .unwrap()
}

/// A configuration value with every schema attribute present (null unless given).
fn config(resource: &dyn ResourceType, given: &[(&str, Value)]) -> Value {
    let schema = resource.schema();
    let mut attributes: BTreeMap<String, Value> = schema
        .block
        .attributes
        .keys()
        .map(|name| (name.clone(), Value::Null))
        .collect();
    for name in schema.block.block_types.keys() {
        attributes.insert(name.clone(), Value::List(Vec::new()));
    }
    for (name, value) in given {
        attributes.insert(name.to_string(), value.clone());
    }
    Value::Object(attributes)
}

fn tenant_config(slug: &str) -> Value {
    config(
        &Managed(TenantKind),
        &[
            ("slug", Value::string(slug)),
            ("display_name", Value::string("Acme")),
        ],
    )
}

fn plan(
    resource: &dyn ResourceType,
    prior: &Value,
    config: &Value,
    backend: &dyn Backend,
) -> PlanOutput {
    resource.plan(
        PlanInput {
            prior,
            proposed: config,
            config,
        },
        Some(backend),
    )
}

fn apply(
    resource: &dyn ResourceType,
    prior: &Value,
    planned: &Value,
    backend: &dyn Backend,
) -> ApplyOutput {
    apply_with_private(resource, prior, planned, &[], backend)
}

/// Applies a plan's output, handing back its private data as the plugin protocol does.
fn apply_plan(
    resource: &dyn ResourceType,
    prior: &Value,
    plan: &PlanOutput,
    backend: &dyn Backend,
) -> ApplyOutput {
    apply_with_private(
        resource,
        prior,
        &plan.planned,
        &plan.planned_private,
        backend,
    )
}

fn apply_with_private(
    resource: &dyn ResourceType,
    prior: &Value,
    planned: &Value,
    planned_private: &[u8],
    backend: &dyn Backend,
) -> ApplyOutput {
    let output = resource.apply(
        ApplyInput {
            prior,
            planned,
            config: planned,
            planned_private,
        },
        backend,
    );
    assert!(!output.diagnostics.has_errors(), "{:?}", output.diagnostics);
    output
}

/// The plan of a create names `existing` as its adoption candidate, in private data only: the
/// planned id stays unknown.
fn assert_adoption_planned(output: &PlanOutput, existing: &Value) {
    assert_eq!(output.planned.get_attr("id"), Some(&Value::Unknown));
    let candidate = super::common::adoption_candidate(&output.planned_private);
    assert_eq!(
        candidate.map(Value::String).as_ref(),
        existing.get_attr("id")
    );
}

/// Terraform's rule: every known planned value must be in the new state unchanged.
fn assert_conforms(planned: &Value, new_state: &Value) {
    let (Value::Object(planned), Value::Object(applied)) = (planned, new_state) else {
        panic!("objects expected: {planned:?} / {new_state:?}");
    };
    for (name, value) in planned {
        let applied_value = applied.get(name).unwrap_or(&Value::Null);
        assert!(
            applied_value.is_wholly_known(),
            "{name} unknown after apply"
        );
        if value.is_wholly_known() {
            assert!(
                values_equal(value, applied_value),
                "{name}: planned {value:?}, applied {applied_value:?}"
            );
        }
    }
}

fn create(resource: &dyn ResourceType, config: &Value, backend: &dyn Backend) -> Value {
    let planned = plan(resource, &Value::Null, config, backend);
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    let applied = apply(resource, &Value::Null, &planned.planned, backend);
    assert_conforms(&planned.planned, &applied.new_state);
    applied.new_state
}

/// The configuration of a tenant without deletion protection.
fn unprotected_tenant_config(slug: &str, display_name: &str) -> Value {
    let given = [
        ("slug", Value::string(slug)),
        ("display_name", Value::string(display_name)),
        ("deletion_protection", Value::Bool(false)),
    ];
    config(&Managed(TenantKind), &given)
}

/// A backend in a fresh folder (deleted when it is dropped) holding the tenant `acme`: the
/// folder, the backend, the tenant's state and its id.
fn acme() -> (tempfile::TempDir, EmbeddedBackend, Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    (dir, backend, tenant, tenant_id)
}

/// The output of a destroy of `prior`, which may fail.
fn try_destroy(resource: &dyn ResourceType, prior: &Value, backend: &dyn Backend) -> ApplyOutput {
    let input = ApplyInput {
        prior,
        planned: &Value::Null,
        config: &Value::Null,
        planned_private: &[],
    };
    resource.apply(input, backend)
}

/// A created database `name` of the tenant `tenant_id`.
fn create_database(backend: &dyn Backend, tenant_id: &Value, name: &str) -> Value {
    let given = [
        ("tenant_id", tenant_id.clone()),
        ("name", Value::string(name)),
    ];
    create(
        &Managed(DatabaseKind),
        &config(&Managed(DatabaseKind), &given),
        backend,
    )
}

/// A created user `email` with `role` of the tenant `tenant_id`.
fn create_user(backend: &dyn Backend, tenant_id: &Value, email: &str, role: &str) -> Value {
    let given = [
        ("tenant_id", tenant_id.clone()),
        ("email", Value::string(email)),
        ("role", Value::string(role)),
    ];
    create(
        &Managed(UserKind),
        &config(&Managed(UserKind), &given),
        backend,
    )
}

#[test]
fn create_plans_defaults_and_unknown_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let output = plan(
        &Managed(TenantKind),
        &Value::Null,
        &tenant_config("acme"),
        &backend,
    );
    assert!(output.diagnostics.is_empty());
    let planned = &output.planned;
    assert_eq!(planned.get_attr("tier"), Some(&Value::string("standard")));
    assert_eq!(
        planned.get_attr("region"),
        Some(&Value::string("eu-west-1"))
    );
    assert_eq!(
        planned.get_attr("deletion_protection"),
        Some(&Value::Bool(true))
    );
    assert_eq!(planned.get_attr("retention_days"), Some(&int_value(30)));
    assert_eq!(planned.get_attr("id"), Some(&Value::Unknown));
    assert_eq!(planned.get_attr("created_at"), Some(&Value::Unknown));
    assert_eq!(planned.get_attr("labels"), Some(&Value::Null));
    assert!(output.requires_replace.is_empty());
}

#[test]
fn update_keeps_computed_values_and_flags_replacement() {
    let (_dir, backend, state, _) = acme();

    let mut changed = tenant_config("acme");
    if let Value::Object(a) = &mut changed {
        a.insert("tier".into(), Value::string("enterprise"));
    }
    let output = plan(&Managed(TenantKind), &state, &changed, &backend);
    assert!(output.requires_replace.is_empty());
    assert_eq!(output.planned.get_attr("id"), state.get_attr("id"));
    assert_eq!(
        output.planned.get_attr("created_at"),
        state.get_attr("created_at")
    );
    let applied = apply(&Managed(TenantKind), &state, &output.planned, &backend);
    assert_conforms(&output.planned, &applied.new_state);

    // No change at all plans exactly the prior state.
    let noop = plan(&Managed(TenantKind), &applied.new_state, &changed, &backend);
    assert!(values_equal(&noop.planned, &applied.new_state));

    let mut moved = changed.clone();
    if let Value::Object(a) = &mut moved {
        a.insert("region".into(), Value::string("us-east-1"));
        a.insert("deletion_protection".into(), Value::Bool(false));
    }
    let unprotected = apply(
        &Managed(TenantKind),
        &state,
        &plan(
            &Managed(TenantKind),
            &state,
            &{
                let mut c = changed.clone();
                if let Value::Object(a) = &mut c {
                    a.insert("deletion_protection".into(), Value::Bool(false));
                }
                c
            },
            &backend,
        )
        .planned,
        &backend,
    )
    .new_state;
    let output = plan(&Managed(TenantKind), &unprotected, &moved, &backend);
    assert!(!output.diagnostics.has_errors(), "{:?}", output.diagnostics);
    assert_eq!(output.requires_replace, vec![AttributePath::attr("region")]);
    assert_eq!(output.planned.get_attr("id"), Some(&Value::Unknown));
}

#[test]
fn protected_tenants_cannot_be_destroyed_or_replaced() {
    let (_dir, backend, state, _) = acme();

    let destroy = Managed(TenantKind).plan(
        PlanInput {
            prior: &state,
            proposed: &Value::Null,
            config: &Value::Null,
        },
        Some(&backend),
    );
    assert!(destroy.diagnostics.has_errors());
    let error = destroy.diagnostics.iter().next().unwrap();
    assert_eq!(error.summary, "Tenant \"acme\" is protected from deletion");
    assert!(error.detail.contains("deletion_protection = false"));

    let replace = plan(
        &Managed(TenantKind),
        &state,
        &tenant_config("acme-two"),
        &backend,
    );
    assert_eq!(replace.requires_replace, vec![AttributePath::attr("slug")]);
    assert!(replace.diagnostics.has_errors());

    let refused = try_destroy(&Managed(TenantKind), &state, &backend);
    assert!(refused.diagnostics.has_errors());
    assert!(backend.tenants().find("acme").unwrap().is_some());
}

#[test]
fn unprotected_tenant_destroy_fails_while_databases_remain() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let mut config_value = tenant_config("acme");
    if let Value::Object(a) = &mut config_value {
        a.insert("deletion_protection".into(), Value::Bool(false));
    }
    let tenant = create(&Managed(TenantKind), &config_value, &backend);
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let database = create_database(&backend, &tenant_id, "main");
    assert_eq!(
        database.get_attr("schema"),
        Some(&Value::string("tenant_acme_main"))
    );
    let output = try_destroy(&Managed(TenantKind), &tenant, &backend);
    assert!(output.diagnostics.has_errors());
    assert_eq!(output.new_state, tenant);

    apply(&Managed(DatabaseKind), &database, &Value::Null, &backend);
    let output = apply(&Managed(TenantKind), &tenant, &Value::Null, &backend);
    assert_eq!(output.new_state, Value::Null);
    assert_eq!(
        Managed(TenantKind).read(&tenant, &backend).unwrap(),
        Value::Null
    );
}

#[test]
fn the_create_half_of_a_replacement_is_not_an_adoption() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    create(&Managed(TenantKind), &tenant_config("acme"), &backend);
    // A region change replaces the tenant: its create is planned while the old object
    // (same slug, old region) still exists, and must not be mistaken for a leftover.
    let moved = config(
        &Managed(TenantKind),
        &[
            ("slug", Value::string("acme")),
            ("display_name", Value::string("Acme")),
            ("region", Value::string("us-east-1")),
        ],
    );
    let output = plan(&Managed(TenantKind), &Value::Null, &moved, &backend);
    assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
    assert_eq!(output.planned.get_attr("id"), Some(&Value::Unknown));
}

#[test]
fn creates_adopt_objects_left_by_an_interrupted_apply() {
    let (_dir, backend, tenant, _) = acme();
    // The state was lost: planning the same tenant again adopts it.
    let output = plan(
        &Managed(TenantKind),
        &Value::Null,
        &tenant_config("acme"),
        &backend,
    );
    assert_eq!(output.planned.get_attr("id"), Some(&Value::Unknown));
    assert_adoption_planned(&output, &tenant);
    let warning = output.diagnostics.iter().next().unwrap();
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.summary, "Adopting existing tenant \"acme\"");
    let adopted = apply_plan(&Managed(TenantKind), &Value::Null, &output, &backend);
    assert_conforms(&output.planned, &adopted.new_state);
    assert_eq!(adopted.new_state.get_attr("id"), tenant.get_attr("id"));
    assert_eq!(
        adopted.new_state.get_attr("created_at"),
        tenant.get_attr("created_at")
    );
    assert_eq!(backend.tenants().list(()).unwrap().len(), 1);

    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let user_config = config(
        &Managed(UserKind),
        &[
            ("tenant_id", tenant_id),
            ("email", Value::string("jo@acme.io")),
            ("role", Value::string("admin")),
        ],
    );
    let user = create(&Managed(UserKind), &user_config, &backend);
    let first_password = user.get_attr("password").unwrap().clone();
    assert_eq!(
        user.get_attr("login"),
        Some(&Value::string("tenant_acme_jo"))
    );
    let output = plan(&Managed(UserKind), &Value::Null, &user_config, &backend);
    assert_adoption_planned(&output, &user);
    assert_eq!(output.planned.get_attr("password"), Some(&Value::Unknown));
    let adopted = apply_plan(&Managed(UserKind), &Value::Null, &output, &backend);
    assert_conforms(&output.planned, &adopted.new_state);
    assert_eq!(adopted.new_state.get_attr("id"), user.get_attr("id"));
    assert_ne!(
        adopted.new_state.get_attr("password"),
        Some(&first_password)
    );
}

#[test]
fn user_password_is_kept_on_update_and_read_and_null_on_import() {
    let (_dir, backend, _, tenant_id) = acme();
    let given = [
        ("tenant_id", tenant_id),
        ("email", Value::string("jo@acme.io")),
        ("role", Value::string("member")),
    ];
    let user = create(
        &Managed(UserKind),
        &config(&Managed(UserKind), &given),
        &backend,
    );
    let mut changed = config(&Managed(UserKind), &given);
    if let Value::Object(a) = &mut changed {
        a.insert("role".into(), Value::string("viewer"));
    }
    let output = plan(&Managed(UserKind), &user, &changed, &backend);
    assert_eq!(
        output.planned.get_attr("password"),
        user.get_attr("password")
    );
    let updated = apply(&Managed(UserKind), &user, &output.planned, &backend);
    assert_conforms(&output.planned, &updated.new_state);
    let read = Managed(UserKind)
        .read(&updated.new_state, &backend)
        .unwrap();
    assert_eq!(read, updated.new_state);
    let id = user.get_attr("id").unwrap().as_str().unwrap();
    let imported = Managed(UserKind).import(id, &backend).unwrap();
    assert_eq!(imported.get_attr("password"), Some(&Value::Null));
    assert_eq!(imported.get_attr("role"), Some(&Value::string("viewer")));
}

#[test]
fn grants_plan_sets_and_validate_privileges() {
    let (_dir, backend, _, tenant_id) = acme();
    let database = create_database(&backend, &tenant_id, "main");
    let user = create_user(&backend, &tenant_id, "jo@acme.io", "member");
    let privileges = Value::Set(vec![Value::string("write"), Value::string("read")]);
    let grant_config = config(
        &Managed(GrantKind),
        &[
            ("user_id", user.get_attr("id").unwrap().clone()),
            ("database_id", database.get_attr("id").unwrap().clone()),
            ("privileges", privileges),
        ],
    );
    let grant = create(&Managed(GrantKind), &grant_config, &backend);
    let noop = plan(&Managed(GrantKind), &grant, &grant_config, &backend);
    assert!(values_equal(&noop.planned, &grant));

    let invalid = config(
        &Managed(GrantKind),
        &[("privileges", Value::Set(vec![Value::string("delete")]))],
    );
    assert!(Managed(GrantKind).validate(&invalid).has_errors());
    let unknown = config(&Managed(GrantKind), &[("privileges", Value::Unknown)]);
    assert!(!Managed(GrantKind).validate(&unknown).has_errors());
}

#[test]
fn validation_reports_the_attribute() {
    let bad = config(
        &Managed(TenantKind),
        &[
            ("slug", Value::string("Acme!")),
            ("display_name", Value::string("Acme")),
            ("tier", Value::string("gold")),
            (
                "retention_days",
                Value::Number(tenantform_proto::value::Number::Float(1.5)),
            ),
            (
                "contact",
                Value::List(vec![object([
                    ("name", Value::string("Ops")),
                    ("email", Value::string("not-an-email")),
                    ("kind", Value::string("sales")),
                ])]),
            ),
        ],
    );
    let diagnostics = Managed(TenantKind).validate(&bad);
    let paths: Vec<String> = diagnostics
        .iter()
        .map(|d| d.attribute.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "slug",
            "tier",
            "retention_days",
            "contact[0].kind",
            "contact[0].email"
        ]
    );
    let unknown = config(&Managed(TenantKind), &[("slug", Value::Unknown)]);
    assert!(!Managed(TenantKind).validate(&unknown).has_errors());
}

#[test]
fn read_of_a_deleted_object_is_null() {
    let (_dir, backend, _, tenant_id) = acme();
    let database = create_database(&backend, &tenant_id, "main");
    assert_eq!(
        Managed(DatabaseKind).read(&database, &backend).unwrap(),
        database
    );
    backend
        .databases()
        .delete(database.get_attr("id").unwrap().as_str().unwrap())
        .unwrap();
    assert_eq!(
        Managed(DatabaseKind).read(&database, &backend).unwrap(),
        Value::Null
    );
}

/// `object` with the attribute `name` set to `value`.
fn with(object: &Value, name: &str, value: Value) -> Value {
    let mut changed = object.clone();
    if let Value::Object(attributes) = &mut changed {
        attributes.insert(name.to_string(), value);
    }
    changed
}

mod api_key;
mod import;
mod policy;
mod registration;
mod storage;

/// The create half of a replacement (delete, then create with the same natural key) is
/// planned while the old object still exists; once the delete has run, the create makes a new
/// object instead of failing or reviving the deleted one.
fn assert_replaces(
    resource: &dyn ResourceType,
    existing: &Value,
    config: &Value,
    backend: &dyn Backend,
) {
    let create_plan = plan(resource, &Value::Null, config, backend);
    assert!(
        !create_plan.diagnostics.has_errors(),
        "{:?}",
        create_plan.diagnostics
    );
    assert_adoption_planned(&create_plan, existing);
    let destroyed = apply(resource, existing, &Value::Null, backend);
    assert_eq!(destroyed.new_state, Value::Null);
    let created = apply_plan(resource, &Value::Null, &create_plan, backend);
    assert_conforms(&create_plan.planned, &created.new_state);
    assert_ne!(created.new_state.get_attr("id"), existing.get_attr("id"));
    let read = resource.read(&created.new_state, backend).unwrap();
    assert_eq!(read.get_attr("id"), created.new_state.get_attr("id"));
}

#[test]
fn replacements_delete_then_create_a_new_object_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let tenant_config = unprotected_tenant_config("acme", "Acme");
    let tenant = create(&Managed(TenantKind), &tenant_config, &backend);
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let database_config = config(
        &Managed(DatabaseKind),
        &[
            ("tenant_id", tenant_id.clone()),
            ("name", Value::string("main")),
        ],
    );
    let database = create(&Managed(DatabaseKind), &database_config, &backend);
    assert_replaces(
        &Managed(DatabaseKind),
        &database,
        &database_config,
        &backend,
    );
    let user_config = config(
        &Managed(UserKind),
        &[
            ("tenant_id", tenant_id.clone()),
            ("email", Value::string("jo@acme.io")),
            ("role", Value::string("admin")),
        ],
    );
    let user = create(&Managed(UserKind), &user_config, &backend);
    assert_replaces(&Managed(UserKind), &user, &user_config, &backend);
    let user = create_user(&backend, &tenant_id, "al@acme.io", "admin");
    // The replacement database, found by its natural key.
    let database = Managed(DatabaseKind).import("acme/main", &backend).unwrap();
    let grant_config = config(
        &Managed(GrantKind),
        &[
            ("user_id", user.get_attr("id").unwrap().clone()),
            ("database_id", database.get_attr("id").unwrap().clone()),
            ("privileges", Value::Set(vec![Value::string("read")])),
        ],
    );
    let grant = create(&Managed(GrantKind), &grant_config, &backend);
    assert_replaces(&Managed(GrantKind), &grant, &grant_config, &backend);
    let beta_config = unprotected_tenant_config("beta", "Beta");
    let tenant_again = create(&Managed(TenantKind), &beta_config, &backend);
    assert_replaces(&Managed(TenantKind), &tenant_again, &beta_config, &backend);
}

#[test]
fn only_plans_of_adopting_creates_carry_a_candidate() {
    use super::common::{adoption_candidate, adoption_private};
    assert_eq!(
        adoption_candidate(&adoption_private("abc")),
        Some("abc".to_string())
    );
    assert_eq!(adoption_candidate(b""), None);
    assert_eq!(adoption_candidate(&adoption_private("")), None);
    assert_eq!(adoption_candidate(b"some other provider data"), None);
}
