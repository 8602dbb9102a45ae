//! The quickstart's whole life through `tenantform`: apply, a no-op plan, an in-place update
//! through a saved plan, and a destroy that leaves nothing behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::{Project, plan_json};

const QUICKSTART_ADDRESSES: [&str; 11] = [
    "tenant.acme",
    "tenant.globex",
    "tenant_api_key.acme_ci",
    "tenant_database.acme",
    "tenant_database.globex",
    "tenant_grant.acme_admin",
    "tenant_grant.globex_admin",
    "tenant_policy.acme",
    "tenant_storage.acme",
    "tenant_user.acme_admin",
    "tenant_user.globex_admin",
];

#[test]
fn quickstart_apply_update_destroy() {
    let project = Project::from_example("quickstart");
    project.init();
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();

    let state = project.state();
    assert_eq!(state.addresses(), QUICKSTART_ADDRESSES, "state after apply");
    let catalog = project.catalog();
    catalog.assert_counts(
        &["tenant", "tenant_database", "tenant_user", "tenant_grant"],
        2,
        "in the catalog",
    );
    catalog.assert_counts(
        &["tenant_storage", "tenant_api_key", "tenant_policy"],
        1,
        "in the catalog",
    );
    assert_eq!(catalog.database_files.len(), 2, "{}", catalog.summary());
    assert_eq!(catalog.storage_dirs.len(), 1, "{}", catalog.summary());
    project.assert_catalog_matches_state();

    project.plan_detailed().expect_code(0);

    // An in-place update through a saved plan.
    project.replace_in_file(
        "main.tf",
        "display_name        = \"Acme Corporation\"",
        "display_name        = \"Acme Holdings\"",
    );
    project.plan_detailed_to("tfplan").expect_code(2);
    let shown = project.tenantform(&["show", "-json", "tfplan"]);
    shown.expect_success();
    let plan = plan_json::parse(&shown.stdout, "tenantform");
    assert_eq!(
        plan_json::effective_changes(&plan)
            .into_iter()
            .collect::<Vec<_>>(),
        vec![("tenant.acme".to_string(), vec!["update".to_string()])],
        "the plan should update only tenant.acme"
    );
    let acme_id = project
        .state()
        .instance("tenant.acme")
        .and_then(|instance| instance.id().map(str::to_string))
        .expect("tenant.acme has an id");

    project
        .tenantform(&["apply", "-input=false", "-no-color", "tfplan"])
        .expect_success();
    let state = project.state();
    let acme = state.instance("tenant.acme").expect("tenant.acme in state");
    assert_eq!(acme.attribute_str("display_name"), Some("Acme Holdings"));
    assert_eq!(acme.id(), Some(acme_id.as_str()), "an update keeps the id");
    let catalog = project.catalog();
    let acme_in_catalog = catalog
        .find("tenant", &acme_id)
        .unwrap_or_else(|| panic!("tenant {acme_id} in the catalog: {}", catalog.summary()));
    assert_eq!(acme_in_catalog.detail, "Acme Holdings");
    project.plan_detailed().expect_code(0);

    project
        .tenantform(&["destroy", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    project.assert_nothing_left();
}
