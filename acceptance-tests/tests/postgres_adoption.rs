//! Bulk adoption of existing tenants on PostgreSQL with `import` blocks that iterate over the
//! `tenants` data source and one `plan -generate-config-out`:
//! - a thousand tenants made by the legacy provisioning script
//!   (`fixtures/postgres/legacy_tenants.sql`'s functions, called once a tenant) are imported,
//!   applied, and the next plan is empty;
//! - a platform without the catalog (`fixtures/postgres/foreign_tenants.sql`: schemas
//!   `<slug>_prod`, roles `<slug>_app` and `<slug>_ro`) is adopted under its own names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::path::Path;
use std::time::Instant;

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::pg_inspect::PgInspector;
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::Profile;
use acceptance_tests::process::Output;

/// How many legacy tenants the bulk adoption takes over.
const FLEET: usize = 1000;
/// The file `plan -generate-config-out` writes.
const GENERATED: &str = "generated.tf";

/// The legacy tenants the data source finds, and the imports of each tenant and its `main`
/// database, keyed by slug.
const LEGACY_IMPORTS: &str = r#"
data "tenants" "legacy" {
  provider = tenant
  labels = {
    origin = "legacy-script"
  }
}

import {
  for_each = toset(data.tenants.legacy.slugs)
  to       = tenant.legacy[each.key]
  id       = each.key
}

import {
  for_each = toset(data.tenants.legacy.slugs)
  to       = tenant_database.legacy[each.key]
  id       = "${each.key}/main"
}
"#;

/// The slug of the `index`-th legacy tenant.
fn legacy_slug(index: usize) -> String {
    format!("legacy-{index:04}")
}

/// The legacy fixture's script with its tenants replaced by `count` generated ones: its
/// functions (everything before the first call), then one `legacy_tenant` call a tenant.
fn legacy_fleet_script(count: usize) -> String {
    let fixture = workspace_root().join("acceptance-tests/fixtures/postgres/legacy_tenants.sql");
    let text = std::fs::read_to_string(&fixture)
        .unwrap_or_else(|error| panic!("{}: {error}", fixture.display()));
    let calls_start = text
        .find("SELECT pg_temp.legacy_tenant(")
        .unwrap_or_else(|| panic!("{} calls legacy_tenant", fixture.display()));
    let mut script = text[..calls_start].to_string();
    let tiers = ["free", "standard", "enterprise"];
    for index in 0..count {
        script.push_str(&format!(
            "SELECT pg_temp.legacy_tenant('{slug}', 'Legacy tenant {index}', '{tier}', \
             'eu-west-1', {limit});\n",
            slug = legacy_slug(index),
            tier = tiers[index % tiers.len()],
            limit = 5 + index % 20,
        ));
    }
    script.push_str("\nCOMMIT;\n");
    script
}

/// Runs `script` with psql on the project's server.
fn run_script(fleet: &PgProject<'_>, name: &str, script: &str) {
    let path = fleet.project.scratch_dir("sql").join(name);
    std::fs::write(&path, script).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    run_fixture(fleet, &path);
}

fn run_fixture(fleet: &PgProject<'_>, path: &Path) {
    fleet
        .server
        .psql_file(&fleet.server.dsn(), path)
        .unwrap_or_else(|error| panic!("{} failed: {error:#}", path.display()));
}

/// `plan -generate-config-out=generated.tf`, expecting changes.
fn generate_config(fleet: &PgProject<'_>) -> Output {
    let generated = fleet.tenantform(&[
        "plan",
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
        &format!("-generate-config-out={GENERATED}"),
    ]);
    assert_eq!(generated.code, Some(2), "{}", generated.describe());
    generated
}

/// Runs `step`, printing and returning how long it took.
fn timed<T>(what: &str, step: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let started = Instant::now();
    let result = step();
    let took = started.elapsed();
    eprintln!("{what}: {took:.1?}");
    (result, took)
}

#[test]
fn a_thousand_legacy_tenants_are_adopted_with_one_generated_configuration() {
    let started = Instant::now();
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::from_resources(&server, "");
    fleet.init();
    // The first run creates the platform catalog, which the legacy script writes into.
    fleet.approve("apply", &[]).expect_success();
    run_script(&fleet, "legacy_fleet.sql", &legacy_fleet_script(FLEET));
    let inspector = PgInspector::new(&server);
    assert_eq!(
        inspector.value("SELECT count(*) FROM tenant_catalog.tenants"),
        FLEET.to_string()
    );
    assert_eq!(
        inspector.value("SELECT count(*) FROM tenant_catalog.databases"),
        "0",
        "the legacy script registers tenants only"
    );

    fleet.project.write_file(
        "main.tf",
        &format!(
            "{}\n{LEGACY_IMPORTS}",
            acceptance_tests::pg_project::POSTGRES_PROVIDER
        ),
    );
    let (generated, _) = timed("plan -generate-config-out", || generate_config(&fleet));
    assert!(
        generated.stdout.contains(&format!(
            "Plan: {} to import, 0 to add, 0 to change, 0 to destroy.",
            2 * FLEET
        )),
        "{}",
        generated.describe()
    );
    let text = fleet.project.read_file(GENERATED);
    assert_eq!(
        text.matches("resource \"tenant\" \"legacy\"").count(),
        1,
        "one for_each resource of tenants"
    );
    assert_eq!(
        text.matches("resource \"tenant_database\" \"legacy\"")
            .count(),
        1,
        "one for_each resource of databases"
    );
    assert!(
        text.contains("each.value.display_name") && text.contains("each.value.connection_limit"),
        "the resources read the generated locals"
    );

    let (applied, _) = timed("apply", || fleet.approve("apply", &[]));
    applied.expect_success();
    assert!(
        applied.stdout.contains(&format!(
            "Resources: {} imported, 0 added, 0 changed, 0 destroyed.",
            2 * FLEET
        )),
        "{}",
        applied.describe()
    );
    assert_eq!(fleet.state().addresses().len(), 2 * FLEET);
    timed("plan after adoption", || {
        fleet.expect_plan_code(0, "after adopting the legacy fleet")
    });
    assert_eq!(
        inspector.value("SELECT count(*) FROM tenant_catalog.databases"),
        FLEET.to_string(),
        "every legacy database is registered"
    );
    eprintln!("whole test: {:.1?}", started.elapsed());
}
