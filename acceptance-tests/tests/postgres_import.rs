//! Adopting tenants that an older provisioning script created on PostgreSQL
//! (`fixtures/postgres/legacy_tenants.sql`: catalog rows for five tenants, and their schemas,
//! owner roles, login roles and privileges, with nothing else in the catalog). The `tenants`
//! data source reads them back; `tenantform import` adopts every tenant, database, user and
//! grant by its natural key, reading only (the catalog is unchanged by the imports and the
//! plan); the apply registers them, the grants import after their user and database are
//! registered; the next plan has nothing to do; a destroy then reclaims all of it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::pg_inspect::{PgInspector, login_name};
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::Profile;

/// The legacy tenants: slug, display name, tier, region, connection limit (of the owner
/// role), and per user the local part of its email and the privilege level the fixture's
/// GRANTs amount to. A level includes the ones below it (`write` holds what `read` grants),
/// and adoption reports every level a role holds, so the configuration names them all.
type LegacyTenant = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [(&'static str, &'static str)],
);
const LEGACY: [LegacyTenant; 5] = [
    (
        "northwind",
        "Northwind Traders",
        "standard",
        "eu-west-1",
        20,
        &[("nancy", "write"), ("andrew", "read")],
    ),
    (
        "contoso",
        "Contoso Ltd",
        "enterprise",
        "us-east-1",
        100,
        &[("kim", "write")],
    ),
    (
        "fabrikam",
        "Fabrikam Inc.",
        "standard",
        "eu-central-1",
        20,
        &[("mia", "write"), ("ola", "read")],
    ),
    (
        "tailspin",
        "Tailspin Toys",
        "free",
        "us-west-2",
        5,
        &[("tom", "read")],
    ),
    (
        "adventure-works",
        "Adventure Works",
        "enterprise",
        "eu-west-1",
        100,
        &[("rob", "write")],
    ),
];

/// Reads the legacy tenants through the `tenants` data source.
const LOOKUP: &str = r#"
data "tenants" "legacy" {
  provider = tenant
  labels = {
    origin = "legacy-script"
  }
}

output "legacy_slugs" {
  value = data.tenants.legacy.slugs
}
"#;

fn email(slug: &str, local: &str) -> String {
    format!("{local}@{}.example", slug.replace('-', ""))
}

/// The configuration that describes the legacy tenants as they are.
fn adopting_config() -> String {
    let mut config = String::from(LOOKUP);
    for (slug, name, tier, region, connection_limit, users) in LEGACY {
        let key = slug.replace('-', "_");
        config.push_str(&format!(
            r#"
resource "tenant" "{key}" {{
  slug                = "{slug}"
  display_name        = "{name}"
  tier                = "{tier}"
  region              = "{region}"
  deletion_protection = false
  labels = {{
    origin = "legacy-script"
  }}
}}

resource "tenant_database" "{key}" {{
  tenant_id        = tenant.{key}.id
  name             = "main"
  connection_limit = {connection_limit}
}}
"#
        ));
        for (local, level) in users {
            config.push_str(&format!(
                r#"
resource "tenant_user" "{key}_{local}" {{
  tenant_id = tenant.{key}.id
  email     = "{email}"
  role      = "member"
}}

resource "tenant_grant" "{key}_{local}" {{
  user_id     = tenant_user.{key}_{local}.id
  database_id = tenant_database.{key}.id
  privileges  = [{levels}]
}}
"#,
                email = email(slug, local),
                levels = levels_up_to(level),
            ));
        }
    }
    config
}

/// `"read", "write"` for `write`: the level and every level below it, quoted.
fn levels_up_to(level: &str) -> String {
    let all = ["read", "write", "admin"];
    let position = all
        .iter()
        .position(|candidate| *candidate == level)
        .unwrap_or_else(|| panic!("unknown privilege level {level:?}"));
    all[..=position]
        .iter()
        .map(|level| format!("{level:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(address, import id)` of every resource, by natural key.
fn imports() -> Vec<(String, String)> {
    let mut imports = Vec::new();
    for (slug, _, _, _, _, users) in LEGACY {
        let key = slug.replace('-', "_");
        imports.push((format!("tenant.{key}"), slug.to_string()));
        imports.push((format!("tenant_database.{key}"), format!("{slug}/main")));
        for (local, _) in users {
            let email = email(slug, local);
            imports.push((
                format!("tenant_user.{key}_{local}"),
                format!("{slug}/{email}"),
            ));
            imports.push((
                format!("tenant_grant.{key}_{local}"),
                format!("{slug}/{email}/main"),
            ));
        }
    }
    imports
}

#[test]
fn legacy_tenants_are_read_imported_and_match_the_configuration() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::from_resources(&server, LOOKUP);
    let project = &fleet.project;
    fleet.init();
    // The first run creates the platform catalog, which the legacy script writes into.
    fleet.approve("apply", &[]).expect_success();

    let fixture = workspace_root().join("acceptance-tests/fixtures/postgres/legacy_tenants.sql");
    server
        .psql_file(&server.dsn(), &fixture)
        .unwrap_or_else(|error| panic!("{} failed: {error:#}", fixture.display()));
    let inspector = PgInspector::new(&server);
    assert_eq!(
        catalog_counts(&inspector),
        "5 0 0 0",
        "the legacy script registers tenants only (tenants, databases, users, grants)"
    );

    // The data source finds them.
    fleet.approve("apply", &[]).expect_success();
    let shown = fleet.tenantform(&["output", "-json", "legacy_slugs"]);
    shown.expect_success();
    let slugs: BTreeSet<String> = serde_json::from_str::<Vec<String>>(&shown.stdout)
        .unwrap_or_else(|error| panic!("output -json is not a list: {error}\n{}", shown.stdout))
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = LEGACY.iter().map(|t| t.0.to_string()).collect();
    assert_eq!(slugs, expected, "the tenants data source");

    // Adopt everything by natural key.
    project.write_file(
        "main.tf",
        &format!("{}\n", main_tf_with(&adopting_config())),
    );
    let (grants, objects): (Vec<_>, Vec<_>) = imports()
        .into_iter()
        .partition(|(address, _)| address.starts_with("tenant_grant."));
    for (address, id) in &objects {
        import(&fleet, address, id);
    }
    assert_eq!(
        catalog_counts(&inspector),
        "5 0 0 0",
        "importing by natural key only reads"
    );
    let planned = fleet.tenantform(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(planned.code, Some(2), "{}", planned.describe());
    assert!(
        planned.stdout.contains("~ registered")
            && planned.stdout.contains("-> (known after apply)"),
        "the plan registers what the imports read:\n{}",
        planned.stdout
    );
    assert_eq!(
        catalog_counts(&inspector),
        "5 0 0 0",
        "a plan writes nothing"
    );
    let (grant_address, grant_id) = &grants[0];
    let early = fleet.tenantform(&[
        "import",
        "-input=false",
        "-no-color",
        grant_address,
        grant_id,
    ]);
    assert_eq!(early.code, Some(1), "{}", early.describe());
    assert!(
        early
            .stderr
            .contains("is not registered in the catalog yet"),
        "a grant of unregistered parties names the way: {}",
        early.stderr
    );

    // The apply registers the imported objects; then their grants import.
    let targets: Vec<String> = objects
        .iter()
        .map(|(address, _)| format!("-target={address}"))
        .collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    fleet.approve("apply", &targets).expect_success();
    let users = LEGACY.iter().map(|tenant| tenant.5.len()).sum::<usize>();
    assert_eq!(catalog_counts(&inspector), format!("5 5 {users} 0"));
    for (address, id) in &grants {
        import(&fleet, address, id);
    }
    assert_eq!(catalog_counts(&inspector), format!("5 5 {users} {users}"));
    let state = fleet.state();
    for (slug, _, _, _, _, users) in LEGACY {
        let key = slug.replace('-', "_");
        for (local, _) in users {
            let address = format!("tenant_user.{key}_{local}");
            let user = state
                .instance(&address)
                .unwrap_or_else(|| panic!("{address} was imported"));
            assert_eq!(
                user.attribute_str("login"),
                Some(login_name(slug, &email(slug, local)).as_str()),
                "{address}"
            );
        }
    }
    fleet.expect_plan_code(0, "after importing every legacy object");

    // Adopted tenants are offboarded like any other.
    fleet.approve("destroy", &[]).expect_success();
    inspector.assert_no_tenant_objects("after destroying the adopted tenants");
}

/// Counts of catalog rows: tenants, databases, users, grants.
fn catalog_counts(inspector: &PgInspector<'_>) -> String {
    inspector.value(
        "SELECT (SELECT count(*) FROM tenant_catalog.tenants) || ' ' || \
         (SELECT count(*) FROM tenant_catalog.databases) || ' ' || \
         (SELECT count(*) FROM tenant_catalog.users) || ' ' || \
         (SELECT count(*) FROM tenant_catalog.grants)",
    )
}

/// `tenantform import ADDRESS ID`, expecting success.
fn import(fleet: &PgProject<'_>, address: &str, id: &str) {
    let imported = fleet.tenantform(&["import", "-input=false", "-no-color", address, id]);
    assert_eq!(
        imported.code,
        Some(0),
        "import {address} {id}\n{}",
        imported.describe()
    );
}

/// `main.tf` of the project: the provider configuration followed by `resources`.
fn main_tf_with(resources: &str) -> String {
    format!(
        "{}\n{resources}",
        acceptance_tests::pg_project::POSTGRES_PROVIDER
    )
}
