//! Per-tenant locks on the `pg` state backend: applies of saved plans that change different
//! tenants of one fleet (one state) run at the same time and both land, the state's serial
//! bumped once by each and the root outputs evaluated over both changes; two applies on the
//! same tenant exclude each other (refused naming the holder, or waiting and then refused as
//! stale, or waiting and then applied when the plan's own instances did not change, or,
//! auto-approved without a saved plan, waiting and then planning again);
//! Terraform 1.15.5's exclusive lock and tenantform's shared one exclude each other both ways;
//! plans hold the state lock shared too, so that they run beside each other and beside a
//! per-tenant apply, while Terraform's apply makes them wait;
//! and `force-unlock` with the ID a tenant's lock error shows ends a stuck holder, whose
//! recorded instances the next apply replays and folds into the state.
//!
//! Every apply is slowed down by a `local-exec` provisioner (`sleep`) replaced with each
//! tenant's change, so that the overlap is certain; it is proven by the lock information table
//! holding two tenants' locks at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::fault_checks::{
    FAULT_RUN_TIMEOUT, FaultSubject, ProviderBackend, assert_fault_recovered, with_pg_backend,
};
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::{Output, RunningProcess, wait_until};
use acceptance_tests::{Project, Terraform, TerraformVersion};

/// How long the provisioner of each changed tenant sleeps.
const PAUSE_SECONDS: u32 = 6;
const PLAN_FILE: &str = "tenant.tfplan";

const TENANT_MODULE: &str = r#"terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

variable "slug" {
  type = string
}

variable "display_name" {
  type = string
}

variable "databases" {
  type = number
}

resource "tenant" "this" {
  slug                = var.slug
  display_name        = var.display_name
  tier                = "standard"
  region              = "eu-west-1"
  deletion_protection = false
}

resource "tenant_database" "db" {
  count     = var.databases
  tenant_id = tenant.this.id
  name      = "db${count.index}"
}

output "display_name" {
  value = tenant.this.display_name
}
"#;

/// The fleet's root module: tenants a, b and c with these display names and database counts.
fn fleet(tenants: [(&str, u32); 3]) -> String {
    let entries: Vec<String> = ["a", "b", "c"]
        .iter()
        .zip(tenants)
        .map(|(key, (display, databases))| {
            format!("    {key} = {{ display = \"{display}\", databases = {databases} }}")
        })
        .collect();
    format!(
        "locals {{\n  tenants = {{\n{}\n  }}\n}}\n\nmodule \"tenant\" {{\n  source       = \
         \"./modules/tenant\"\n  for_each     = local.tenants\n  slug         = \
         \"locks-${{each.key}}\"\n  display_name = each.value.display\n  databases    = \
         each.value.databases\n}}\n\nresource \"terraform_data\" \"pause\" {{\n  for_each         \
         = local.tenants\n  triggers_replace = [module.tenant[each.key].display_name]\n\n  \
         provisioner \"local-exec\" {{\n    command = \"sleep {PAUSE_SECONDS}\"\n  }}\n}}\n\noutput \"display_names\" \
         {{\n  value = {{ for key, tenant in module.tenant : key => tenant.display_name }}\n}}\n",
        entries.join("\n")
    )
}

const FIRST: [(&str, u32); 3] = [("A one", 0), ("B one", 0), ("C one", 0)];

/// A working directory of the fleet whose provider and state live on `server`.
struct Checkout<'a> {
    fleet: PgProject<'a>,
    env: Vec<(String, String)>,
}

impl<'a> Checkout<'a> {
    fn new(server: &'a PostgresServer, tenants: [(&str, u32); 3]) -> Checkout<'a> {
        let fleet = PgProject::from_resources(server, &fleet(tenants));
        let main = fleet.project.read_file("main.tf");
        fleet.project.write_file("main.tf", &with_pg_backend(&main));
        fleet
            .project
            .write_file("modules/tenant/main.tf", TENANT_MODULE);
        let mut subject = FaultSubject {
            project: &fleet.project,
            env: Vec::new(),
            backend: ProviderBackend::Postgres(server),
        };
        subject.init_pg_state(server);
        let env = subject.env;
        Checkout { fleet, env }
    }

    fn subject(&self) -> FaultSubject<'_> {
        FaultSubject {
            project: &self.fleet.project,
            env: self.env.clone(),
            backend: ProviderBackend::Postgres(self.fleet.server),
        }
    }

    fn project(&self) -> &Project {
        &self.fleet.project
    }

    /// Rewrites the root module for these tenants.
    fn set_tenants(&self, tenants: [(&str, u32); 3]) {
        let main = with_pg_backend(&format!(
            "{}\n{}",
            acceptance_tests::pg_project::POSTGRES_PROVIDER,
            fleet(tenants)
        ));
        self.project().write_file("main.tf", &main);
    }

    /// `plan -out` for these tenants, which must propose changes.
    fn plan_saved(&self, tenants: [(&str, u32); 3]) {
        self.set_tenants(tenants);
        let out = format!("-out={PLAN_FILE}");
        let plan = self
            .subject()
            .tenantform(&["plan", "-input=false", "-no-color", &out]);
        plan.expect_success();
    }

    fn start_saved_apply(&self, lock_timeout: &str) -> RunningProcess {
        let timeout = format!("-lock-timeout={lock_timeout}");
        self.subject()
            .command(&["apply", "-input=false", "-no-color", &timeout, PLAN_FILE])
            .spawn(false)
    }

    fn apply(&self) {
        let applied =
            self.subject()
                .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        applied.expect_success();
    }
}

fn sql(server: &PostgresServer, query: &str) -> String {
    server
        .psql(&server.superuser_dsn(), query)
        .expect("psql")
        .trim()
        .to_string()
}

fn serial(server: &PostgresServer) -> u64 {
    sql(
        server,
        "SELECT data::jsonb ->> 'serial' FROM terraform_remote_state.states WHERE name = 'default'",
    )
    .parse()
    .expect("a serial")
}

/// The tenants (a, b, c) whose locks are held now (rows of the lock information table; the
/// sleepers outside the module are partitions of their own).
fn held_tenant_locks(server: &PostgresServer) -> usize {
    server
        .psql(
            &server.superuser_dsn(),
            "SELECT count(*) FROM terraform_remote_state.tenantform_locks \
             WHERE partition IN ('a', 'b', 'c')",
        )
        .map_or(0, |count| count.trim().parse().unwrap_or(0))
}

/// Waits until `count` tenant locks are held at once, failing if `apply` ends first.
fn wait_for_tenant_locks(server: &PostgresServer, apply: &mut RunningProcess, count: usize) {
    let reached = wait_until(Duration::from_secs(120), || {
        apply.has_exited() || held_tenant_locks(server) >= count
    });
    assert!(
        reached && held_tenant_locks(server) >= count,
        "{count} tenant lock(s) should be held at once\n{}",
        apply.output_so_far()
    );
}

fn assert_applied(output: &Output, what: &str) {
    assert_eq!(output.code, Some(0), "{what}\n{}", output.describe());
}

/// The fleet applied once from a first checkout, and a second checkout of it.
fn two_checkouts(server: &PostgresServer) -> (Checkout<'_>, Checkout<'_>) {
    let first = Checkout::new(server, FIRST);
    first.apply();
    let second = Checkout::new(server, FIRST);
    (first, second)
}

#[test]
fn applies_on_different_tenants_run_at_once_and_both_land() {
    let server = start_postgres(Profile::Superuser);
    let (one, two) = two_checkouts(&server);
    one.plan_saved([("A two", 0), ("B one", 0), ("C one", 0)]);
    two.plan_saved([("A one", 0), ("B two", 0), ("C one", 0)]);
    let before = serial(&server);

    let mut first = one.start_saved_apply("0s");
    wait_for_tenant_locks(&server, &mut first, 1);
    let mut second = two.start_saved_apply("0s");
    // Both tenants locked at the same time: the applies overlap.
    wait_for_tenant_locks(&server, &mut second, 2);
    assert!(!first.has_exited(), "{}", first.output_so_far());
    let (first, second) = (
        first.wait(FAULT_RUN_TIMEOUT),
        second.wait(FAULT_RUN_TIMEOUT),
    );
    assert_applied(&first, "the apply on tenant a");
    assert_applied(&second, "the apply on tenant b, beside it");
    assert_eq!(serial(&server), before + 2, "one serial per apply");

    let state = one.subject().pulled_state();
    let outputs = &state.document["outputs"]["display_names"]["value"];
    assert_eq!(outputs["a"], "A two", "{outputs}");
    assert_eq!(
        outputs["b"], "B two",
        "the outputs see both tenants: {outputs}"
    );
    assert_eq!(outputs["c"], "C one", "{outputs}");
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_locks"
        ),
        "0",
        "every lock's information is gone with it"
    );

    // A refresh-only apply needs the whole state: it takes the exclusive lock and writes.
    let refreshed = one.subject().tenantform(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]);
    assert_applied(&refreshed, "a refresh-only apply");
    one.set_tenants([("A two", 0), ("B two", 0), ("C one", 0)]);
    assert_fault_recovered(&one.subject());
}

#[test]
fn applies_on_the_same_tenant_exclude_each_other() {
    let server = start_postgres(Profile::Superuser);
    let (one, two) = two_checkouts(&server);
    one.plan_saved([("A two", 0), ("B one", 0), ("C one", 0)]);
    two.plan_saved([("A three", 0), ("B one", 0), ("C one", 0)]);

    let mut first = one.start_saved_apply("0s");
    wait_for_tenant_locks(&server, &mut first, 1);
    let refused = two.subject().tenantform(&[
        "apply",
        "-input=false",
        "-no-color",
        "-lock-timeout=0s",
        PLAN_FILE,
    ]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    let text = refused.combined();
    for expected in [
        "Error acquiring the state lock",
        "Tenant \"a\" is already locked",
        "OperationTypeApply",
        "tenant \"a\"",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?}\n{}",
            refused.describe()
        );
    }
    assert!(!text.contains("Modifying..."), "{}", refused.describe());

    // Waiting for the lock: once the first apply is done, tenant a changed under the plan.
    let waited = two.start_saved_apply("120s").wait(FAULT_RUN_TIMEOUT);
    assert_applied(
        &first.wait(FAULT_RUN_TIMEOUT),
        "the first apply on tenant a",
    );
    assert_eq!(waited.code, Some(1), "{}", waited.describe());
    let text = waited.combined();
    assert!(
        text.contains("Saved plan is stale"),
        "{}",
        waited.describe()
    );
    assert!(
        text.contains("module.tenant[\"a\"].tenant.this"),
        "the refusal names the changed instance\n{}",
        waited.describe()
    );

    // Waiting, then applying: the second plan's own instance (a new database of tenant a) did
    // not change while the first apply held the tenant.
    one.plan_saved([("A four", 0), ("B one", 0), ("C one", 0)]);
    two.plan_saved([("A two", 1), ("B one", 0), ("C one", 0)]);
    let mut first = one.start_saved_apply("0s");
    wait_for_tenant_locks(&server, &mut first, 1);
    let second = two.start_saved_apply("120s");
    let (first, second) = (
        first.wait(FAULT_RUN_TIMEOUT),
        second.wait(FAULT_RUN_TIMEOUT),
    );
    assert_applied(&first, "the apply renaming tenant a");
    assert_applied(
        &second,
        "the apply adding a database to tenant a, after waiting",
    );
    let state = one.subject().pulled_state();
    assert_eq!(
        state.document["outputs"]["display_names"]["value"]["a"],
        "A four"
    );
    assert!(
        state
            .addresses()
            .contains(&"module.tenant[\"a\"].tenant_database.db[0]".to_string()),
        "{:?}",
        state.addresses()
    );

    one.set_tenants([("A four", 1), ("B one", 0), ("C one", 0)]);
    assert_fault_recovered(&one.subject());
}

fn assert_locked(output: &Output, what: &str) {
    assert_ne!(output.code, Some(0), "{what}\n{}", output.describe());
    assert!(
        output.combined().contains("Error acquiring the state lock"),
        "{what}: expected the lock error\n{}",
        output.describe()
    );
}

/// Starts `spec` and waits for its approval prompt: the run holds its lock meanwhile.
fn paused(spec: acceptance_tests::process::CommandSpec) -> RunningProcess {
    let mut run = spec.spawn(true);
    run.wait_for_output("Enter a value:", Duration::from_secs(120));
    run
}

#[test]
fn terraform_and_per_tenant_applies_exclude_each_other() {
    let tf = Terraform::from_env(TerraformVersion::V1_15)
        .expect("this test needs Terraform 1.15.5 (TENANTFORM_TERRAFORM_1_15)");
    let server = start_postgres(Profile::Superuser);
    let one = Checkout::new(&server, FIRST);
    let terraform = |args: &[&str]| {
        let mut spec = one.project().terraform_command(&tf, args);
        spec.env.extend(one.env.iter().cloned());
        spec
    };
    // Before any state exists: with the provider overridden, Terraform installs nothing then.
    terraform(&["init", "-input=false", "-no-color"])
        .run(FAULT_RUN_TIMEOUT)
        .expect_success();
    one.apply();
    let plan_args = ["plan", "-input=false", "-no-color", "-lock-timeout=1s"];

    // Terraform holds its exclusive lock while asking for approval: our apply is refused.
    one.set_tenants([("A two", 0), ("B one", 0), ("C one", 0)]);
    let mut held = paused(terraform(&["apply", "-no-color"]));
    let refused = one.subject().tenantform(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock-timeout=1s",
    ]);
    assert_locked(&refused, "a per-tenant apply while Terraform applies");
    // Our plan too: refused after its timeout, or waiting until Terraform lets go.
    let plan_refused = one.subject().tenantform(&plan_args);
    assert_locked(&plan_refused, "a plan while Terraform applies");
    let mut waiting_plan = one
        .subject()
        .command(&["plan", "-input=false", "-no-color", "-lock-timeout=120s"])
        .spawn(false);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !waiting_plan.has_exited(),
        "the plan waits for Terraform's lock\n{}",
        waiting_plan.output_so_far()
    );
    held.write_stdin("no\n");
    held.wait(FAULT_RUN_TIMEOUT);
    assert_applied(
        &waiting_plan.wait(FAULT_RUN_TIMEOUT),
        "the plan, once Terraform released its lock",
    );

    // Our apply holds the shared lock while asking for approval, and its tenant's lock while
    // applying: Terraform's plan and apply are refused with Terraform's own error.
    let mut ours = paused(one.subject().command(&["apply", "-no-color"]));
    assert_locked(
        &terraform(&plan_args).run(FAULT_RUN_TIMEOUT),
        "a Terraform plan while a per-tenant apply asks for approval",
    );
    ours.write_stdin("yes\n");
    wait_for_tenant_locks(&server, &mut ours, 1);
    assert_locked(
        &terraform(&["apply", "-auto-approve", "-no-color", "-lock-timeout=1s"])
            .run(FAULT_RUN_TIMEOUT),
        "a Terraform apply while a per-tenant apply runs",
    );
    assert_applied(&ours.wait(FAULT_RUN_TIMEOUT), "the per-tenant apply");

    // Afterwards Terraform reads the merged state and finds nothing to do.
    let after = terraform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .run(FAULT_RUN_TIMEOUT);
    assert_eq!(after.code, Some(0), "{}", after.describe());
    assert_fault_recovered(&one.subject());
}

/// The `ID:` line of a lock error.
fn lock_id_in(output: &Output) -> String {
    output
        .combined()
        .lines()
        .find_map(|line| line.trim().strip_prefix("ID:"))
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("no lock ID in the error\n{}", output.describe()))
}

#[test]
fn a_stuck_tenant_holder_is_force_unlocked_and_its_recorded_work_recovered() {
    let server = start_postgres(Profile::Superuser);
    let (one, two) = two_checkouts(&server);
    one.plan_saved([("A two", 0), ("B one", 0), ("C one", 0)]);
    two.plan_saved([("A three", 0), ("B one", 0), ("C one", 0)]);

    let mut stuck = one.start_saved_apply("0s");
    wait_for_tenant_locks(&server, &mut stuck, 1);
    let refused = two.subject().tenantform(&[
        "apply",
        "-input=false",
        "-no-color",
        "-lock-timeout=0s",
        PLAN_FILE,
    ]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    let id = lock_id_in(&refused);
    let unlocked = two.subject().tenantform(&["force-unlock", "-force", &id]);
    assert_applied(&unlocked, "force-unlock of the tenant's holder");
    let stuck = stuck.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(stuck.code, Some(1), "{}", stuck.describe());
    assert!(
        stuck.combined().contains("no longer held"),
        "the unlocked run stops writing\n{}",
        stuck.describe()
    );
    // Its lock information row stays behind, stale: no session holds that lock any more.
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_locks t WHERE EXISTS \
             (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.pid = t.pid)"
        ),
        "0",
        "the ended session's locks are gone"
    );

    // What the unlocked run recorded before is replayed, then folded by the next apply.
    let replayed = one.subject().pulled_state();
    assert_eq!(
        replayed.document["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|resource| resource["type"] == "tenant")
            .count(),
        3
    );
    one.set_tenants([("A two", 0), ("B one", 0), ("C one", 0)]);
    assert_fault_recovered(&one.subject());
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_journal"
        ),
        "0",
        "the recovering apply folded the unlocked run's journal rows"
    );
}

#[test]
fn an_auto_approved_apply_that_waited_for_its_tenant_plans_again() {
    let server = start_postgres(Profile::Superuser);
    let (one, two) = two_checkouts(&server);
    // Both checkouts hold the same change of tenant a, as two CI runs of one branch would.
    let renamed = [("A five", 0), ("B one", 0), ("C one", 0)];
    one.set_tenants(renamed);
    two.set_tenants(renamed);
    let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
    let mut first = one.subject().command(&apply).spawn(false);
    wait_for_tenant_locks(&server, &mut first, 1);
    let waiting = [&apply[..], &["-lock-timeout=120s"]].concat();
    let second = two.subject().command(&waiting).spawn(false);
    let (first, second) = (
        first.wait(FAULT_RUN_TIMEOUT),
        second.wait(FAULT_RUN_TIMEOUT),
    );
    assert_applied(&first, "the first apply of tenant a");
    assert_applied(&second, "the second apply, planned again after waiting");
    let text = second.combined();
    assert!(text.contains("planning again"), "{}", second.describe());
    assert!(
        text.contains("Resources: 0 added, 0 changed, 0 destroyed"),
        "the first apply did all the work\n{}",
        second.describe()
    );
    assert_fault_recovered(&one.subject());
}

/// `plan -detailed-exitcode` without waiting for the lock, started in the background.
fn start_plan(checkout: &Checkout<'_>) -> RunningProcess {
    checkout
        .subject()
        .command(&[
            "plan",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            "-lock-timeout=0s",
        ])
        .spawn(false)
}

fn assert_planned_changes(output: &Output, what: &str) {
    assert_eq!(output.code, Some(2), "{what}\n{}", output.describe());
    assert!(
        !output.combined().contains("Error acquiring the state lock"),
        "{what}\n{}",
        output.describe()
    );
}

#[test]
fn plans_run_beside_each_other_and_beside_a_per_tenant_apply() {
    let server = start_postgres(Profile::Superuser);
    let (one, two) = two_checkouts(&server);
    one.set_tenants([("A two", 0), ("B one", 0), ("C one", 0)]);
    two.set_tenants([("A one", 0), ("B two", 0), ("C one", 0)]);

    // The apply holds the state lock shared while it asks for approval: two plans at once,
    // neither waiting for the lock, both plan.
    let mut apply = paused(one.subject().command(&["apply", "-no-color"]));
    let plans = [start_plan(&two), start_plan(&two)];
    for plan in plans {
        assert_planned_changes(
            &plan.wait(FAULT_RUN_TIMEOUT),
            "a plan while a per-tenant apply asks for approval",
        );
    }
    assert!(!apply.has_exited(), "{}", apply.output_so_far());

    // Applying, it holds its tenant's lock too: two more plans at once.
    apply.write_stdin("yes\n");
    wait_for_tenant_locks(&server, &mut apply, 1);
    let plans = [start_plan(&two), start_plan(&one)];
    let [beside, own] = plans.map(|plan| plan.wait(FAULT_RUN_TIMEOUT));
    assert_planned_changes(&beside, "a plan of tenant b while tenant a is applied");
    assert!(
        own.code == Some(0) || own.code == Some(2),
        "a plan of the checkout being applied\n{}",
        own.describe()
    );
    assert_applied(&apply.wait(FAULT_RUN_TIMEOUT), "the per-tenant apply");

    // The plans wrote nothing: the apply's serial is the only one, and tenant b is unchanged.
    let state = one.subject().pulled_state();
    let outputs = &state.document["outputs"]["display_names"]["value"];
    assert_eq!(outputs["a"], "A two", "{outputs}");
    assert_eq!(outputs["b"], "B one", "{outputs}");
    assert_fault_recovered(&one.subject());
}
