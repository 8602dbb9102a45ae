//! The policy gate and the blast-radius guard with the real binaries on the embedded
//! backend: `plan -policy=DIR` fails on a deny (no plan file written) and goes on with a
//! warning; `policy test` runs the policies' unit tests; `-max-destroy`,
//! `TENANTFORM_MAX_DESTROY` and `-allow-destroy` stop a fleet-wide deletion before anything
//! is deleted, let exactly the allowed one through, and do not count a `removed` block
//! that only forgets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::fixtures::fixture_dir;
use acceptance_tests::process::DEFAULT_TIMEOUT;
use acceptance_tests::project::copy_tree;
use acceptance_tests::{Output, Project};

/// A fleet project (`fixtures/policy/fleet`) with the policies of `fixtures/policy/gate`
/// in `policy/`, applied with `tenants`.
fn applied_fleet(tenants: &[&str]) -> Project {
    let project = Project::from_config("");
    copy_tree(
        &fixture_dir("policy").join("fleet"),
        &project.work_dir(),
        &[],
    );
    copy_tree(
        &fixture_dir("policy").join("gate"),
        &project.path("policy"),
        &[],
    );
    set_tenants(&project, tenants);
    project.init();
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    assert_eq!(
        tenant_slugs(&project),
        tenants,
        "tenants after the first apply"
    );
    project
}

fn set_tenants(project: &Project, tenants: &[&str]) {
    let quoted: Vec<String> = tenants.iter().map(|t| format!("{t:?}")).collect();
    project.write_file(
        "terraform.tfvars",
        &format!("tenants = [{}]\n", quoted.join(", ")),
    );
}

/// The slugs of the live tenants in the provider's catalog, sorted.
fn tenant_slugs(project: &Project) -> Vec<String> {
    let mut slugs: Vec<String> = project
        .catalog()
        .of("tenant")
        .iter()
        .map(|t| t.key.clone())
        .collect();
    slugs.sort();
    slugs
}

/// `tenantform state list`, one address a line.
fn state_list(project: &Project) -> Vec<String> {
    let listed = project.tenantform(&["state", "list"]);
    listed.expect_success();
    listed.stdout.lines().map(str::to_string).collect()
}

/// The state addresses of a fleet of `tenants`.
fn fleet_addresses(tenants: &[&str]) -> Vec<String> {
    let mut addresses: Vec<String> = tenants
        .iter()
        .flat_map(|t| {
            [
                format!("module.tenant[{t:?}].tenant.this"),
                format!("module.tenant[{t:?}].tenant_database.main"),
            ]
        })
        .collect();
    addresses.sort();
    addresses
}

fn run(project: &Project, args: &[&str]) -> Output {
    project.tenantform(args)
}

/// `tenantform plan -input=false -no-color` with `options`.
fn plan(project: &Project, options: &[&str]) -> Output {
    let args: Vec<&str> = ["plan", "-input=false", "-no-color"]
        .into_iter()
        .chain(options.iter().copied())
        .collect();
    project.tenantform(&args)
}

#[test]
fn a_deny_fails_the_plan_and_writes_no_plan_file() {
    let project = applied_fleet(&["acme", "bolt", "cove"]);
    set_tenants(&project, &["acme", "bolt"]);
    let denied = plan(&project, &["-policy=policy", "-out=tfplan"]);
    denied
        .expect_code(1)
        .expect_stderr_has("Error: Policy denied the plan")
        .expect_stderr_has(
            "module.tenant[\"cove\"].tenant_database.main would delete a tenant's data",
        )
        .expect_stderr_has("Rule data.main.deny_database_deletion in policy/main.rego.");
    assert!(
        !project.path("tfplan").exists(),
        "a denied plan was saved\n{}",
        denied.describe()
    );
    // apply plans internally and is gated the same way, before anything is deleted.
    run(
        &project,
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-policy=policy",
        ],
    )
    .expect_code(1)
    .expect_stderr_has("Policy denied the plan");
    assert_eq!(tenant_slugs(&project), ["acme", "bolt", "cove"]);
    assert_eq!(
        state_list(&project),
        fleet_addresses(&["acme", "bolt", "cove"])
    );
    // Another namespace has no such rule: naming one no policy declares is an error.
    run(
        &project,
        &[
            "plan",
            "-input=false",
            "-policy=policy",
            "-policy-namespace=other",
        ],
    )
    .expect_code(1)
    .expect_stderr_has("no policy declares the namespace \"other\"");
}

#[test]
fn an_exception_lets_the_denied_change_through() {
    let project = applied_fleet(&["acme", "bolt"]);
    set_tenants(&project, &["acme"]);
    plan(
        &project,
        &["-policy=policy", "-policy-namespace=tenants", "-out=tfplan"],
    )
    .expect_code(0)
    .expect_stdout_has(
        "Policy exception: data.tenants.deny_database_deletion is excepted by \
         data.tenants.exception[_][_] == \"database_deletion\"",
    );
    assert!(project.path("tfplan").exists(), "the plan file is missing");
}

#[test]
fn sensitive_values_never_reach_the_policies_messages() {
    let project = applied_fleet(&["acme"]);
    let uri = project
        .state()
        .instance("module.tenant[\"acme\"].tenant_database.main")
        .and_then(|db| db.attribute_str("connection_uri").map(str::to_string))
        .unwrap_or_else(|| panic!("the database's connection_uri is in the state"));
    let denied = plan(&project, &["-policy=policy", "-policy-namespace=leaky"]);
    denied
        .expect_code(1)
        .expect_stderr_has(
            "module.tenant[\"acme\"].tenant_database.main has the URI (sensitive value)",
        )
        .expect_stdout_has("policy/leaky.rego:10: checking (sensitive value)");
    assert!(
        !denied.combined().contains(&uri),
        "the connection URI was shown\n{}",
        denied.describe()
    );
}

#[test]
fn a_policy_calling_a_missing_builtin_fails_the_plan_with_the_limit_error_too() {
    let project = applied_fleet(&["acme", "bolt"]);
    project.write_file(
        "unsupported/main.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.never_there\n\
         \tmsg := http.send({\"method\": \"get\", \"url\": \"http://localhost\"}).body\n}\n",
    );
    set_tenants(&project, &["acme"]);
    plan(
        &project,
        &["-policy=unsupported", "-max-destroy=1", "-out=tfplan"],
    )
    .expect_code(1)
    .expect_stderr_has("Error: Failed to load policies")
    .expect_stderr_has("unsupported/main.rego:7: http.send")
    .expect_stderr_has("Error: Too many resource instances to destroy");
    assert!(!project.path("tfplan").exists(), "a refused plan was saved");
}

#[test]
fn a_warning_is_shown_and_the_plan_is_saved() {
    let project = applied_fleet(&["acme"]);
    set_tenants(&project, &["acme", "dune"]);
    plan(&project, &["-policy=policy", "-out=tfplan"])
        .expect_code(0)
        .expect_stdout_has("Warning: Policy warning")
        .expect_stdout_has("new tenant dune");
    assert!(project.path("tfplan").exists(), "the plan file is missing");
    run(&project, &["apply", "-input=false", "-no-color", "tfplan"]).expect_success();
    assert_eq!(tenant_slugs(&project), ["acme", "dune"]);
}

#[test]
fn policy_test_reports_each_test_and_fails_on_a_failing_one() {
    let project = Project::from_config("");
    for name in ["tests-passing", "tests-mixed"] {
        copy_tree(&fixture_dir("policy").join(name), &project.path(name), &[]);
    }
    let passing = run(&project, &["policy", "test", "tests-passing"]);
    passing
        .expect_code(0)
        .expect_stdout_has("data.main.test_deleting_a_database_is_denied: PASS (")
        .expect_stdout_has("data.main.test_a_new_tenant_warns: PASS (");
    assert!(
        passing.stdout.ends_with("PASS: 2/2\n"),
        "{}",
        passing.describe()
    );
    let mixed = run(&project, &["policy", "test", "tests-mixed"]);
    mixed
        .expect_code(1)
        .expect_stdout_has("data.main.test_updating_a_database_is_denied: FAIL (");
    assert!(
        mixed.stdout.ends_with("PASS: 2/3\nFAIL: 1/3\n"),
        "{}",
        mixed.describe()
    );
    run(&project, &["policy", "test", "missing-dir"])
        .expect_code(1)
        .expect_stderr_has("missing-dir");
}

#[test]
fn max_destroy_refuses_a_fleet_wide_deletion_until_the_removed_tenants_are_allowed() {
    let all = ["acme", "bolt", "cove", "dune", "echo", "fern"];
    let project = applied_fleet(&all);
    set_tenants(&project, &["acme", "bolt"]);
    run(
        &project,
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-max-destroy=2",
        ],
    )
    .expect_code(1)
    .expect_stderr_has("Error: Too many resource instances to destroy")
    .expect_stderr_has("destroys or replaces 8 resource instances, more than the limit of 2")
    .expect_stderr_has("  - module.tenant[\"cove\"].tenant.this")
    .expect_stderr_has("  - module.tenant[\"fern\"].tenant_database.main");
    assert_eq!(state_list(&project), fleet_addresses(&all));
    assert_eq!(tenant_slugs(&project), all);

    // The environment gives the default, for plans too: no plan file is written.
    let limited = |args: &[&str]| {
        project
            .tenantform_command(args)
            .with_env_var("TENANTFORM_MAX_DESTROY", "2")
            .run(DEFAULT_TIMEOUT)
    };
    limited(&["plan", "-input=false", "-no-color", "-out=tfplan"])
        .expect_code(1)
        .expect_stderr_has("set by TENANTFORM_MAX_DESTROY");
    assert!(!project.path("tfplan").exists(), "a refused plan was saved");

    // A saved plan is checked before it is applied.
    plan(&project, &["-out=tfplan"]).expect_success();
    run(
        &project,
        &[
            "apply",
            "-input=false",
            "-no-color",
            "-max-destroy=7",
            "tfplan",
        ],
    )
    .expect_code(1)
    .expect_stderr_has("more than the limit of 7 set by -max-destroy");
    assert_eq!(tenant_slugs(&project), all);

    let allowed = limited(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-allow-destroy=module.tenant[\"cove\"]",
        "-allow-destroy=module.tenant[\"dune\"]",
        "-allow-destroy=module.tenant[\"echo\"]",
        "-allow-destroy=module.tenant[\"fern\"]",
    ]);
    allowed.expect_success();
    assert_eq!(state_list(&project), fleet_addresses(&["acme", "bolt"]));
    assert_eq!(tenant_slugs(&project), ["acme", "bolt"]);
}

#[test]
fn invalid_limits_and_addresses_are_refused_before_planning() {
    let project = applied_fleet(&["acme"]);
    project
        .tenantform_command(&["plan", "-input=false"])
        .with_env_var("TENANTFORM_MAX_DESTROY", "many")
        .run(DEFAULT_TIMEOUT)
        .expect_code(1)
        .expect_stderr_has("Invalid TENANTFORM_MAX_DESTROY");
    run(
        &project,
        &["apply", "-auto-approve", "-allow-destroy=module."],
    )
    .expect_code(1)
    .expect_stderr_has("Invalid -allow-destroy");
    run(&project, &["destroy", "-auto-approve", "-max-destroy=1"])
        .expect_code(1)
        .expect_stderr_has("Too many resource instances to destroy");
    assert_eq!(tenant_slugs(&project), ["acme"]);
}

#[test]
fn forgetting_is_not_destroying() {
    let project = applied_fleet(&["acme", "bolt"]);
    // Removing the call would delete both tenants; forgetting it instead counts nothing.
    project.write_file(
        "main.tf",
        "removed {\n  from = module.tenant\n\n  lifecycle {\n    destroy = false\n  }\n}\n\n\
         variable \"tenants\" {\n  type = set(string)\n}\n",
    );
    run(
        &project,
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-max-destroy=0",
        ],
    )
    .expect_success();
    assert!(state_list(&project).is_empty());
    assert_eq!(
        tenant_slugs(&project),
        ["acme", "bolt"],
        "forgotten tenants still exist"
    );
}
