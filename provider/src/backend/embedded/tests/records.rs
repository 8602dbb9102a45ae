//! Tests of storage, API keys and policies on the embedded backend.

use std::collections::BTreeSet;
use std::path::Path;

use super::{assert_stored_once, create_user, open_with_acme};
use crate::backend::embedded::EmbeddedBackend;
use crate::backend::{
    ApiKeyRecord, Backend, BackendError, PolicyRecord, StorageRecord, archive, storage_files,
};

pub(super) fn create_api_key(
    backend: &EmbeddedBackend,
    id: &str,
    tenant_id: &str,
    name: &str,
) -> ApiKeyRecord {
    backend
        .api_keys()
        .create(&api_key(id, tenant_id, name))
        .unwrap()
}

pub(super) fn api_key(id: &str, tenant_id: &str, name: &str) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.into(),
        tenant_id: tenant_id.into(),
        name: name.into(),
        scopes: BTreeSet::from(["read".to_string()]),
        expires_at: None,
        fingerprint: "0123456789abcdef".into(),
        secret_hash: "sha256$00$11".into(),
        suspended: false,
        created_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn storage(id: &str, tenant_id: &str) -> StorageRecord {
    StorageRecord {
        id: id.into(),
        tenant_id: tenant_id.into(),
        quota_gb: 5,
        path: String::new(),
        used_bytes: 0,
    }
}

fn policy(id: &str, tenant_id: &str) -> PolicyRecord {
    PolicyRecord {
        id: id.into(),
        tenant_id: tenant_id.into(),
        mfa_required: true,
        session_ttl: "8h".into(),
        ip_allowlist: vec!["10.0.0.0/8".into(), "192.168.0.0/16".into()],
    }
}

#[test]
fn storage_is_a_measured_directory_archived_on_delete() {
    let (dir, backend) = open_with_acme();
    let created = backend.storage().create(&storage("s1", "t1")).unwrap();
    let path = Path::new(&created.path).to_path_buf();
    assert!(path.is_dir());
    assert_eq!(path.file_name().unwrap(), "acme");
    assert!(path.starts_with(dir.path().join("tenants/storage").canonicalize().unwrap()));
    assert!(matches!(
        backend.storage().create(&storage("s2", "t1")),
        Err(BackendError::AlreadyExists { .. })
    ));

    std::fs::write(path.join("upload.bin"), vec![7u8; 2048]).unwrap();
    let read = backend.storage().get("s1").unwrap().unwrap();
    assert_eq!(read.used_bytes, 2048);
    assert!(!storage_files::over_quota(read.used_bytes, read.quota_gb));
    assert_eq!(backend.storage().find("t1").unwrap(), Some(read.clone()));
    let updated = backend
        .storage()
        .update(&StorageRecord {
            quota_gb: 10,
            ..read
        })
        .unwrap();
    assert_eq!(updated.quota_gb, 10);
    assert_eq!(updated.path, created.path);

    assert!(matches!(
        backend.tenants().delete("t1"),
        Err(BackendError::HasDependents { dependents, .. }) if dependents.contains("storage")
    ));
    assert!(backend.storage().delete("s1").unwrap());
    assert!(!backend.storage().delete("s1").unwrap());
    assert!(!path.exists());
    let archives: Vec<_> = std::fs::read_dir(dir.path().join("tenants/archive/acme"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(archives.len(), 1);
    assert_eq!(
        std::fs::read(archives[0].join("files/upload.bin")).unwrap(),
        vec![7u8; 2048]
    );
    archive::verify(&archives[0]).unwrap();
    let actions: Vec<String> = backend
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.resource == "tenant_storage")
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["create", "update", "archive", "delete"]);
    assert!(backend.tenants().delete("t1").unwrap());
}

#[test]
fn api_keys_are_revoked_not_deleted() {
    let (_dir, backend) = open_with_acme();
    let created = create_api_key(&backend, "k1", "t1", "ci");
    assert!(!created.suspended);
    assert_eq!(
        backend.api_keys().find(("t1", "ci")).unwrap(),
        Some(created.clone())
    );
    assert!(matches!(
        backend.api_keys().create(&api_key("k2", "t1", "ci")),
        Err(BackendError::AlreadyExists { .. })
    ));
    let widened = backend
        .api_keys()
        .update(&ApiKeyRecord {
            scopes: BTreeSet::from(["read".to_string(), "write".to_string()]),
            suspended: true,
            ..created.clone()
        })
        .unwrap();
    assert_eq!(widened.scopes.len(), 2);
    assert!(!widened.suspended, "suspension follows the tenant only");
    assert!(matches!(
        backend.tenants().delete("t1"),
        Err(BackendError::HasDependents { dependents, .. }) if dependents.contains("API key")
    ));

    assert!(backend.api_keys().delete("k1").unwrap());
    assert!(!backend.api_keys().delete("k1").unwrap());
    assert_eq!(backend.api_keys().get("k1").unwrap(), None);
    assert_eq!(backend.api_keys().find(("t1", "ci")).unwrap(), None);
    assert!(backend.api_keys().list("t1").unwrap().is_empty());
    let revoked_at: Option<String> = backend
        .lock()
        .query_row("SELECT revoked_at FROM api_keys WHERE id = 'k1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(revoked_at.is_some());
    let last = backend.audit_entries().unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.resource_id.as_str()),
        ("revoke", "k1")
    );
    assert!(!last.before.unwrap_or_default().contains("sha256$"));

    // The name is free again, and revoked keys do not hold the tenant back.
    create_api_key(&backend, "k3", "t1", "ci");
    backend.api_keys().delete("k3").unwrap();
    assert!(backend.tenants().delete("t1").unwrap());
}

#[test]
fn policies_round_trip_in_order() {
    let (_dir, backend) = open_with_acme();
    let created = backend.policies().create(&policy("p1", "t1")).unwrap();
    assert_stored_once(backend.policies(), &created, "t1", &policy("p2", "t1"));
    let changed = PolicyRecord {
        mfa_required: false,
        session_ttl: "30m".into(),
        ip_allowlist: vec!["192.168.0.0/16".into(), "10.0.0.0/8".into()],
        ..created
    };
    assert_eq!(backend.policies().update(&changed).unwrap(), changed);
    assert_eq!(backend.policies().get("p1").unwrap(), Some(changed));
    assert!(matches!(
        backend.tenants().delete("t1"),
        Err(BackendError::HasDependents { dependents, .. }) if dependents.contains("policy")
    ));
    assert!(backend.policies().delete("p1").unwrap());
    assert!(!backend.policies().delete("p1").unwrap());
    assert!(backend.tenants().delete("t1").unwrap());
}

#[test]
fn dependents_of_every_kind_are_named() {
    let (_dir, backend) = open_with_acme();
    create_user(&backend, "u1", "t1", "jo@acme.io");
    backend.storage().create(&storage("s1", "t1")).unwrap();
    create_api_key(&backend, "k1", "t1", "ci");
    backend.policies().create(&policy("p1", "t1")).unwrap();
    let Err(BackendError::HasDependents { dependents, .. }) = backend.tenants().delete("t1") else {
        panic!("the tenant has dependents");
    };
    assert_eq!(
        dependents,
        "1 user(s), 1 storage, 1 API key(s) and 1 policy"
    );
}
