//! Replacing live objects on PostgreSQL: `-replace` of a tenant's database, storage, policy,
//! first user and first API key, then of the tenant itself (and with it everything naming its
//! id). Each create is planned while the object it replaces still exists under the same
//! natural key; the apply deletes that object first and then creates a new one, so both
//! applies succeed, the database schema exists again, and a plan afterwards is empty.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::pg_inspect::{PgInspector, schema_name};
use acceptance_tests::pg_project::{PgProject, module_address, start_postgres, user_address};
use acceptance_tests::postgres::Profile;

const TENANTS: usize = 1;

#[test]
fn replaced_objects_are_recreated_on_postgres() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::example(&server, TENANTS);
    let tenant = &fleet.inventory()[0];
    let schema = schema_name(&tenant.slug, "main");
    let inspector = PgInspector::new(&server);
    fleet.init_and_apply();
    let database = module_address(&tenant.slug, "tenant_database.main");
    let database_id = || {
        fleet
            .state()
            .instance(&database)
            .and_then(|instance| instance.id().map(str::to_string))
            .unwrap_or_else(|| panic!("{database} is in the state"))
    };
    let first_id = database_id();

    let replace: Vec<String> = [
        database.clone(),
        module_address(&tenant.slug, "tenant_storage.this"),
        module_address(&tenant.slug, "tenant_policy.this"),
        user_address(&tenant.slug, &tenant.users[0].email),
    ]
    .iter()
    .map(|address| format!("-replace={address}"))
    .collect();
    let replace: Vec<&str> = replace.iter().map(String::as_str).collect();
    fleet.approve("apply", &replace).expect_success();
    let second_id = database_id();
    assert_ne!(first_id, second_id, "the database was replaced");
    assert!(
        inspector.schema_owner(&schema).is_some(),
        "{schema} exists after its replacement"
    );
    fleet.expect_plan_code(0, "after replacing the tenant's objects");

    let tenant_address = format!("-replace={}", module_address(&tenant.slug, "tenant.this"));
    fleet.approve("apply", &[&tenant_address]).expect_success();
    assert!(
        inspector.schema_owner(&schema).is_some(),
        "{schema} exists after the tenant's replacement"
    );
    fleet.expect_plan_code(0, "after replacing the tenant");
    fleet.approve("destroy", &[]).expect_success();
}
