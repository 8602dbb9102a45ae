//! Reads by id go through the connection's prepared-statement cache: they must still see
//! every write made since, on the same connection.

use super::*;

#[test]
fn reads_by_id_see_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let backend = open(&dir);
    let created = backend
        .tenants()
        .create(&TenantRecord {
            deletion_protection: false,
            ..tenant("t1", "acme")
        })
        .unwrap();
    create_database(&backend, "d1", "t1", "main");
    create_user(&backend, "u1", "t1", "jo@acme.io");
    let grant = read_grant("g1", "u1", "d1");
    backend.grants().create(&grant).unwrap();
    for _ in 0..3 {
        assert_eq!(backend.tenants().get("t1").unwrap(), Some(created.clone()));
        assert_eq!(backend.grants().get("g1").unwrap(), Some(grant.clone()));
    }

    let renamed = backend
        .tenants()
        .update(&TenantRecord {
            display_name: "Acme Renamed".into(),
            ..created.clone()
        })
        .unwrap();
    assert_eq!(
        backend.tenants().get("t1").unwrap().unwrap().display_name,
        "Acme Renamed"
    );
    assert_eq!(backend.tenants().get("t1").unwrap(), Some(renamed));

    let user = backend.users().get("u1").unwrap().unwrap();
    backend
        .users()
        .update(&UserRecord {
            disabled: true,
            ..user
        })
        .unwrap();
    assert!(backend.users().get("u1").unwrap().unwrap().disabled);

    assert!(backend.grants().delete("g1").unwrap());
    assert_eq!(backend.grants().get("g1").unwrap(), None);
    assert!(backend.databases().get("d1").unwrap().is_some());
    assert!(backend.users().delete("u1").unwrap());
    assert_eq!(backend.users().get("u1").unwrap(), None);
}
