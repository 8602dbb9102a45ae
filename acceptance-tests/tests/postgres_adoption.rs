//! Bulk adoption of existing tenants on PostgreSQL with `import` blocks that iterate over the
//! `tenants` data source and one `plan -generate-config-out`:
//! - a thousand tenants made by the legacy provisioning script
//!   (`fixtures/postgres/legacy_tenants.sql`'s functions, called once a tenant) are imported,
//!   applied, and the next plan is empty;
//! - a platform without the catalog (`fixtures/postgres/foreign_tenants.sql`: schemas
//!   `<slug>_prod`, roles `<slug>_app` and `<slug>_ro`) is adopted under its own names;
//! - Terraform 1.15.5 plans and applies the import of one such tenant with plain `import`
//!   blocks exactly as tenantform does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::path::Path;
use std::time::Instant;

use acceptance_tests::archives::assert_tenants_archived;
use acceptance_tests::binaries::workspace_root;
use acceptance_tests::pg_inspect::PgInspector;
use acceptance_tests::pg_project::{AUTO_APPROVE, FLEET_TIMEOUT};
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::Output;
use acceptance_tests::{Terraform, TerraformVersion};

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
            "Plan: {} to import, 0 to add, {FLEET} to change, 0 to destroy.",
            2 * FLEET
        )),
        "the databases are read by the import and registered by the apply:\n{}",
        generated.describe()
    );
    assert_eq!(
        inspector.value("SELECT count(*) FROM tenant_catalog.databases"),
        "0",
        "importing and planning write nothing"
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
            "Resources: {} imported, 0 added, {FLEET} changed, 0 destroyed.",
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

/// The tenants of `fixtures/postgres/foreign_tenants.sql`.
const FOREIGN: [&str; 8] = [
    "acme", "globex", "initech", "umbrella", "hooli", "wayne", "stark", "tyrell",
];

/// The candidates `schema_pattern` finds, and the imports of each tenant, its database and
/// its roles.
const FOREIGN_IMPORTS: &str = r#"
data "tenants" "foreign" {
  provider       = tenant
  schema_pattern = "^(?P<slug>[a-z0-9]+)_prod$"
}

import {
  for_each = { for c in data.tenants.foreign.candidates : c.slug => c }
  to       = tenant.adopted[each.key]
  id       = each.value.import_id
}

import {
  for_each = { for c in data.tenants.foreign.candidates : c.slug => c }
  to       = tenant_database.adopted[each.key]
  id       = each.value.import_id
}

import {
  for_each = { for r in data.tenants.foreign.candidate_roles : r.key => r }
  to       = tenant_user.adopted[each.key]
  id       = each.value.import_id
}
"#;

/// Counts of catalog rows: tenants, databases, users.
fn catalog_counts(inspector: &PgInspector<'_>) -> String {
    inspector.value(
        "SELECT (SELECT count(*) FROM tenant_catalog.tenants WHERE deleted_at IS NULL) || ' ' || \
         (SELECT count(*) FROM tenant_catalog.databases) || ' ' || \
         (SELECT count(*) FROM tenant_catalog.users)",
    )
}

/// `text` with the `attribute` of the locals entry whose value is `name` set to `renamed`.
fn with_renamed(text: &str, attribute: &str, name: &str, renamed: &str) -> String {
    let old = format!("= \"{name}\"");
    let mut changed = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.trim_start().starts_with(attribute) && line.ends_with(&old) {
                changed += 1;
                line.replace(&old, &format!("= \"{renamed}\""))
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_eq!(changed, 1, "one {attribute} {name:?} in the generated file");
    lines.join("\n") + "\n"
}

/// `text` without the locals entries of tenant `slug` (keys `"slug"` and `"slug/..."`),
/// or only those of its databases and users when `keep_tenant`; `expected` entries go.
fn without_tenant(text: &str, slug: &str, keep_tenant: bool, expected: usize) -> String {
    let mut out = Vec::new();
    let mut skipping: Option<usize> = None;
    let mut map = String::new();
    let mut removed = 0;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(depth) = skipping {
            if indent == depth && line.trim() == "}" {
                skipping = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if indent == 2 && trimmed.ends_with("= {") {
            map = trimmed.split_whitespace().next().unwrap_or("").to_string();
        }
        let own_key = trimmed.starts_with(&format!("\"{slug}\" = {{"))
            || trimmed.starts_with(&format!("\"{slug}/"));
        let kept = keep_tenant && map == "tenant_adopted_import";
        if own_key && trimmed.ends_with('{') && !kept {
            skipping = Some(indent);
            removed += 1;
            continue;
        }
        out.push(line);
    }
    assert_eq!(removed, expected, "locals entries of {slug} removed");
    out.join("\n") + "\n"
}

/// A server with the foreign fixture and a configuration importing it, after
/// `plan -generate-config-out`: the plan imports and registers every object, and writes
/// nothing.
fn foreign_platform_with_generated_config(server: &PostgresServer) -> PgProject<'_> {
    let fleet = PgProject::from_resources(server, "");
    fleet.init();
    fleet.approve("apply", &[]).expect_success();
    run_fixture(
        &fleet,
        &workspace_root().join("acceptance-tests/fixtures/postgres/foreign_tenants.sql"),
    );
    let inspector = PgInspector::new(server);
    assert_eq!(
        catalog_counts(&inspector),
        "0 0 0",
        "the fixture has no catalog"
    );
    fleet.project.write_file(
        "main.tf",
        &format!(
            "{}\n{FOREIGN_IMPORTS}",
            acceptance_tests::pg_project::POSTGRES_PROVIDER
        ),
    );
    let generated = generate_config(&fleet);
    let tenants = FOREIGN.len();
    assert!(
        generated.stdout.contains(&format!(
            "Plan: {} to import, 0 to add, {} to change, 0 to destroy.",
            4 * tenants,
            4 * tenants
        )),
        "every imported object is registered by an in-place update:\n{}",
        generated.describe()
    );
    assert!(
        generated
            .stdout
            .contains("tenant_user.adopted[\"acme/acme_ro\"] will be updated in-place"),
        "{}",
        generated.stdout
    );
    assert_eq!(
        catalog_counts(&inspector),
        "0 0 0",
        "importing and planning write nothing"
    );
    fleet
}

/// The catalog holds every foreign object, and the next plan is empty.
fn expect_all_registered(fleet: &PgProject<'_>, inspector: &PgInspector<'_>, context: &str) {
    let tenants = FOREIGN.len();
    assert_eq!(
        catalog_counts(inspector),
        format!("{tenants} {tenants} {}", 2 * tenants),
        "{context}: the apply registers every adopted object"
    );
    fleet.expect_plan_code(0, context);
}

#[test]
fn a_platform_without_the_catalog_is_adopted_under_its_own_names() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = foreign_platform_with_generated_config(&server);
    let inspector = PgInspector::new(&server);
    let tenants = FOREIGN.len();
    let text = fleet.project.read_file(GENERATED);
    for expected in [
        "schema           = \"acme_prod\"",
        "login            = \"acme_app\"",
        "email            = \"acme_ro@acme.adopted.invalid\"",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    assert!(
        !text.contains("ops_tools"),
        "the pattern leaves other schemas out"
    );

    // The generated file applies as generated, in whatever order the objects register.
    let applied = fleet.approve("apply", &[]);
    applied.expect_success();
    assert!(
        applied.stdout.contains(&format!(
            "Resources: {} imported, 0 added, {} changed, 0 destroyed.",
            4 * tenants,
            4 * tenants
        )),
        "{}",
        applied.describe()
    );
    expect_all_registered(&fleet, &inspector, "after adopting the foreign platform");
    rename_a_login(&fleet, &inspector);
    offboard_globex(&fleet, &inspector, &[]);
}

/// Registration and offboarding in the orders a parallel apply may take: databases and
/// users before their tenant (which they register with its defaults; the tenant's own
/// registration then sets its configured values), one at a time, and a login that owns its
/// schema destroyed before that schema's database.
#[test]
fn adoption_and_offboarding_do_not_depend_on_the_order() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = foreign_platform_with_generated_config(&server);
    let inspector = PgInspector::new(&server);
    let text = fleet.project.read_file(GENERATED);
    let text = with_renamed(&text, "display_name", "acme", "Acme Corporation");
    fleet.project.write_file(GENERATED, &text);

    let children = fleet.approve(
        "apply",
        &[
            "-target=tenant_database.adopted",
            "-target=tenant_user.adopted",
            "-parallelism=1",
        ],
    );
    children.expect_success();
    assert_eq!(
        catalog_counts(&inspector),
        format!("{0} {0} {1}", FOREIGN.len(), 2 * FOREIGN.len()),
        "databases and users register their tenants\n{}",
        children.describe()
    );
    assert_eq!(
        inspector.value("SELECT display_name FROM tenant_catalog.tenants WHERE slug = 'acme'"),
        "acme",
        "a tenant registered by its database has the import's defaults"
    );
    fleet.approve("apply", &["-parallelism=1"]).expect_success();
    assert_eq!(
        inspector.value("SELECT display_name FROM tenant_catalog.tenants WHERE slug = 'acme'"),
        "Acme Corporation",
        "the tenant's own registration sets its configured values"
    );
    expect_all_registered(&fleet, &inspector, "after registering children first");

    // The login that owns globex_prod goes first: the schema is handed to an owner role.
    let text = fleet.project.read_file(GENERATED);
    fleet
        .project
        .write_file(GENERATED, &without_tenant(&text, "globex", true, 3));
    let login_first = fleet.approve(
        "apply",
        &["-target=tenant_user.adopted[\"globex/globex_app\"]"],
    );
    assert_eq!(
        login_first.code,
        Some(0),
        "{}\n--- server log:\n{}",
        login_first.describe(),
        server.log()
    );
    assert_eq!(
        inspector.can_login("globex_app"),
        None,
        "the login is dropped"
    );
    let owner = inspector.schema_owner("globex_prod");
    assert_eq!(
        owner.as_deref(),
        Some("tenant_globex_globex_prod_owner"),
        "the schema outlives its login"
    );
    let handed_over = inspector.value(
        "SELECT count(*) FROM tenant_catalog.audit_log WHERE resource = 'tenant_database' \
         AND action = 'update' AND after LIKE '%\"owner_role\":\"tenant_globex_globex_prod_owner\"%'",
    );
    assert_eq!(handed_over, "1", "the audit log records the new owner");
    offboard_globex(&fleet, &inspector, &["-parallelism=1"]);
}

/// Renames of a login and of a schema are in-place updates; the role keeps its password
/// and grants, the schema its data.
fn rename_a_login(fleet: &PgProject<'_>, inspector: &PgInspector<'_>) {
    let server = fleet.server;
    let text = fleet.project.read_file(GENERATED);
    let text = with_renamed(&text, "login", "acme_ro", "acme_reader");
    let text = with_renamed(&text, "schema", "initech_prod", "initech_live");
    fleet.project.write_file(GENERATED, &text);
    let renamed = fleet.tenantform(&["plan", "-input=false", "-no-color"]);
    renamed.expect_success();
    assert!(
        renamed
            .stdout
            .contains("tenant_user.adopted[\"acme/acme_ro\"] will be updated in-place")
            && renamed
                .stdout
                .contains("tenant_database.adopted[\"initech\"] will be updated in-place")
            && renamed
                .stdout
                .contains("0 to add, 2 to change, 0 to destroy"),
        "{}",
        renamed.describe()
    );
    fleet.approve("apply", &[]).expect_success();
    let reader = server.login_dsn("acme_reader", "acme-ro-password");
    let rows = server
        .psql(&reader, "SELECT count(*) FROM acme_prod.orders")
        .unwrap_or_else(|error| panic!("the renamed role reads its data: {error:#}"));
    assert_eq!(rows.trim(), "3");
    assert_eq!(inspector.can_login("acme_ro"), None, "the old name is gone");
    assert_eq!(
        inspector.schema_owner("initech_live").as_deref(),
        Some("initech_app")
    );
    assert_eq!(inspector.schema_owner("initech_prod"), None);
    let app = server.login_dsn("initech_app", "initech-app-password");
    let rows = server
        .psql(&app, "SELECT count(*) FROM initech_live.orders")
        .unwrap_or_else(|error| panic!("the renamed schema keeps its data: {error:#}"));
    assert_eq!(rows.trim(), "2");
    fleet.expect_plan_code(0, "after the rename");
}

/// Offboarding an adopted tenant archives and drops its original objects: its databases
/// and users first (in any order; unless already gone), then the tenant, which the catalog
/// keeps while anything of it is left.
fn offboard_globex(fleet: &PgProject<'_>, inspector: &PgInspector<'_>, extra: &[&str]) {
    let tenants = FOREIGN.len();
    let text = fleet.project.read_file(GENERATED);
    if text.contains("\"globex/") {
        fleet
            .project
            .write_file(GENERATED, &without_tenant(&text, "globex", true, 3));
    }
    fleet.approve("apply", extra).expect_success();
    let text = fleet.project.read_file(GENERATED);
    fleet
        .project
        .write_file(GENERATED, &without_tenant(&text, "globex", false, 1));
    fleet.approve("apply", extra).expect_success();
    assert_eq!(inspector.schema_owner("globex_prod"), None);
    assert_eq!(inspector.can_login("globex_app"), None);
    assert_eq!(inspector.can_login("globex_ro"), None);
    assert_eq!(
        inspector.schema_owner("acme_prod").as_deref(),
        Some("acme_app")
    );
    assert_tenants_archived(&fleet.archive_dir, &["globex".to_string()], &["database-"]);
    let archived = inspector.value(
        "SELECT count(*) FROM tenant_catalog.audit_log WHERE resource = 'tenant_database' \
         AND action = 'archive' AND after LIKE '%\"schema\":\"globex_prod\"%'",
    );
    assert_eq!(archived, "1", "the audit log records the archive");
    fleet.audit(&["verify"]).expect_success();
    assert_eq!(
        catalog_counts(inspector),
        format!("{} {} {}", tenants - 1, tenants - 1, 2 * (tenants - 1))
    );
    fleet.expect_plan_code(0, "after offboarding globex");
}

/// One foreign tenant adopted with plain `import` blocks and a written configuration.
const ONE_FOREIGN_TENANT: &str = r#"
import {
  to = tenant.acme
  id = "acme/schema:acme_prod"
}

import {
  to = tenant_database.acme
  id = "acme/schema:acme_prod"
}

import {
  to = tenant_user.acme_app
  id = "acme/role:acme_app"
}

resource "tenant" "acme" {
  slug                = "acme"
  display_name        = "acme"
  deletion_protection = false
}

resource "tenant_database" "acme" {
  tenant_id        = tenant.acme.id
  name             = "acme_prod"
  schema           = "acme_prod"
  connection_limit = 10
}

resource "tenant_user" "acme_app" {
  tenant_id        = tenant.acme.id
  email            = "acme_app@acme.adopted.invalid"
  role             = "member"
  login            = "acme_app"
  connection_limit = 10
}
"#;

/// Imports one foreign tenant with `run` (tenantform or Terraform) on a fresh server and
/// returns the first plan's summary line and changes, and the catalog after the apply.
fn adopt_one_foreign_tenant(
    run: &dyn Fn(&PgProject<'_>, &[&str]) -> Output,
) -> (Vec<String>, String) {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::from_resources(&server, "");
    fleet.init();
    fleet.approve("apply", &[]).expect_success();
    run_fixture(
        &fleet,
        &workspace_root().join("acceptance-tests/fixtures/postgres/foreign_tenants.sql"),
    );
    fleet.project.write_file(
        "main.tf",
        &format!(
            "{}\n{ONE_FOREIGN_TENANT}",
            acceptance_tests::pg_project::POSTGRES_PROVIDER
        ),
    );
    let inspector = PgInspector::new(&server);
    let plan = run(
        &fleet,
        &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(plan.code, Some(2), "{}", plan.describe());
    assert_eq!(
        catalog_counts(&inspector),
        "0 0 0",
        "planning writes nothing"
    );
    let summary: Vec<String> = plan
        .stdout
        .lines()
        .map(str::trim)
        .filter(|line| {
            line.starts_with("Plan:")
                || line.starts_with("# ")
                || line.starts_with("~ registered")
                || line.contains(" created_at ")
        })
        .map(str::to_string)
        .collect();
    let mut apply = vec!["apply"];
    apply.extend(AUTO_APPROVE);
    run(&fleet, &apply).expect_success();
    let after = run(
        &fleet,
        &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(after.code, Some(0), "{}", after.describe());
    (summary, catalog_counts(&inspector))
}

#[test]
fn terraform_imports_a_foreign_tenant_as_tenantform_does() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let (ours, our_catalog) = adopt_one_foreign_tenant(&|fleet, args| fleet.tenantform(args));
    let (theirs, their_catalog) = adopt_one_foreign_tenant(&|fleet, args| {
        fleet
            .project
            .terraform_command(&terraform, args)
            .run(FLEET_TIMEOUT)
    });
    assert!(
        ours.iter()
            .any(|line| line == "Plan: 3 to import, 0 to add, 3 to change, 0 to destroy."),
        "{ours:#?}"
    );
    assert_eq!(
        ours, theirs,
        "tenantform (left) and Terraform (right) plan the same"
    );
    assert_eq!(our_catalog, "1 1 1");
    assert_eq!(their_catalog, our_catalog);
}
