//! Real Terraform 1.15.5 and `tenantform` run the same PostgreSQL scenario on the same server,
//! one after the other: five tenants of `examples/saas-postgres` are applied, the schemas,
//! roles and privileges they leave in PostgreSQL are the same under both tools, a second plan
//! is empty, deletion protection refuses to destroy a tenant whose block was removed from the
//! configuration (and names it), and with protection off the destroy leaves nothing behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::pg_inspect::{PgSnapshot, schema_name};
use acceptance_tests::pg_project::{AUTO_APPROVE, FLEET_TIMEOUT, PgProject, start_postgres};
use acceptance_tests::postgres::Profile;
use acceptance_tests::{Output, Terraform, TerraformVersion, inventory};

const TENANTS: usize = 5;

/// One of the two tools, run on a project.
#[derive(Clone, Copy)]
enum Tool<'a> {
    Tenantform,
    Terraform(&'a Terraform),
}

impl Tool<'_> {
    fn name(self) -> &'static str {
        match self {
            Tool::Tenantform => "tenantform",
            Tool::Terraform(_) => "terraform 1.15.5",
        }
    }

    fn run(self, fleet: &PgProject<'_>, args: &[&str]) -> Output {
        match self {
            Tool::Tenantform => fleet.tenantform(args),
            Tool::Terraform(terraform) => fleet
                .project
                .terraform_command(terraform, args)
                .run(FLEET_TIMEOUT),
        }
    }

    fn approve(self, fleet: &PgProject<'_>, command: &str, extra: &[&str]) -> Output {
        let args: Vec<&str> = std::iter::once(command)
            .chain(AUTO_APPROVE)
            .chain(extra.iter().copied())
            .collect();
        self.run(fleet, &args)
    }

    fn prepare(self, fleet: &PgProject<'_>) {
        let args: &[&str] = match self {
            Tool::Tenantform => &["init", "-input=false", "-no-color"],
            // dev_overrides needs no provider installation; `get` installs the local module.
            Tool::Terraform(_) => &["get", "-no-color", "-update=false"],
        };
        self.run(fleet, args).expect_success();
    }

    fn expect_empty_plan(self, fleet: &PgProject<'_>, context: &str) {
        let plan = self.run(
            fleet,
            &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        );
        assert_eq!(
            plan.code,
            Some(0),
            "{}: plan {context} should be empty\n{}",
            self.name(),
            plan.describe()
        );
    }
}

/// The whole scenario under one tool; returns what the apply left in PostgreSQL.
fn scenario(tool: Tool<'_>, fleet: &PgProject<'_>) -> PgSnapshot {
    let inspector = fleet.inspector();
    inspector.assert_no_tenant_objects(&format!("before {}", tool.name()));
    tool.prepare(fleet);
    tool.approve(fleet, "apply", &[]).expect_success();
    let applied = inspector.snapshot();
    tool.expect_empty_plan(fleet, "after apply");

    // Protect the fleet, then drop the last tenant from the inventory.
    let protect = ["-var", "deletion_protection=true"];
    tool.approve(fleet, "apply", &protect).expect_success();
    let slugs = fleet.slugs();
    let removed = slugs.last().expect("the fleet has tenants").clone();
    let removed_schema = schema_name(&removed, "main");
    let full_inventory = fleet.project.read_file("tenants.yaml");
    fleet.edit_inventory(|text| inventory::without_tenant(text, &removed));
    let refused = tool.approve(fleet, "apply", &protect);
    refused.expect_failure();
    assert!(
        refused.combined().contains(&removed),
        "{}: the refusal should name tenant {removed}\n{}",
        tool.name(),
        refused.describe()
    );
    assert!(
        inspector.tenant_schemas().contains(&removed_schema),
        "{}: the refused apply must leave {removed_schema} in place",
        tool.name()
    );
    let refused_destroy = tool.approve(fleet, "destroy", &protect);
    refused_destroy.expect_failure();
    assert!(
        refused_destroy.combined().contains(&slugs[0]),
        "{}: the refused destroy should name the protected tenants\n{}",
        tool.name(),
        refused_destroy.describe()
    );
    assert_eq!(
        inspector.tenant_schemas().len(),
        TENANTS,
        "{}: a refused destroy changes nothing",
        tool.name()
    );

    // Lift the protection and offboard the whole fleet.
    fleet.project.write_file("tenants.yaml", &full_inventory);
    let unprotect = ["-var", "deletion_protection=false"];
    tool.approve(fleet, "apply", &unprotect).expect_success();
    tool.approve(fleet, "destroy", &unprotect).expect_success();
    inspector.assert_no_tenant_objects(&format!("after {} destroyed the fleet", tool.name()));
    applied
}

#[test]
fn terraform_and_tenantform_provision_the_same_postgres_fleet() {
    let terraform = Terraform::from_env(TerraformVersion::V1_15);
    let Some(terraform) = terraform else {
        return;
    };
    let server = start_postgres(Profile::ManagedAdmin);

    let ours = PgProject::example(&server, TENANTS);
    assert_eq!(ours.slugs().len(), TENANTS);
    let by_tenantform = scenario(Tool::Tenantform, &ours);
    drop(ours);

    let theirs = PgProject::example(&server, TENANTS);
    let by_terraform = scenario(Tool::Terraform(&terraform), &theirs);

    assert_eq!(
        by_tenantform.schemas, by_terraform.schemas,
        "schemas: tenantform (left), Terraform (right)"
    );
    assert_eq!(
        by_tenantform.roles, by_terraform.roles,
        "roles: tenantform (left), Terraform (right)"
    );
    assert_eq!(
        by_tenantform.privileges,
        by_terraform.privileges,
        "privileges: tenantform (left), Terraform (right)\n{}",
        by_terraform.describe()
    );
    assert_eq!(
        by_terraform.schemas.len(),
        TENANTS,
        "{}",
        by_terraform.describe()
    );
}
