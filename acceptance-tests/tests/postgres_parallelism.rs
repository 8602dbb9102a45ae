//! A hundred tenants, each with the seven resource kinds, applied to PostgreSQL by `tenantform`
//! with `-parallelism=20`: concurrent role, schema and privilege changes must all succeed
//! (PostgreSQL raises "tuple concurrently updated" on concurrent GRANTs unless the provider
//! serializes them), the state must hold every instance, a second plan must be empty and the
//! destroy must leave no tenant object behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Instant;

use acceptance_tests::generate::tenant_name;
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::Profile;

const TENANTS: usize = 100;
const KINDS_PER_TENANT: usize = 7;

/// Every resource kind of one tenant, with names derived from `index`.
fn tenant_resources(index: usize) -> String {
    let name = tenant_name(index);
    let slug = format!("p{name}");
    let tier = ["free", "standard", "enterprise"][index % 3];
    format!(
        r#"
resource "tenant" "{name}" {{
  slug                = "{slug}"
  display_name        = "Parallel tenant {index}"
  tier                = "{tier}"
  deletion_protection = false
}}

resource "tenant_database" "{name}" {{
  tenant_id        = tenant.{name}.id
  name             = "main"
  connection_limit = 10
}}

resource "tenant_user" "{name}" {{
  tenant_id = tenant.{name}.id
  email     = "owner@{slug}.example"
  role      = "admin"
}}

resource "tenant_grant" "{name}" {{
  user_id     = tenant_user.{name}.id
  database_id = tenant_database.{name}.id
  privileges  = ["read", "write"]
}}

resource "tenant_storage" "{name}" {{
  tenant_id = tenant.{name}.id
  quota_gb  = 1
}}

resource "tenant_api_key" "{name}" {{
  tenant_id = tenant.{name}.id
  name      = "ci"
  scopes    = ["read"]
}}

resource "tenant_policy" "{name}" {{
  tenant_id    = tenant.{name}.id
  mfa_required = {mfa}
  session_ttl  = "8h"
  ip_allowlist = []
}}
"#,
        mfa = index.is_multiple_of(2),
    )
}

/// Fails with the output when a run printed an error (or a panic) despite its exit code.
fn assert_no_error_output(output: &acceptance_tests::Output) {
    let combined = output.combined();
    let complaint = combined
        .lines()
        .find(|line| line.contains("Error") || line.contains("error:") || line.contains("panic"));
    assert!(
        complaint.is_none(),
        "`{}` printed an error: {:?}\n{}",
        output.command,
        complaint,
        output.describe()
    );
}

#[test]
fn a_hundred_tenants_apply_in_parallel_on_postgres() {
    let server = start_postgres(Profile::ManagedAdmin);
    let resources: String = (0..TENANTS).map(tenant_resources).collect();
    let fleet = PgProject::from_resources(&server, &resources);
    fleet.init();

    let started = Instant::now();
    let applied = fleet.approve("apply", &["-parallelism=20"]);
    applied.expect_success();
    eprintln!(
        "apply of {} resources with -parallelism=20: {:?}",
        TENANTS * KINDS_PER_TENANT,
        started.elapsed()
    );
    assert_no_error_output(&applied);
    assert!(
        applied.stderr.trim().is_empty(),
        "apply wrote to stderr\n{}",
        applied.describe()
    );
    let state = fleet.state();
    assert_eq!(
        state.instances.len(),
        TENANTS * KINDS_PER_TENANT,
        "instances in the state"
    );
    let inspector = fleet.inspector();
    assert_eq!(inspector.tenant_schemas().len(), TENANTS, "tenant schemas");
    assert_eq!(
        inspector.tenant_roles().len(),
        2 * TENANTS,
        "an owner role and a login per tenant"
    );

    fleet.expect_plan_code(0, "after the parallel apply");

    let destroyed = fleet.approve("destroy", &["-parallelism=20"]);
    destroyed.expect_success();
    assert_no_error_output(&destroyed);
    assert!(
        fleet.state().instances.is_empty(),
        "state after destroy: {:?}",
        fleet.state().addresses()
    );
    inspector.assert_no_tenant_objects("after the parallel destroy");
}
