//! Fault matrix, local state file rows: a state write that fails as on a full disk (the
//! file size limit `RLIMIT_FSIZE` lowered on the running `tenantform`, `SIGXFSZ` ignored, so
//! writes fail with EFBIG) keeps the previous state file intact and names the file; a state
//! file damaged so that its JSON, its UTF-8 or its recorded digest breaks is refused naming
//! the file, with the backup untouched, while Terraform's own writes still read. Each row
//! ends with the shared recovery checks (`fault_checks::assert_fault_recovered`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::fault_checks::{FAULT_RUN_TIMEOUT, FaultSubject, assert_fault_recovered};
use acceptance_tests::generate::tenants_config;
use acceptance_tests::recovery::wait_for_catalog_objects;
use acceptance_tests::{Project, Terraform, TerraformVersion};

const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];

/// Lowers the file size limit of the running process `pid` to `bytes`.
fn limit_file_size(pid: u32, bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    let pid = libc::pid_t::try_from(pid).expect("a process id fits pid_t");
    // SAFETY: prlimit(2) on a process this test started, with a valid limit and no old-limit
    // output.
    let result = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, &limit, std::ptr::null_mut()) };
    assert_eq!(result, 0, "prlimit --fsize={bytes} on {pid} failed");
}

/// Makes writes past the file size limit fail with EFBIG instead of killing the writer, in
/// this process and the processes it starts.
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN has no memory-safety preconditions.
    let previous = unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    assert_ne!(previous, libc::SIG_ERR, "cannot ignore SIGXFSZ");
}

#[test]
fn a_failing_state_write_keeps_the_previous_state_and_the_next_apply_converges() {
    ignore_file_size_signal();
    let project = Project::from_config(&tenants_config(5, false));
    project.init();
    project.tenantform(&APPLY).expect_success();
    let previous = std::fs::read(project.state_path()).unwrap();

    project.write_file("main.tf", &tenants_config(100, false));
    let subject = FaultSubject::embedded(&project);
    let mut apply = subject.start_apply(&["-parallelism=2"]);
    wait_for_catalog_objects(&project, &mut apply, 8);
    limit_file_size(apply.pid(), 1024);
    let failed = apply.wait(FAULT_RUN_TIMEOUT);

    assert_eq!(
        failed.code,
        Some(1),
        "an apply whose state writes fail exits 1\n{}",
        failed.describe()
    );
    let output = failed.combined();
    assert!(
        output.contains("terraform.tfstate") && output.contains("File too large"),
        "the error should name the state file and the reason\n{}",
        failed.describe()
    );
    assert_eq!(
        std::fs::read(project.state_path()).unwrap(),
        previous,
        "the previous state file is intact"
    );

    assert_fault_recovered(&subject);
}

/// One kind of damage: its name and how it changes the state file's bytes.
struct Damage {
    name: &'static str,
    apply: fn(&[u8]) -> Vec<u8>,
    /// What the refusal says about it.
    reason: &'static str,
}

const DAMAGES: [Damage; 4] = [
    Damage {
        name: "truncated in the middle",
        apply: |bytes| bytes[..bytes.len() / 2].to_vec(),
        reason: "is not valid JSON",
    },
    Damage {
        name: "truncated to nothing",
        apply: |_| Vec::new(),
        reason: "the file is empty",
    },
    Damage {
        name: "a byte that breaks UTF-8",
        apply: |bytes| {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            let at = text.find("Tenant Zero").unwrap();
            let mut damaged = bytes.to_vec();
            damaged[at] = 0xff;
            damaged
        },
        reason: "is not valid JSON",
    },
    Damage {
        name: "a changed value under the same serial",
        apply: |bytes| {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            text.replacen("Tenant Zero", "Tenant Zeta", 1).into_bytes()
        },
        reason: "does not match the digest",
    },
];

/// Asserts that `plan` and `apply` refuse the damaged state file naming it, and leave it and
/// its backup as they are.
fn assert_refused(project: &Project, damage: &Damage, backup: &[u8]) {
    let damaged = std::fs::read(project.state_path()).unwrap();
    for command in [&["plan", "-input=false", "-no-color"][..], &APPLY[..]] {
        let refused = project.tenantform(command);
        assert_eq!(
            refused.code,
            Some(1),
            "{} with a state file {} should fail\n{}",
            command[0],
            damage.name,
            refused.describe()
        );
        let output = refused.combined();
        assert!(
            output.contains("terraform.tfstate") && output.contains(damage.reason),
            "the refusal of a state file {} should name the file and say {:?}\n{}",
            damage.name,
            damage.reason,
            refused.describe()
        );
        assert_eq!(
            std::fs::read(project.state_path()).unwrap(),
            damaged,
            "the damaged file is left as it is"
        );
        assert_eq!(
            std::fs::read(project.path("terraform.tfstate.backup")).unwrap(),
            backup,
            "the backup is untouched"
        );
    }
}

/// Terraform rewriting the state (the same content under the same serial, then a change
/// under a higher serial) is not damage: tenantform still reads the file.
fn assert_terraform_writes_are_accepted(project: &Project, terraform: &Terraform) {
    // Terraform needs no `init` for a provider under dev_overrides.
    project.terraform(terraform, &APPLY).expect_success();
    project.plan_detailed().expect_code(0);
    project.replace_in_file("main.tf", "\"Tenant 1\"", "\"Tenant One\"");
    project.terraform(terraform, &APPLY).expect_success();
    project.plan_detailed().expect_code(0);
}

#[test]
fn damaged_state_files_are_refused_naming_the_file_with_the_backup_untouched() {
    let project = Project::from_config(&tenants_config(3, false));
    project.init();
    project.tenantform(&APPLY).expect_success();
    project.replace_in_file("main.tf", "\"Tenant 0\"", "\"Tenant Zero\"");
    project.tenantform(&APPLY).expect_success();
    let intact = std::fs::read(project.state_path()).unwrap();
    let backup = std::fs::read(project.path("terraform.tfstate.backup")).unwrap();

    for damage in &DAMAGES {
        std::fs::write(project.state_path(), (damage.apply)(&intact)).unwrap();
        assert_refused(&project, damage, &backup);
    }

    // Restoring the intact file makes it readable again.
    std::fs::write(project.state_path(), &intact).unwrap();
    project.plan_detailed().expect_code(0);
    if let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) {
        assert_terraform_writes_are_accepted(&project, &terraform);
    }

    // Restoring the backup (an earlier serial) is not damage either; the apply converges.
    let backup_now = std::fs::read(project.path("terraform.tfstate.backup")).unwrap();
    std::fs::write(project.state_path(), backup_now).unwrap();
    assert_fault_recovered(&FaultSubject::embedded(&project));
}
