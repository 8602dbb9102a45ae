//! The `audit` command line, run as the built binary against an embedded backend: listing,
//! verifying an intact log, and naming the entry of a row altered behind the provider's back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::path::Path;
use std::process::{Command, Output};

use terraform_provider_tenant::backend::embedded::{EmbeddedBackend, EmbeddedSettings};
use terraform_provider_tenant::backend::{Backend, Contact, TenantRecord, UserRecord};

const BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-tenant");

fn run(arguments: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    command.args(arguments);
    for variable in [
        "TENANT_BACKEND",
        "TENANT_PATH",
        "TENANT_DSN",
        "TENANT_ARCHIVE_DIR",
        "TENANT_STORAGE_ROOT",
    ] {
        command.env_remove(variable);
    }
    command.output().expect("run the provider binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn tenant(id: &str, slug: &str) -> TenantRecord {
    TenantRecord {
        id: id.into(),
        slug: slug.into(),
        display_name: slug.into(),
        tier: "standard".into(),
        region: "eu-west-1".into(),
        labels: None,
        status: "active".into(),
        deletion_protection: false,
        retention_days: 30,
        contacts: vec![Contact {
            name: "Ops".into(),
            email: "ops@example.com".into(),
            kind: None,
        }],
        created_at: "2026-01-01T00:00:00Z".into(),
    }
}

/// Three tenants, a user and a tenant update: five entries.
fn populate(path: &Path) {
    let backend = EmbeddedBackend::open(&EmbeddedSettings {
        path: path.to_path_buf(),
        archive_dir: None,
        storage_root: None,
    })
    .unwrap();
    for (id, slug) in [("t1", "acme"), ("t2", "globex"), ("t3", "initech")] {
        backend.tenants().create(&tenant(id, slug)).unwrap();
    }
    backend
        .users()
        .create(&UserRecord {
            id: "u1".into(),
            tenant_id: "t1".into(),
            email: "jo@acme.io".into(),
            role: "admin".into(),
            disabled: false,
            login: "tenant_acme_jo".into(),
            password_hash: "sha256$00$00".into(),
            connection_limit: -1,
        })
        .unwrap();
    backend
        .tenants()
        .update(&TenantRecord {
            tier: "enterprise".into(),
            ..tenant("t2", "globex")
        })
        .unwrap();
}

#[test]
fn audit_list_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenants");
    populate(&path);
    let path_arg = path.to_str().unwrap();

    let listed = run(&["audit", "list", "--path", path_arg]);
    assert!(listed.status.success(), "{listed:?}");
    let lines: Vec<Vec<String>> = stdout(&listed)
        .lines()
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let columns: Vec<(&str, &str, &str, &str)> = lines
        .iter()
        .map(|l| (l[0].as_str(), l[3].as_str(), l[4].as_str(), l[5].as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("1", "create", "tenant", "t1"),
            ("2", "create", "tenant", "t2"),
            ("3", "create", "tenant", "t3"),
            ("4", "create", "tenant_user", "u1"),
            ("5", "update", "tenant", "t2"),
        ]
    );
    assert!(lines.iter().all(|l| l.len() == 6 && l[1].ends_with('Z')));

    let json = run(&[
        "audit",
        "list",
        "--json",
        "--backend=embedded",
        "--path",
        path_arg,
    ]);
    assert!(json.status.success(), "{json:?}");
    let entries: Vec<serde_json::Value> = stdout(&json)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[3]["resource"], "tenant_user");
    assert_eq!(entries[1]["hash"], entries[2]["prev_hash"]);
    assert!(
        !stdout(&json).contains("sha256$"),
        "password hashes never reach the log"
    );

    let verified = run(&["audit", "verify", "--path", path_arg]);
    assert!(verified.status.success(), "{verified:?}");
    assert_eq!(stdout(&verified).trim(), "audit log intact: 5 entries");

    let connection = rusqlite::Connection::open(path.join("catalog.db")).unwrap();
    let edit = "UPDATE audit_log SET after = replace(after, 'globex', 'umbrella') WHERE seq = 2";
    let refused = connection.execute(edit, []).unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
    // Someone with write access to the file can drop the trigger; the chain still tells.
    connection
        .execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    connection.execute(edit, []).unwrap();
    drop(connection);
    let broken = run(&["audit", "verify", "--path", path_arg]);
    assert_eq!(broken.status.code(), Some(1), "{broken:?}");
    let message = stdout(&broken);
    assert!(
        message.starts_with("audit log broken at entry 2: "),
        "{message}"
    );
}

#[test]
fn a_missing_catalog_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere");
    let output = run(&["audit", "verify", "--path", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no tenant catalog"));
    assert!(!path.exists());
}

#[test]
fn usage_errors_exit_with_two() {
    let output = run(&["audit", "frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"));
    let help = run(&["audit", "--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("audit verify"));
}
