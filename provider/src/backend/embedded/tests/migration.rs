//! Tests of the catalog migration from schema version 1.

use rusqlite::{Connection, params};

use super::super::schema::{CATALOG_SCHEMA_VERSION, SCHEMA_V1};
use super::open;
use super::records::create_api_key;
use crate::backend::audit::{Action, AuditEntry, GENESIS_HASH};
use crate::backend::{AuditVerification, Backend, TenantRecord};

/// A version 1 catalog as the previous release wrote it: a tenant, an active and a disabled
/// user of it, and the audit entries of those creates.
fn write_version_1_catalog(root: &std::path::Path) {
    std::fs::create_dir_all(root).unwrap();
    let connection = Connection::open(root.join("catalog.db")).unwrap();
    connection
        .execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL);")
        .unwrap();
    connection.execute_batch(SCHEMA_V1).unwrap();
    connection
        .execute("INSERT INTO schema_version (version) VALUES (1)", [])
        .unwrap();
    connection
        .execute(
            "INSERT INTO tenants (id, slug, display_name, tier, region, labels, status, \
             deletion_protection, retention_days, contacts, created_at) VALUES \
             ('t1', 'acme', 'Acme', 'standard', 'eu-west-1', NULL, 'active', 0, 30, '[]', \
             '2025-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    for (id, email, disabled) in [("u1", "jo@acme.io", false), ("u2", "al@acme.io", true)] {
        connection
            .execute(
                "INSERT INTO users (id, tenant_id, email, role, disabled, login, password_hash) \
                 VALUES (?1, 't1', ?2, 'member', ?3, ?4, 'sha256$00$00')",
                params![id, email, disabled, format!("tenant_acme_{id}")],
            )
            .unwrap();
    }
    let mut prev = GENESIS_HASH.to_string();
    for (resource, id) in [
        ("tenant", "t1"),
        ("tenant user", "u1"),
        ("tenant user", "u2"),
    ] {
        let entry = AuditEntry::seal(&prev, resource, id, Action::Create, None, None);
        connection
            .execute(
                "INSERT INTO audit_log (at, actor, resource, resource_id, action, before, \
                 after, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, ?6, ?7)",
                params![
                    entry.at,
                    entry.actor,
                    entry.resource,
                    entry.resource_id,
                    entry.action,
                    entry.prev_hash,
                    entry.hash
                ],
            )
            .unwrap();
        prev = entry.hash;
    }
}

#[test]
fn a_version_1_catalog_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    write_version_1_catalog(&dir.path().join("tenants"));
    let backend = open(&dir);

    let version: i64 = backend
        .lock()
        .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, CATALOG_SCHEMA_VERSION);
    let acme = backend.tenants().find("acme").unwrap().unwrap();
    assert_eq!(acme.id, "t1");
    assert_eq!(backend.users().list("t1").unwrap().len(), 2);
    assert_eq!(backend.login_enabled("tenant_acme_u1").unwrap(), Some(true));
    assert_eq!(
        backend.login_enabled("tenant_acme_u2").unwrap(),
        Some(false)
    );
    assert_eq!(
        backend.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 3 },
        "the chain written before the upgrade still verifies"
    );

    // The new tables work, and suspension reaches the migrated users.
    create_api_key(&backend, "k1", "t1", "ci");
    backend
        .tenants()
        .update(&TenantRecord {
            status: "suspended".into(),
            ..acme
        })
        .unwrap();
    assert_eq!(
        backend.login_enabled("tenant_acme_u1").unwrap(),
        Some(false)
    );
    assert!(backend.api_keys().get("k1").unwrap().unwrap().suspended);
    assert!(matches!(
        backend.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 7 }
    ));

    // Opening again does not migrate twice.
    drop(backend);
    let backend = open(&dir);
    let rows: i64 = backend
        .lock()
        .query_row("SELECT count(*) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
    assert!(backend.tenants().get("t1").unwrap().is_some());
}

#[test]
fn a_newer_catalog_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(&dir));
    let connection = Connection::open(dir.path().join("tenants/catalog.db")).unwrap();
    connection
        .execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [CATALOG_SCHEMA_VERSION + 1],
        )
        .unwrap();
    drop(connection);
    let error = super::EmbeddedBackend::open(&super::EmbeddedSettings {
        path: dir.path().join("tenants"),
        archive_dir: None,
        storage_root: None,
    })
    .err()
    .expect("refused");
    assert!(error.to_string().contains("newer"), "{error}");
}
