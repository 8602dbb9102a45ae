//! Bad input and hostile conditions: each case checks the message the user gets and that
//! nothing was lost (the state file is byte-for-byte intact and the catalog unchanged).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::generate::tenants_config;
use acceptance_tests::process::{children_running, is_alive, kill_pid, wait_until};
use acceptance_tests::recovery::{
    Expected, assert_recovers, start_apply, wait_for_catalog_objects,
};
use acceptance_tests::{Catalog, Output, Project};

/// The quickstart, applied.
fn applied_quickstart() -> Project {
    let project = Project::from_example("quickstart");
    project.init();
    let apply = project.tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    apply.expect_success();
    assert!(
        project.state_path().is_file() && project.catalog().count("tenant") == 2,
        "the quickstart apply left no state or no tenants\n{}",
        apply.describe()
    );
    project
}

/// What must survive a failed command.
struct Snapshot {
    state: Vec<u8>,
    catalog: Catalog,
}

impl Snapshot {
    fn take(project: &Project) -> Snapshot {
        Snapshot {
            state: std::fs::read(project.state_path()).expect("read the state file"),
            catalog: project.catalog(),
        }
    }

    fn assert_unchanged(&self, project: &Project, after: &Output) {
        let state = std::fs::read(project.state_path()).expect("read the state file");
        assert!(
            state == self.state,
            "the state file changed after a failed command\n{}",
            after.describe()
        );
        assert_eq!(
            project.catalog(),
            self.catalog,
            "the catalog changed after a failed command\n{}",
            after.describe()
        );
    }
}

fn assert_mentions(output: &Output, needles: &[&str]) {
    let text = output.combined();
    for needle in needles {
        assert!(
            text.contains(needle),
            "expected the output to mention {needle:?}\n{}",
            output.describe()
        );
    }
    assert!(
        !text.contains("panicked at"),
        "a user error must not panic\n{}",
        output.describe()
    );
}

/// Plans and applies the current configuration, both of which must fail without effect.
fn plan_and_apply_fail(project: &Project, snapshot: &Snapshot) -> Output {
    let plan = project.tenantform(&["plan", "-input=false", "-no-color"]);
    plan.expect_failure();
    snapshot.assert_unchanged(project, &plan);
    let apply = project.tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    apply.expect_failure();
    snapshot.assert_unchanged(project, &apply);
    plan
}

/// Edits the applied quickstart with `edit`: plan and apply must then fail, changing nothing.
fn edit_then_fail(edit: impl FnOnce(&Project)) -> Output {
    let project = applied_quickstart();
    let snapshot = Snapshot::take(&project);
    edit(&project);
    plan_and_apply_fail(&project, &snapshot)
}

#[test]
fn syntax_error_names_the_file_and_line() {
    let project = applied_quickstart();
    let snapshot = Snapshot::take(&project);
    let original = project.read_file("main.tf");
    let broken_line = "  slug         = \"broken\" \"extra\"";
    let config = format!(
        "{original}\nresource \"tenant\" \"broken\" {{\n{broken_line}\n  display_name = \"Broken\"\n}}\n"
    );
    // 1-based line of `broken_line`: the original lines, the blank line, the block header.
    let line = original.lines().count() + 3;
    assert_eq!(config.lines().nth(line - 1), Some(broken_line));
    project.write_file("main.tf", &config);

    let output = plan_and_apply_fail(&project, &snapshot);
    let text = output.combined();
    assert!(
        text.contains(&format!("main.tf line {line}"))
            || text.contains(&format!("main.tf:{line}:")),
        "expected the location main.tf line {line}\n{}",
        output.describe()
    );
    assert_mentions(&output, &[broken_line.trim()]);
}

/// Two resources that refer to each other.
const LOOP: &str = "
resource \"tenant_user\" \"loop_a\" {
  tenant_id = tenant_database.loop_b.tenant_id
  email     = \"loop@acme.example\"
  role      = \"member\"
}

resource \"tenant_database\" \"loop_b\" {
  tenant_id = tenant_user.loop_a.tenant_id
  name      = \"loop\"
}
";

#[test]
fn reference_cycle_is_reported_as_a_path() {
    let output = edit_then_fail(|project| {
        project.append_to_file("main.tf", LOOP);
    });
    assert_mentions(
        &output,
        &["Cycle", "tenant_user.loop_a", "tenant_database.loop_b"],
    );
}

#[test]
fn unknown_argument_is_unsupported() {
    let output = edit_then_fail(|project| {
        project.replace_in_file(
            "main.tf",
            "  region              = \"us-east-1\"\n",
            "  region              = \"us-east-1\"\n  colour              = \"blue\"\n",
        );
    });
    assert_mentions(&output, &["Unsupported argument", "colour", "main.tf"]);
}

#[test]
fn unknown_resource_type_is_rejected() {
    let output = edit_then_fail(|project| {
        project.append_to_file(
            "main.tf",
            "\nresource \"tenant_bogus\" \"x\" {\n  name = \"x\"\n}\n",
        );
    });
    assert_mentions(&output, &["tenant_bogus", "resource type"]);
}

#[test]
fn missing_provider_binary_is_reported() {
    let mut project = applied_quickstart();
    // As in a fresh checkout: no provider cached by `init` in the working directory.
    let init_dir = project.path(".terraform");
    if init_dir.exists() {
        std::fs::remove_dir_all(&init_dir).expect("remove .terraform");
    }
    let snapshot = Snapshot::take(&project);
    // A lone copy of tenantform, with no provider beside it, in a directory not on PATH.
    let lonely = project.scratch_dir("lonely-bin").join("tenantform");
    std::fs::copy(&project.binaries().tenantform, &lonely).expect("copy tenantform");
    project.use_tenantform(lonely);

    let init = project.tenantform(&["init", "-input=false", "-no-color"]);
    snapshot.assert_unchanged(&project, &init);
    let failed = if init.code == Some(0) {
        let plan = project.tenantform(&["plan", "-input=false", "-no-color"]);
        plan.expect_failure();
        snapshot.assert_unchanged(&project, &plan);
        plan
    } else {
        init.expect_failure();
        init
    };
    assert_mentions(&failed, &["tenantform/tenant"]);
    let lowercase = failed.combined().to_lowercase();
    assert!(
        [
            "failed to find provider",
            "failed to install provider",
            "failed to query",
            "failed to load plugin",
            "could not find"
        ]
        .iter()
        .any(|phrase| lowercase.contains(phrase)),
        "expected a \"Failed to find provider\"-style message\n{}",
        failed.describe()
    );
}

#[test]
fn corrupt_state_is_refused_and_kept() {
    let project = applied_quickstart();
    let state = std::fs::read(project.state_path()).expect("read the state file");
    std::fs::write(project.state_path(), &state[..state.len() / 2]).expect("corrupt the state");
    let snapshot = Snapshot::take(&project);
    let output = plan_and_apply_fail(&project, &snapshot);
    let lowercase = output.combined().to_lowercase();
    assert!(
        lowercase.contains("state"),
        "the message should say the state is unreadable\n{}",
        output.describe()
    );
    assert_mentions(&output, &["terraform.tfstate"]);
}

#[test]
fn held_state_lock_blocks_a_second_run() {
    let project = applied_quickstart();
    project.replace_in_file("main.tf", "\"Globex Inc.\"", "\"Globex Corporation\"");
    let snapshot = Snapshot::take(&project);

    // The first run holds the lock while it waits for approval on its (open) standard input.
    let mut holder = project
        .tenantform_command(&["apply", "-no-color"])
        .spawn(true);
    holder.wait_for_output("Enter a value", Duration::from_secs(60));

    let second = project.tenantform(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock-timeout=0s",
    ]);
    second.expect_failure();
    assert_mentions(&second, &["Error acquiring the state lock"]);
    snapshot.assert_unchanged(&project, &second);

    holder.write_stdin("no\n");
    let declined = holder.wait(Duration::from_secs(60));
    snapshot.assert_unchanged(&project, &declined);
}

#[test]
fn os_lock_on_the_lock_file_blocks_a_run() {
    let project = applied_quickstart();
    project.replace_in_file("main.tf", "\"Globex Inc.\"", "\"Globex Corporation\"");
    let snapshot = Snapshot::take(&project);
    // Another process's lock, as Terraform's local backend takes it: an OS lock on the info file.
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(project.path(".terraform.tfstate.lock.info"))
        .expect("open the lock info file");
    lock_file.try_lock().expect("take the OS lock");

    let blocked = project.tenantform(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock-timeout=1s",
    ]);
    blocked.expect_failure();
    assert_mentions(&blocked, &["Error acquiring the state lock"]);
    snapshot.assert_unchanged(&project, &blocked);

    lock_file.unlock().expect("release the OS lock");
    drop(lock_file);
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    let catalog = project.catalog();
    assert!(
        catalog
            .of("tenant")
            .iter()
            .any(|tenant| tenant.detail == "Globex Corporation"),
        "the apply after the lock was released should succeed: {}",
        catalog.summary()
    );
}

#[test]
fn provider_killed_mid_apply_loses_nothing() {
    const TENANTS: usize = 50;
    let project = Project::from_config(&tenants_config(TENANTS, true));
    project.init();
    let mut apply = start_apply(&project, 2);
    wait_for_catalog_objects(&project, &mut apply, 6);

    let provider = project.binaries().provider.clone();
    let mut providers = Vec::new();
    let found = wait_until(Duration::from_secs(10), || {
        providers = children_running(apply.pid(), &provider);
        !providers.is_empty()
    });
    assert!(found, "no provider process is a child of tenantform");
    for &pid in &providers {
        kill_pid(pid);
    }
    assert!(wait_until(Duration::from_secs(10), || providers
        .iter()
        .all(|&pid| !is_alive(pid))));

    let output = apply.wait(Duration::from_secs(60));
    output.expect_failure();
    let lowercase = output.combined().to_lowercase();
    assert!(
        lowercase.contains("provider") || lowercase.contains("plugin"),
        "the message should say the provider failed\n{}",
        output.describe()
    );
    assert!(!lowercase.contains("panicked at"), "{}", output.describe());

    assert_recovers(
        &project,
        &Expected {
            tenants: TENANTS,
            databases: TENANTS,
        },
    );
}
