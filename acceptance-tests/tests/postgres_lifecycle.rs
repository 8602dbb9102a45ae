//! `examples/saas-postgres` through `tenantform` on a real PostgreSQL, once as the superuser and
//! once as a managed database's administrator (CREATEROLE CREATEDB, no superuser): the 20
//! tenants' schemas, roles and privileges exist as the naming rules say; a tenant user logs in
//! with the password from the state, works in its own schema and is kept out of another
//! tenant's; a second plan is empty; the destroy leaves no tenant object, archives every
//! tenant with checksums that verify, and the audit log's hash chain verifies until a row of it
//! is edited, when `audit verify` fails and names that row.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;

use acceptance_tests::archives::{assert_tenants_archived, tenant_archives};
use acceptance_tests::inventory::InventoryTenant;
use acceptance_tests::pg_inspect::{PgInspector, identifier, login_name, schema_name};
use acceptance_tests::pg_project::{PgProject, module_address, start_postgres};
use acceptance_tests::postgres::{PostgresServer, Profile};

const TENANTS: usize = 20;
/// Privileges on its own schema that a user's role gives: (role, USAGE, CREATE).
const ROLE_SCHEMA_PRIVILEGES: [(&str, bool, bool); 3] = [
    ("admin", true, true),
    ("member", true, true),
    ("viewer", true, false),
];

#[test]
fn saas_postgres_lifecycle_as_superuser() {
    lifecycle(Profile::Superuser);
}

#[test]
fn saas_postgres_lifecycle_as_managed_admin() {
    lifecycle(Profile::ManagedAdmin);
}

fn lifecycle(profile: Profile) {
    let server = start_postgres(profile);
    let fleet = PgProject::example(&server, TENANTS);
    let inventory = fleet.inventory();
    assert_eq!(inventory.len(), TENANTS, "the example's inventory");

    fleet.init_and_apply();

    assert_fleet_in_postgres(&fleet, &inventory);
    assert_storage_under_root(&fleet, &inventory);
    assert_users_confined_to_their_schema(&fleet, &inventory);
    fleet.expect_plan_code(0, "right after apply");

    fleet.approve("destroy", &[]).expect_success();
    let state = fleet.state();
    assert!(
        state.instances.is_empty(),
        "state after destroy: {:?}",
        state.addresses()
    );
    fleet.inspector().assert_no_tenant_objects("after destroy");
    let left_in_storage: Vec<_> = std::fs::read_dir(&fleet.storage_root)
        .expect("read the storage root")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    assert!(
        left_in_storage.is_empty(),
        "storage is reclaimed after destroy: {left_in_storage:?}"
    );
    let slugs: Vec<String> = inventory.iter().map(|t| t.slug.clone()).collect();
    assert_tenants_archived(&fleet.archive_dir, &slugs, &["database-", "storage-"]);
    assert_table_archived(&fleet, &inventory[0].slug);

    assert_audit_chain_detects_tampering(&fleet, &server);
}

/// Every tenant's schema, owner role, logins and privileges, as the naming rules predict.
fn assert_fleet_in_postgres(fleet: &PgProject<'_>, inventory: &[InventoryTenant]) {
    let inspector = fleet.inspector();
    let mut expected_schemas = BTreeSet::new();
    let mut expected_roles = BTreeSet::new();
    for tenant in inventory {
        let schema = schema_name(&tenant.slug, "main");
        expected_roles.insert(format!("{schema}_owner"));
        for user in &tenant.users {
            expected_roles.insert(login_name(&tenant.slug, &user.email));
        }
        expected_schemas.insert(schema);
    }
    assert_eq!(
        inspector.tenant_schemas(),
        expected_schemas,
        "tenant schemas in pg_namespace (left) and by the naming rules (right)"
    );
    assert_eq!(
        inspector.tenant_roles(),
        expected_roles,
        "tenant roles in pg_roles (left) and by the naming rules (right)"
    );

    for (index, tenant) in inventory.iter().enumerate() {
        let schema = schema_name(&tenant.slug, "main");
        let neighbour = &inventory[(index + 1) % inventory.len()];
        let other_schema = schema_name(&neighbour.slug, "main");
        assert_eq!(
            inspector.schema_owner(&schema).as_deref(),
            Some(format!("{schema}_owner").as_str()),
            "the owner of {schema}"
        );
        for user in &tenant.users {
            let (login, _) = fleet.user_credentials(&tenant.slug, &user.email);
            assert_eq!(
                login,
                login_name(&tenant.slug, &user.email),
                "{}",
                user.email
            );
            assert_eq!(
                inspector.can_login(&login),
                Some(true),
                "{login} can log in"
            );
            let (_, usage, create) = ROLE_SCHEMA_PRIVILEGES
                .iter()
                .find(|(role, _, _)| *role == user.role)
                .unwrap_or_else(|| panic!("unknown role {:?}", user.role));
            assert_eq!(
                inspector.has_schema_privilege(&login, &schema, "USAGE"),
                *usage,
                "USAGE of {login} ({}) on {schema}",
                user.role
            );
            assert_eq!(
                inspector.has_schema_privilege(&login, &schema, "CREATE"),
                *create,
                "CREATE of {login} ({}) on {schema}",
                user.role
            );
            for privilege in ["USAGE", "CREATE"] {
                assert!(
                    !inspector.has_schema_privilege(&login, &other_schema, privilege),
                    "{login} of {} holds {privilege} on {other_schema} of {}",
                    tenant.slug,
                    neighbour.slug
                );
            }
        }
    }
}

/// Every tenant's storage is a directory under the storage root.
fn assert_storage_under_root(fleet: &PgProject<'_>, inventory: &[InventoryTenant]) {
    let state = fleet.state();
    for tenant in inventory {
        let address = module_address(&tenant.slug, "tenant_storage.this");
        let storage = state
            .instance(&address)
            .unwrap_or_else(|| panic!("{address} is not in the state"));
        let path = std::path::PathBuf::from(
            storage
                .attribute_str("path")
                .unwrap_or_else(|| panic!("{address} has no path")),
        );
        assert!(
            path.starts_with(&fleet.storage_root) && path.is_dir(),
            "{address}: {} is a directory under {}",
            path.display(),
            fleet.storage_root.display()
        );
    }
}

/// A tenant admin logs in with its password from the state, creates a table in its own schema
/// and is refused in another tenant's schema.
fn assert_users_confined_to_their_schema(fleet: &PgProject<'_>, inventory: &[InventoryTenant]) {
    let tenant = &inventory[0];
    let neighbour = &inventory[1];
    let admin = tenant
        .users
        .iter()
        .find(|user| user.role == "admin")
        .unwrap_or_else(|| panic!("{} has no admin in the inventory", tenant.slug));
    let (login, password) = fleet.user_credentials(&tenant.slug, &admin.email);
    let dsn = fleet.server.login_dsn(&login, &password);
    let own = identifier(&schema_name(&tenant.slug, "main"));
    let other = identifier(&schema_name(&neighbour.slug, "main"));

    let created = fleet.server.psql(
        &dsn,
        &format!(
            "CREATE TABLE {own}.orders (id integer PRIMARY KEY, item text); \
             INSERT INTO {own}.orders VALUES (1, 'anvil'); SELECT count(*) FROM {own}.orders"
        ),
    );
    match created {
        Ok(output) => assert_eq!(
            output.lines().last(),
            Some("1"),
            "rows in {own}.orders: {output}"
        ),
        Err(error) => panic!("{login} could not work in its own schema {own}: {error:#}"),
    }
    let intruding = fleet
        .server
        .psql(&dsn, &format!("CREATE TABLE {other}.stolen (id integer)"));
    let error = intruding
        .err()
        .unwrap_or_else(|| panic!("{login} created a table in {other}, another tenant's schema"));
    assert!(
        error.to_string().contains("permission denied"),
        "{login} in {other}: {error:#}"
    );
    let wrong_password = fleet.server.psql(
        &fleet.server.login_dsn(&login, "not-the-password"),
        "SELECT 1",
    );
    assert!(
        wrong_password.is_err(),
        "{login} logged in with a wrong password"
    );
}

/// The rows the tenant's user wrote are in the tenant's database archive.
fn assert_table_archived(fleet: &PgProject<'_>, slug: &str) {
    let archives = tenant_archives(&fleet.archive_dir, slug);
    let database_archive = archives
        .iter()
        .find(|folder| {
            folder
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("database-main-"))
        })
        .unwrap_or_else(|| panic!("{slug} has no database archive among {archives:?}"));
    let data = database_archive.join("data").join("orders.csv");
    let rows = std::fs::read_to_string(&data)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", data.display()));
    assert!(
        rows.contains("anvil"),
        "{} should hold the row the user inserted:\n{rows}",
        data.display()
    );
}

/// `audit verify` passes on the untouched log, then fails naming the entry edited behind the
/// provider's back.
fn assert_audit_chain_detects_tampering(fleet: &PgProject<'_>, server: &PostgresServer) {
    let listed = fleet.audit(&["list"]);
    listed.expect_success();
    let verified = fleet.audit(&["verify"]);
    verified.expect_success();

    let inspector = PgInspector::new(server);
    let last: i64 = inspector
        .value("SELECT max(seq) FROM tenant_catalog.audit_log")
        .parse()
        .expect("the audit log has entries");
    assert!(
        last > 10,
        "the audit log holds {last} entries after a fleet's life"
    );
    let tampered = last / 2;
    let edit = format!(
        "UPDATE tenant_catalog.audit_log SET actor = 'someone-else' WHERE seq = {tampered}"
    );
    // The log is append-only; a superuser who switches its trigger off is still caught.
    let refused = server
        .psql(&server.superuser_dsn(), &edit)
        .expect_err("the audit log refuses an UPDATE");
    assert!(
        format!("{refused:#}").contains("append-only"),
        "{refused:#}"
    );
    inspector.rows(&format!("SET session_replication_role = replica; {edit}"));
    let broken = fleet.audit(&["verify"]);
    broken.expect_code(1);
    assert!(
        names_entry(&broken.combined(), tampered),
        "audit verify should name entry {tampered}\n{}",
        broken.describe()
    );
}

/// Whether a message names the audit entry `seq` (`entry 7`, `seq 7`, `seq=7`, `#7`, `row 7`).
fn names_entry(text: &str, seq: i64) -> bool {
    let lower = text.to_lowercase();
    ["entry ", "seq ", "seq=", "seq: ", "#", "row "]
        .iter()
        .any(|prefix| {
            let needle = format!("{prefix}{seq}");
            lower.match_indices(&needle).any(|(at, _)| {
                !lower[at + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            })
        })
}
