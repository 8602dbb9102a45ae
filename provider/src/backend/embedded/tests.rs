//! Tests of the embedded backend on a temporary directory.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::*;
use crate::backend::Store;
use crate::backend::{
    AuditVerification, BackendError, Contact, DatabaseRecord, GrantRecord, TenantRecord,
};
use crate::records::Record;

fn open(dir: &tempfile::TempDir) -> EmbeddedBackend {
    EmbeddedBackend::open(&EmbeddedSettings {
        path: dir.path().join("tenants"),
        archive_dir: None,
        storage_root: None,
    })
    .expect("open backend")
}

/// A backend in a fresh folder (deleted when it is dropped) holding the tenant `t1`, `acme`.
fn open_with_acme() -> (tempfile::TempDir, EmbeddedBackend) {
    let dir = tempfile::tempdir().unwrap();
    let backend = open(&dir);
    backend.tenants().create(&tenant("t1", "acme")).unwrap();
    (dir, backend)
}

fn create_user(backend: &EmbeddedBackend, id: &str, tenant_id: &str, email: &str) -> UserRecord {
    backend.users().create(&user(id, tenant_id, email)).unwrap()
}

fn create_database(
    backend: &EmbeddedBackend,
    id: &str,
    tenant_id: &str,
    name: &str,
) -> DatabaseRecord {
    backend
        .databases()
        .create(&database(id, tenant_id, name))
        .unwrap()
}

/// A grant of `read` to the user `user_id` on the database `database_id`.
fn read_grant(id: &str, user_id: &str, database_id: &str) -> GrantRecord {
    GrantRecord {
        id: id.into(),
        user_id: user_id.into(),
        database_id: database_id.into(),
        privileges: BTreeSet::from(["read".to_string()]),
    }
}

/// `created` reads back by id and by its natural `key`, and `duplicate`, which has the same
/// key, is refused.
fn assert_stored_once<R: Record + PartialEq>(
    store: &dyn Store<R>,
    created: &R,
    key: R::Key<'_>,
    duplicate: &R,
) {
    assert_eq!(store.get(created.id()).unwrap(), Some(created.clone()));
    assert_eq!(store.find(key).unwrap(), Some(created.clone()));
    assert!(matches!(
        store.create(duplicate),
        Err(BackendError::AlreadyExists { .. })
    ));
}

fn tenant(id: &str, slug: &str) -> TenantRecord {
    TenantRecord {
        id: id.into(),
        slug: slug.into(),
        display_name: format!("{slug} Inc."),
        tier: "standard".into(),
        region: "eu-west-1".into(),
        labels: Some([("env".to_string(), "prod".to_string())].into()),
        status: "active".into(),
        deletion_protection: true,
        retention_days: 30,
        contacts: vec![Contact {
            name: "Ops".into(),
            email: "ops@acme.io".into(),
            kind: Some("technical".into()),
        }],
        created_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn database(id: &str, tenant_id: &str, name: &str) -> DatabaseRecord {
    DatabaseRecord {
        id: id.into(),
        tenant_id: tenant_id.into(),
        name: name.into(),
        connection_limit: -1,
        schema: format!("tenant_x_{name}"),
        owner_role: format!("tenant_x_{name}_owner"),
        connection_uri: String::new(),
    }
}

fn user(id: &str, tenant_id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        tenant_id: tenant_id.into(),
        email: email.into(),
        role: "member".into(),
        disabled: false,
        login: format!("tenant_x_{}", email.split('@').next().unwrap()),
        password_hash: "sha256$00$00".into(),
        connection_limit: -1,
    }
}

#[test]
fn tenant_crud_and_natural_key() {
    let dir = tempfile::tempdir().unwrap();
    let backend = open(&dir);
    let created = backend.tenants().create(&tenant("t1", "acme")).unwrap();
    assert_stored_once(backend.tenants(), &created, "acme", &tenant("t2", "acme"));
    let mut changed = created.clone();
    changed.tier = "enterprise".into();
    changed.labels = None;
    changed.created_at = "ignored".into();
    let updated = backend.tenants().update(&changed).unwrap();
    assert_eq!(updated.created_at, created.created_at);
    assert_eq!(backend.tenants().get("t1").unwrap().unwrap().labels, None);
    assert_eq!(backend.tenants().list(()).unwrap().len(), 1);
    assert!(backend.tenants().delete("t1").unwrap());
    assert!(!backend.tenants().delete("t1").unwrap());
    assert_eq!(backend.tenants().get("t1").unwrap(), None);
    assert_eq!(backend.tenants().find("acme").unwrap(), None);
    // The slug is free again once the old tenant is tombstoned.
    backend.tenants().create(&tenant("t3", "acme")).unwrap();
    assert!(matches!(
        backend.tenants().update(&tenant("missing", "other")),
        Err(BackendError::NotFound { .. })
    ));
}

#[test]
fn database_files_are_created_archived_and_removed() {
    let (dir, backend) = open_with_acme();
    let created = create_database(&backend, "d1", "t1", "main");
    let file = created
        .connection_uri
        .strip_prefix("sqlite://")
        .unwrap()
        .to_string();
    assert!(std::path::Path::new(&file).is_file());
    assert_eq!(
        backend.databases().find(("t1", "main")).unwrap(),
        Some(created.clone())
    );
    assert!(matches!(
        backend.tenants().delete("t1"),
        Err(BackendError::HasDependents { .. })
    ));
    let updated = backend
        .databases()
        .update(&DatabaseRecord {
            connection_limit: 5,
            ..created.clone()
        })
        .unwrap();
    assert_eq!(updated.connection_limit, 5);
    assert_eq!(backend.databases().list("t1").unwrap(), vec![updated]);
    assert!(backend.databases().delete("d1").unwrap());
    assert!(!std::path::Path::new(&file).exists());
    let archives: Vec<_> = std::fs::read_dir(dir.path().join("tenants/archive/acme"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(archives.len(), 1, "{archives:?}");
    let name = archives[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("database-tenant_x_main-"), "{name}");
    assert!(archives[0].join("tenant_x_main.db").is_file());
    crate::backend::archive::verify(&archives[0]).unwrap();
    assert!(backend.tenants().delete("t1").unwrap());
    assert!(matches!(
        backend.databases().create(&database("d2", "t1", "main")),
        Err(BackendError::InvalidReference(_))
    ));
}

#[test]
fn users_and_grants() {
    let (_dir, backend) = open_with_acme();
    backend.tenants().create(&tenant("t2", "other")).unwrap();
    create_database(&backend, "d1", "t1", "main");
    create_database(&backend, "d2", "t2", "other");
    let created = create_user(&backend, "u1", "t1", "jo@acme.io");
    assert_eq!(
        backend.users().find(("t1", "jo@acme.io")).unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        backend.users().find_by_login(&created.login).unwrap(),
        Some(created.clone())
    );
    assert!(matches!(
        backend.users().create(&user("u2", "t1", "jo@other.io")),
        Err(BackendError::AlreadyExists { .. })
    ));
    let grant = read_grant("g1", "u1", "d1");
    backend.grants().create(&grant).unwrap();
    assert_eq!(
        backend.grants().find(("u1", "d1")).unwrap(),
        Some(grant.clone())
    );
    assert!(matches!(
        backend.grants().create(&GrantRecord {
            id: "g2".into(),
            database_id: "d2".into(),
            ..grant.clone()
        }),
        Err(BackendError::InvalidReference(_))
    ));
    assert!(matches!(
        backend.users().delete("u1"),
        Err(BackendError::HasDependents { .. })
    ));
    let widened = GrantRecord {
        privileges: BTreeSet::from(["read".to_string(), "write".to_string()]),
        ..grant.clone()
    };
    backend.grants().update(&widened).unwrap();
    assert_eq!(backend.grants().list("u1").unwrap(), vec![widened]);
    assert!(backend.grants().delete("g1").unwrap());
    let disabled = backend
        .users()
        .update(&UserRecord {
            disabled: true,
            ..created.clone()
        })
        .unwrap();
    assert!(disabled.disabled);
    assert_eq!(backend.users().list("t1").unwrap(), vec![disabled]);
    assert!(backend.users().delete("u1").unwrap());
    assert_eq!(backend.users().get("u1").unwrap(), None);
}

#[test]
fn records_survive_reopening_and_the_audit_chain_holds() {
    let dir = tempfile::tempdir().unwrap();
    {
        let backend = open(&dir);
        backend.tenants().create(&tenant("t1", "acme")).unwrap();
        create_user(&backend, "u1", "t1", "jo@acme.io");
    }
    let backend = open(&dir);
    assert!(backend.tenants().get("t1").unwrap().is_some());
    assert_eq!(
        backend.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 2 }
    );
    let connection = backend.lock();
    let logged: String = connection
        .query_row(
            "SELECT after FROM audit_log WHERE resource = 'tenant_user'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !logged.contains("sha256$"),
        "secrets are redacted: {logged}"
    );
    let edit = "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1";
    assert!(
        connection.execute(edit, []).is_err(),
        "the log is append-only"
    );
    connection
        .execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    connection.execute(edit, []).unwrap();
    drop(connection);
    assert!(matches!(
        backend.verify_audit().unwrap(),
        AuditVerification::Broken { seq: 1, .. }
    ));
}

#[test]
fn parallel_writers_are_serialized() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(open(&dir));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let backend = Arc::clone(&backend);
            std::thread::spawn(move || {
                for j in 0..10 {
                    backend
                        .tenants()
                        .create(&tenant(&format!("t{i}-{j}"), &format!("t{i}x{j}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(backend.tenants().list(()).unwrap().len(), 80);
}

mod cached_reads;
mod database_files;
mod migration;
mod records;
mod suspension;
