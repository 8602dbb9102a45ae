//! `plan -scope=changed` on the `examples/saas` fleet with the real provider: after an
//! apply, an unchanged fleet plans nothing and refreshes nothing; changing one tenant plans
//! exactly the changes a full plan finds, refreshing (ReadResource, shown as "Refreshing
//! state...") only that tenant's changed instances; `apply -scope=changed` applies them and
//! leaves a record the next plan uses; after `state rm` or a Terraform apply the record no
//! longer matches the state and the plan is a full one, saying why. On the `pg` state
//! backend the record is a row of `tenantform_scope` beside `states`. A saved scoped plan
//! applies after an unrelated apply and is stale after a change in its scope.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;

use acceptance_tests::fault_checks::{FaultSubject, with_pg_backend};
use acceptance_tests::pg_inspect::PgInspector;
use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::Profile;
use acceptance_tests::{Output, Project, Terraform, TerraformVersion, plan_json};

const SCOPED: &[&str] = &["plan", "-scope=changed", "-input=false", "-no-color"];

/// The addresses a plan's output shows being refreshed.
fn refreshed(output: &Output) -> BTreeSet<String> {
    output
        .stdout
        .lines()
        .filter_map(|line| line.split_once(": Refreshing state..."))
        .map(|(address, _)| address.to_string())
        .collect()
}

/// The effective changes of the plan `args` saves to `plan_file`.
fn saved_changes(
    project: &Project,
    args: &[&str],
    plan_file: &str,
) -> (Output, BTreeSet<(String, Vec<String>)>) {
    let out = format!("-out={plan_file}");
    let planned = project.tenantform(&[args, &[&out]].concat());
    planned.expect_success();
    let shown = project.tenantform(&["show", "-json", plan_file]);
    shown.expect_success();
    let changes = plan_json::effective_changes(&plan_json::parse(&shown.stdout, "tenantform"));
    (planned, changes)
}

fn scope_line(output: &Output) -> &str {
    output
        .stdout
        .lines()
        .find(|line| line.starts_with("Scope: "))
        .unwrap_or_else(|| panic!("no scope line: {}", output.describe()))
}

fn applied_fleet() -> Project {
    let project = Project::from_example("saas");
    project.init();
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    assert!(
        project.path("terraform.tfstate.scope").is_file(),
        "the apply records the instances' digests beside the state"
    );
    project
}

#[test]
fn one_changed_tenant_is_all_a_scoped_plan_refreshes_and_plans() {
    let project = applied_fleet();
    let unchanged = project.tenantform(&[SCOPED, &["-detailed-exitcode"]].concat());
    unchanged.expect_code(0);
    assert!(
        scope_line(&unchanged).starts_with("Scope: changed ("),
        "{}",
        unchanged.describe()
    );
    assert_eq!(
        refreshed(&unchanged),
        BTreeSet::new(),
        "nothing is read again"
    );

    project.replace_in_file(
        "tenants.yaml",
        "  globex:\n    name: Globex Inc.\n    tier: standard\n",
        "  globex:\n    name: Globex Inc.\n    tier: enterprise\n",
    );
    let (scoped, scoped_changes) = saved_changes(&project, SCOPED, "scoped.tfplan");
    let full_args = ["plan", "-input=false", "-no-color"];
    let (full, full_changes) = saved_changes(&project, &full_args, "full.tfplan");
    assert_eq!(scoped_changes, full_changes);
    assert!(!scoped_changes.is_empty());
    assert!(refreshed(&full).len() > refreshed(&scoped).len());
    for address in refreshed(&scoped) {
        assert!(
            address.starts_with("module.tenant[\"globex\"]"),
            "{address} refreshed by the scoped plan: {}",
            scoped.describe()
        );
    }

    project
        .tenantform(&[
            "apply",
            "-scope=changed",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
        .expect_success();
    let after = project.tenantform(&[SCOPED, &["-detailed-exitcode"]].concat());
    after.expect_code(0);
    assert!(scope_line(&after).starts_with("Scope: changed ("));
    assert_eq!(refreshed(&after), BTreeSet::new());
}

#[test]
fn a_state_changed_by_anything_else_gives_a_full_plan() {
    let project = applied_fleet();
    project
        .tenantform(&[
            "state",
            "rm",
            "module.tenant[\"acme\"].tenant_grant.admin[\"ada@acme.example\"]",
        ])
        .expect_success();
    let after_rm = project.tenantform(SCOPED);
    after_rm.expect_success();
    assert!(
        scope_line(&after_rm).starts_with("Scope: full plan (no instance record for serial"),
        "{}",
        after_rm.describe()
    );
    assert!(!refreshed(&after_rm).is_empty(), "a full plan refreshes");

    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    assert!(scope_line(&project.tenantform(SCOPED)).starts_with("Scope: changed ("));
    project.replace_in_file(
        "tenants.yaml",
        "    name: Hooli\n    tier: free\n",
        "    name: Hooli\n    tier: standard\n",
    );
    project
        .terraform(&terraform, &["get", "-no-color", "-update=false"])
        .expect_success();
    project
        .terraform(
            &terraform,
            &["apply", "-auto-approve", "-input=false", "-no-color"],
        )
        .expect_success();
    let after_terraform = project.tenantform(SCOPED);
    after_terraform.expect_success();
    assert!(
        scope_line(&after_terraform).starts_with("Scope: full plan (no instance record for serial"),
        "{}",
        after_terraform.describe()
    );
}

#[test]
fn scope_takes_changed_or_all_and_only_in_normal_plans() {
    let project = Project::from_example("saas");
    project.init();
    let bad = project.tenantform(&["plan", "-scope=some", "-input=false"]);
    assert_eq!(bad.code, Some(1), "{}", bad.describe());
    assert!(bad.stderr.contains("Invalid -scope"), "{}", bad.describe());
    for refused in [
        &["plan", "-scope=changed", "-refresh-only", "-input=false"][..],
        &["plan", "-scope=changed", "-destroy", "-input=false"][..],
        &[
            "plan",
            "-scope=changed",
            "-target=module.tenant",
            "-input=false",
        ][..],
    ] {
        let out = project.tenantform(refused);
        assert_eq!(out.code, Some(1), "{}", out.describe());
        assert!(out.stderr.contains("-scope"), "{}", out.describe());
    }
    let all = project.tenantform(&["plan", "-scope=all", "-input=false", "-no-color"]);
    all.expect_success();
    assert!(!all.stdout.contains("Scope: "), "{}", all.describe());
}

const GLOBEX_STANDARD: &str = "  globex:\n    name: Globex Inc.\n    tier: standard\n";
const GLOBEX_ENTERPRISE: &str = "  globex:\n    name: Globex Inc.\n    tier: enterprise\n";
const HOOLI_FREE: &str = "    name: Hooli\n    tier: free\n";
const HOOLI_STANDARD: &str = "    name: Hooli\n    tier: standard\n";

fn tier_of(project: &Project, slug: &str) -> String {
    let state = project.state();
    let tenant = state
        .instance(&format!("module.tenant[\"{slug}\"].tenant.this"))
        .unwrap_or_else(|| panic!("{slug} is in the state"));
    tenant.attributes["labels"]["tier"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_saved_scoped_plan_applies_after_other_tenants_changed_and_not_after_its_own_did() {
    let project = applied_fleet();
    project.replace_in_file("tenants.yaml", GLOBEX_STANDARD, GLOBEX_ENTERPRISE);
    project
        .tenantform(&[SCOPED, &["-out=globex.tfplan"]].concat())
        .expect_success();
    let shown = project.tenantform(&["show", "-no-color", "globex.tfplan"]);
    shown.expect_success();
    assert!(
        scope_line(&shown).starts_with("Scope: changed ("),
        "{}",
        shown.describe()
    );

    // Another change (hooli) is applied first, from a configuration without globex's.
    project.replace_in_file("tenants.yaml", GLOBEX_ENTERPRISE, GLOBEX_STANDARD);
    project.replace_in_file("tenants.yaml", HOOLI_FREE, HOOLI_STANDARD);
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    assert_eq!(tier_of(&project, "hooli"), "standard");

    // Nothing in globex's scope changed since: the saved plan applies onto the new state,
    // from a checkout with both changes (the inventory file is read while applying).
    project.replace_in_file("tenants.yaml", GLOBEX_STANDARD, GLOBEX_ENTERPRISE);
    project
        .tenantform(&["apply", "-input=false", "-no-color", "globex.tfplan"])
        .expect_success();
    assert_eq!(tier_of(&project, "globex"), "enterprise");
    assert_eq!(tier_of(&project, "hooli"), "standard", "the merged result");
    project.assert_catalog_matches_state();
    // Its record holds the merged result: the next scoped plan is scoped and has nothing to do.
    let merged = project.tenantform(&[SCOPED, &["-detailed-exitcode"]].concat());
    merged.expect_code(0);
    assert!(
        scope_line(&merged).starts_with("Scope: changed ("),
        "{}",
        merged.describe()
    );

    // A saved plan whose own tenant changed since is stale.
    project.replace_in_file("tenants.yaml", HOOLI_STANDARD, HOOLI_FREE);
    project
        .tenantform(&[SCOPED, &["-out=hooli.tfplan"]].concat())
        .expect_success();
    project.replace_in_file(
        "tenants.yaml",
        HOOLI_FREE,
        "    name: Hooli\n    tier: enterprise\n",
    );
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    let stale = project.tenantform(&["apply", "-input=false", "-no-color", "hooli.tfplan"]);
    assert_eq!(stale.code, Some(1), "{}", stale.describe());
    assert!(
        stale.stderr.contains("Saved plan is stale"),
        "{}",
        stale.describe()
    );
    assert_eq!(tier_of(&project, "hooli"), "enterprise");
}

#[test]
fn a_saved_sweep_plan_records_its_slice() {
    let project = applied_fleet();
    project
        .tenantform(&[
            "plan",
            "-refresh-only",
            "-sweep=2/3",
            "-input=false",
            "-no-color",
            "-out=sweep.tfplan",
        ])
        .expect_success();
    let shown = project.tenantform(&["show", "-no-color", "sweep.tfplan"]);
    shown.expect_success();
    assert!(
        shown.stdout.contains("Sweep: slice 2/3"),
        "{}",
        shown.describe()
    );
}

#[test]
fn the_pg_backend_keeps_the_record_beside_the_states_table() {
    let server = start_postgres(Profile::Superuser);
    let project = Project::from_example("saas");
    let config = project.read_file("main.tf");
    project.write_file("main.tf", &with_pg_backend(&config));
    let mut subject = FaultSubject::embedded(&project);
    subject.init_pg_state(&server);
    subject
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    assert!(!project.path("terraform.tfstate.scope").exists());
    let inspector = PgInspector::new(&server);
    let rows = inspector.rows(
        "SELECT state_name || ' ' || (record::json->>'serial') \
         FROM terraform_remote_state.tenantform_scope",
    );
    let serial = subject.pulled_state().document["serial"].as_u64().unwrap();
    assert_eq!(rows, [format!("default {serial}")]);

    project.replace_in_file("tenants.yaml", GLOBEX_STANDARD, GLOBEX_ENTERPRISE);
    let scoped = subject.tenantform(SCOPED);
    scoped.expect_success();
    assert!(
        scope_line(&scoped).starts_with("Scope: changed ("),
        "{}",
        scoped.describe()
    );
    for address in refreshed(&scoped) {
        assert!(
            address.starts_with("module.tenant[\"globex\"]"),
            "{address}"
        );
    }
    subject
        .tenantform(&[
            "state",
            "rm",
            "module.tenant[\"hooli\"].tenant_database.main",
        ])
        .expect_success();
    let full = subject.tenantform(SCOPED);
    full.expect_success();
    assert!(
        scope_line(&full).starts_with("Scope: full plan (no instance record for serial"),
        "{}",
        full.describe()
    );
}
