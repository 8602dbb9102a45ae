//! Tests of tenant suspension and of tombstone retention on the embedded backend.

use super::records::create_api_key;
use super::{create_user, open, open_with_acme, tenant, user};
use crate::backend::{Backend, TenantRecord, UserRecord};

fn set_status(backend: &dyn Backend, id: &str, status: &str) -> TenantRecord {
    let current = backend.tenants().get(id).unwrap().unwrap();
    backend
        .tenants()
        .update(&TenantRecord {
            status: status.into(),
            ..current
        })
        .unwrap()
}

#[test]
fn suspension_turns_logins_and_keys_off_and_resume_restores_them() {
    let (_dir, backend) = open_with_acme();
    let active = create_user(&backend, "u1", "t1", "jo@acme.io");
    let disabled = backend
        .users()
        .create(&UserRecord {
            disabled: true,
            ..user("u2", "t1", "al@acme.io")
        })
        .unwrap();
    create_api_key(&backend, "k1", "t1", "ci");
    assert_eq!(backend.login_enabled(&active.login).unwrap(), Some(true));
    assert_eq!(backend.login_enabled(&disabled.login).unwrap(), Some(false));
    let before = backend.audit_entries().unwrap().len();

    set_status(&backend, "t1", "suspended");
    assert_eq!(backend.login_enabled(&active.login).unwrap(), Some(false));
    assert_eq!(backend.login_enabled(&disabled.login).unwrap(), Some(false));
    assert!(backend.api_keys().get("k1").unwrap().unwrap().suspended);
    // Nothing is deleted, and the user records themselves are unchanged.
    assert_eq!(backend.users().get("u1").unwrap(), Some(active.clone()));
    let effects: Vec<(String, String, String)> = backend.audit_entries().unwrap()[before..]
        .iter()
        .map(|e| (e.action.clone(), e.resource.clone(), e.resource_id.clone()))
        .collect();
    assert_eq!(
        effects,
        [
            ("update".into(), "tenant".into(), "t1".into()),
            ("suspend".into(), "tenant_user".into(), "u1".into()),
            ("suspend".into(), "tenant_api_key".into(), "k1".into()),
        ]
    );

    // A key or user made while suspended starts off.
    let late_key = create_api_key(&backend, "k2", "t1", "late");
    assert!(late_key.suspended);
    let late_user = create_user(&backend, "u3", "t1", "mo@acme.io");
    assert_eq!(
        backend.login_enabled(&late_user.login).unwrap(),
        Some(false)
    );

    let before = backend.audit_entries().unwrap().len();
    set_status(&backend, "t1", "active");
    assert_eq!(backend.login_enabled(&active.login).unwrap(), Some(true));
    assert_eq!(backend.login_enabled(&late_user.login).unwrap(), Some(true));
    assert_eq!(
        backend.login_enabled(&disabled.login).unwrap(),
        Some(false),
        "disabled users stay off"
    );
    assert!(!backend.api_keys().get("k1").unwrap().unwrap().suspended);
    assert!(!backend.api_keys().get("k2").unwrap().unwrap().suspended);
    let resumed = backend.audit_entries().unwrap()[before..]
        .iter()
        .filter(|e| e.action == "resume")
        .count();
    assert_eq!(resumed, 4, "two users and two keys");
    assert!(matches!(
        backend.verify_audit().unwrap(),
        crate::backend::AuditVerification::Intact { .. }
    ));
}

#[test]
fn disabling_a_user_turns_its_login_off() {
    let (_dir, backend) = open_with_acme();
    let created = create_user(&backend, "u1", "t1", "jo@acme.io");
    backend
        .users()
        .update(&UserRecord {
            disabled: true,
            ..created.clone()
        })
        .unwrap();
    assert_eq!(backend.login_enabled(&created.login).unwrap(), Some(false));
    backend.users().update(&created).unwrap();
    assert_eq!(backend.login_enabled(&created.login).unwrap(), Some(true));
    assert_eq!(backend.login_enabled("nobody").unwrap(), None);
}

#[test]
fn tombstones_are_purged_after_their_retention() {
    let dir = tempfile::tempdir().unwrap();
    let backend = open(&dir);
    backend
        .tenants()
        .create(&TenantRecord {
            retention_days: 30,
            ..tenant("old", "old")
        })
        .unwrap();
    backend.tenants().create(&tenant("kept", "kept")).unwrap();
    create_api_key(&backend, "k1", "old", "ci");
    backend.api_keys().delete("k1").unwrap();
    assert!(backend.tenants().delete("old").unwrap());
    assert!(backend.tenants().delete("kept").unwrap());
    let tombstones = |backend: &super::EmbeddedBackend| -> Vec<String> {
        let connection = backend.lock();
        let mut statement = connection
            .prepare("SELECT id FROM tenants WHERE deleted_at IS NOT NULL ORDER BY id")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(tombstones(&backend), ["kept", "old"]);
    assert_eq!(backend.purge_expired_tombstones().unwrap(), 0);

    backend
        .lock()
        .execute(
            "UPDATE tenants SET deleted_at = '2020-01-01T00:00:00Z' WHERE id = 'old'",
            [],
        )
        .unwrap();
    assert_eq!(backend.purge_expired_tombstones().unwrap(), 1);
    assert_eq!(tombstones(&backend), ["kept"]);
    let last = backend.audit_entries().unwrap().pop().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.resource.as_str(),
            last.resource_id.as_str()
        ),
        ("purge", "tenant", "old")
    );
    let tombstoned = backend
        .audit_entries()
        .unwrap()
        .iter()
        .filter(|e| e.action == "tombstone")
        .count();
    assert_eq!(tombstoned, 2);
}
