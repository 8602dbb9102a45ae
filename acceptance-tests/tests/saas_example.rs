//! The `examples/saas` fleet through `tenantform`: the inventory in `tenants.yaml` is applied,
//! a second plan has nothing to do, editing the inventory (a new tenant, a tier change) plans
//! exactly the matching creates and updates, and lifting deletion protection lets a destroy
//! empty the catalog.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;

use acceptance_tests::{Project, State, StateInstance, plan_json};

/// Instances the example's inventory declares: six tenants with a database each, and a user
/// and a grant per listed admin.
const TENANTS: usize = 6;
const ADMINS: usize = 7;

fn tenantform_ok(project: &Project, args: &[&str]) {
    project.tenantform(args).expect_success();
}

/// The effective changes of a saved plan, as `(address, actions)`.
fn planned_changes(project: &Project, plan_file: &str) -> BTreeSet<(String, Vec<String>)> {
    let shown = project.tenantform(&["show", "-json", plan_file]);
    shown.expect_success();
    plan_json::effective_changes(&plan_json::parse(&shown.stdout, "tenantform"))
}

fn change(address: &str, action: &str) -> (String, Vec<String>) {
    (address.to_string(), vec![action.to_string()])
}

/// The main database of the tenant `slug` in `state`.
fn main_database<'a>(state: &'a State, slug: &str) -> &'a StateInstance {
    state
        .instance(&format!("module.tenant[\"{slug}\"].tenant_database.main"))
        .unwrap_or_else(|| panic!("{slug}'s database is in the state"))
}

/// The first apply creates the whole inventory, with the tier settings and overrides.
fn apply_the_inventory(project: &Project) {
    tenantform_ok(project, &["init", "-input=false"]);
    tenantform_ok(
        project,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );

    let catalog = project.catalog();
    for (resource_type, expected) in [
        ("tenant", TENANTS),
        ("tenant_database", TENANTS),
        ("tenant_user", ADMINS),
        ("tenant_grant", ADMINS),
    ] {
        assert_eq!(
            catalog.count(resource_type),
            expected,
            "{resource_type} in the catalog: {}",
            catalog.summary()
        );
    }
    project.assert_catalog_matches_state();
    let state = project.state();
    assert_eq!(
        main_database(&state, "globex").attributes["connection_limit"],
        20,
        "a standard tenant gets the standard connection limit"
    );
    assert_eq!(
        main_database(&state, "initech").attributes["connection_limit"],
        30,
        "the inventory's connection_limit overrides the tier's"
    );
    let acme = state
        .instance("module.tenant[\"acme\"].tenant.this")
        .expect("acme is in the state");
    assert_eq!(
        acme.attributes["contact"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default(),
        2,
        "acme's contacts come from the dynamic block: {}",
        acme.attributes
    );
    assert_eq!(acme.attributes["labels"]["support"], "24x7");
    assert_eq!(acme.attributes["labels"]["cost_center"], "cc-1001");

    project.plan_detailed().expect_code(0);
}

/// Onboards a tenant and moves globex from standard to enterprise: the saved plan holds
/// exactly the matching creates and updates.
fn edit_the_inventory(project: &Project) {
    project.replace_in_file(
        "tenants.yaml",
        "  globex:\n    name: Globex Inc.\n    tier: standard\n",
        "  globex:\n    name: Globex Inc.\n    tier: enterprise\n",
    );
    let inventory = project.read_file("tenants.yaml");
    project.write_file(
        "tenants.yaml",
        &format!(
            "{inventory}  stark:\n    name: Stark Industries\n    tier: standard\n    admins:\n      - pepper@stark.example\n"
        ),
    );
    project.plan_detailed_to("tfplan").expect_code(2);
    let expected: BTreeSet<(String, Vec<String>)> = [
        change("module.tenant[\"globex\"].tenant.this", "update"),
        change("module.tenant[\"globex\"].tenant_database.main", "update"),
        change(
            "module.tenant[\"globex\"].tenant_grant.admin[\"hank@globex.example\"]",
            "update",
        ),
        change("module.tenant[\"stark\"].tenant.this", "create"),
        change("module.tenant[\"stark\"].tenant_database.main", "create"),
        change(
            "module.tenant[\"stark\"].tenant_user.admin[\"pepper@stark.example\"]",
            "create",
        ),
        change(
            "module.tenant[\"stark\"].tenant_grant.admin[\"pepper@stark.example\"]",
            "create",
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(planned_changes(project, "tfplan"), expected);
}

/// Applying the saved plan gives globex the enterprise connection limit.
fn apply_the_edit(project: &Project) {
    tenantform_ok(project, &["apply", "-input=false", "-no-color", "tfplan"]);
    let state = project.state();
    let globex_database = main_database(&state, "globex");
    assert_eq!(globex_database.attributes["connection_limit"], 100);
    let globex_database_id = globex_database.id().expect("the database has an id");
    let catalog = project.catalog();
    assert_eq!(
        catalog
            .find("tenant_database", globex_database_id)
            .map(|database| database.detail.as_str()),
        Some("100"),
        "the catalog holds the enterprise connection limit: {}",
        catalog.summary()
    );
    assert_eq!(catalog.count("tenant"), TENANTS + 1);
    project.assert_catalog_matches_state();
    project.plan_detailed().expect_code(0);
}

/// The fleet is protected: a destroy is refused until protection is lifted and applied.
fn destroy_after_lifting_protection(project: &Project) {
    project
        .tenantform(&["destroy", "-auto-approve", "-input=false", "-no-color"])
        .expect_failure();
    let unprotect = ["-var", "deletion_protection=false"];
    let apply_args = [
        &["apply", "-auto-approve", "-input=false", "-no-color"][..],
        &unprotect[..],
    ]
    .concat();
    tenantform_ok(project, &apply_args);
    let destroy_args = [
        &["destroy", "-auto-approve", "-input=false", "-no-color"][..],
        &unprotect[..],
    ]
    .concat();
    tenantform_ok(project, &destroy_args);
    project.assert_nothing_left();
}

#[test]
fn saas_inventory_apply_edit_destroy() {
    let project = Project::from_example("saas");
    apply_the_inventory(&project);
    edit_the_inventory(&project);
    apply_the_edit(&project);
    destroy_after_lifting_protection(&project);
}
