//! Out-of-band changes to a tenant user's login role on PostgreSQL are drift that `tenantform`
//! sees and repairs: `ALTER ROLE ... NOLOGIN` plans an update of that user and the apply lets
//! it log in again; `DROP ROLE` plans the user's re-creation and the apply brings the role
//! back, with a new password that works and the user's privileges restored. After each repair
//! a plan has nothing left to do.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::Output;
use acceptance_tests::pg_inspect::{PgInspector, identifier, literal, schema_name};
use acceptance_tests::pg_project::{PgProject, start_postgres, user_address};
use acceptance_tests::postgres::Profile;

const TENANTS: usize = 2;

/// The plan names `address` and says `word`; `expectation` completes "the plan should".
fn assert_plan_names(plan: &Output, address: &str, word: &str, expectation: &str) {
    assert!(
        plan.stdout.contains(address),
        "the plan should name {address}\n{}",
        plan.describe()
    );
    assert!(
        plan.stdout.contains(word),
        "the plan should {expectation}\n{}",
        plan.describe()
    );
}

#[test]
fn drifted_login_roles_are_planned_and_repaired() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::example(&server, TENANTS);
    let inventory = fleet.inventory();
    let tenant = &inventory[0];
    let user = &tenant.users[0];
    let address = user_address(&tenant.slug, &user.email);
    let schema = schema_name(&tenant.slug, "main");
    let inspector = PgInspector::new(&server);

    fleet.init_and_apply();
    fleet.expect_plan_code(0, "right after apply");
    let (login, first_password) = fleet.user_credentials(&tenant.slug, &user.email);
    assert_eq!(
        inspector.can_login(&login),
        Some(true),
        "{login} after apply"
    );

    // A DBA turns the login off by hand.
    inspector.rows(&format!("ALTER ROLE {} NOLOGIN", identifier(&login)));
    let plan = fleet.expect_plan_code(2, "after ALTER ROLE NOLOGIN");
    assert_plan_names(
        &plan,
        &address,
        "update",
        &format!("update {address} in place"),
    );
    fleet.approve("apply", &[]).expect_success();
    assert_eq!(
        inspector.can_login(&login),
        Some(true),
        "the apply should let {login} log in again"
    );
    fleet.expect_plan_code(0, "after repairing NOLOGIN");
    assert!(
        server
            .psql(&server.login_dsn(&login, &first_password), "SELECT 1")
            .is_ok(),
        "{login} logs in with its password after the repair"
    );

    // A DBA drops the role by hand (what it owns and holds first, as PostgreSQL demands).
    inspector.rows(&format!(
        "DROP OWNED BY {role}; DROP ROLE {role}",
        role = identifier(&login)
    ));
    assert_eq!(inspector.can_login(&login), None, "{login} is gone");
    let plan = fleet.expect_plan_code(2, "after DROP ROLE");
    assert_plan_names(
        &plan,
        &address,
        "created",
        &format!("create {address} again"),
    );
    fleet.approve("apply", &[]).expect_success();
    assert_eq!(
        inspector.can_login(&login),
        Some(true),
        "the apply should re-create {login}"
    );
    let (login_again, new_password) = fleet.user_credentials(&tenant.slug, &user.email);
    assert_eq!(
        login_again, login,
        "the re-created user keeps its login name"
    );
    let session = server.psql(
        &server.login_dsn(&login, &new_password),
        &format!(
            "SELECT has_schema_privilege(current_user, {}, 'USAGE')",
            literal(&schema)
        ),
    );
    match session {
        Ok(usage) => assert_eq!(
            usage.trim(),
            "t",
            "the re-created {login} holds USAGE on {schema} again"
        ),
        Err(error) => panic!("the re-created {login} cannot log in: {error:#}"),
    }
    fleet.expect_plan_code(0, "after re-creating the dropped role");

    fleet.approve("destroy", &[]).expect_success();
    inspector.assert_no_tenant_objects("after destroy");
}
