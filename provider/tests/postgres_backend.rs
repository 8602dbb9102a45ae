//! The PostgreSQL backend against a real PostgreSQL 15 started by the test itself, once as a
//! superuser and once as a managed database's non-superuser administrator: provisioning,
//! tenant logins, suspension, drift, discovery, deprovisioning with verified archives,
//! parallel applies and the audit chain.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

mod support;

use std::sync::Arc;

use acceptance_tests::postgres::{PostgresServer, Profile};
use terraform_provider_tenant::backend::postgres::{PostgresBackend, PostgresSettings};
use terraform_provider_tenant::backend::{AuditVerification, Backend, archive};

use support::*;

struct Fixture {
    server: PostgresServer,
    backend: PostgresBackend,
    files: tempfile::TempDir,
}

fn start(profile: Profile) -> Fixture {
    let server = PostgresServer::start(profile)
        .unwrap_or_else(|error| panic!("cannot start PostgreSQL for the tests: {error:#}"));
    let files = tempfile::tempdir().unwrap();
    let backend = PostgresBackend::open(&PostgresSettings {
        dsn: server.dsn(),
        archive_dir: files.path().join("archive"),
        storage_root: files.path().join("storage"),
    })
    .expect("the backend opens");
    assert_eq!(backend.is_superuser(), profile == Profile::Superuser);
    Fixture {
        server,
        backend,
        files,
    }
}

impl Fixture {
    fn sql(&self, sql: &str) -> String {
        self.server
            .psql(&self.server.superuser_dsn(), sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
            .trim()
            .to_string()
    }

    fn leftovers(&self) -> String {
        self.sql(
            "SELECT string_agg(name, ',') FROM (SELECT rolname::text AS name FROM pg_roles \
             WHERE rolname LIKE 'tenant\\_%' UNION ALL SELECT nspname::text FROM pg_namespace \
             WHERE nspname LIKE 'tenant\\_%' AND nspname <> 'tenant_catalog') leftovers",
        )
    }
}

#[allow(
    clippy::too_many_lines,
    reason = "one catalog lifecycle, step by step, each step building on the last"
)]
fn lifecycle(profile: Profile) {
    let fx = start(profile);
    let backend = &fx.backend;
    backend.tenants().create(&tenant("t-a", "acme")).unwrap();
    backend.tenants().create(&tenant("t-b", "bravo")).unwrap();
    let main_a = backend
        .databases()
        .create(&database("d-a", "t-a", "main"))
        .unwrap();
    assert_eq!(main_a.schema, "tenant_acme_main");
    assert_eq!(main_a.owner_role, "tenant_acme_main_owner");
    assert!(!main_a.connection_uri.contains(&fx.server.dsn()));
    assert!(main_a.connection_uri.starts_with("postgresql://127.0.0.1:"));
    backend
        .databases()
        .create(&database("d-b", "t-b", "main"))
        .unwrap();
    let jo = user("u-a", "t-a", "acme", "jo@acme.io");
    let bo = user("u-b", "t-b", "bravo", "bo@bravo.io");
    backend
        .users()
        .create_with_password(&jo, "pw-jo-1")
        .unwrap();
    backend
        .users()
        .create_with_password(&bo, "pw-bo-1")
        .unwrap();
    backend
        .grants()
        .create(&grant("g-a", "u-a", "d-a", &["write"]))
        .unwrap();
    backend
        .grants()
        .create(&grant("g-b", "u-b", "d-b", &["write"]))
        .unwrap();
    let stored = backend.storage().create(&storage("s-a", "t-a")).unwrap();
    std::fs::write(std::path::Path::new(&stored.path).join("file.txt"), b"data").unwrap();
    backend.api_keys().create(&api_key("k-a", "t-a")).unwrap();
    backend.policies().create(&policy("p-a", "t-a")).unwrap();
    assert_eq!(backend.storage().get("s-a").unwrap().unwrap().used_bytes, 4);

    // The password never reaches the server in plaintext: it stores a SCRAM verifier.
    let verifier = fx.sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'tenant_acme_jo'");
    assert!(verifier.starts_with("SCRAM-SHA-256$"), "{verifier}");

    // A tenant user logs in, creates a table in its own schema, and is kept out of others'.
    let jo_dsn = fx.server.login_dsn(&jo.login, "pw-jo-1");
    let bo_dsn = fx.server.login_dsn(&bo.login, "pw-bo-1");
    let rows = run_as(
        &jo_dsn,
        "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL DEFAULT 'x'); \
         INSERT INTO notes (body) VALUES ('hello'), ('it''s'); SELECT count(*) FROM notes",
    )
    .unwrap();
    assert_eq!(rows, vec!["2"]);
    run_as(&bo_dsn, "CREATE TABLE secrets (v text)").unwrap();
    let denied = run_as(&jo_dsn, "SELECT * FROM tenant_bravo_main.secrets").unwrap_err();
    assert!(denied.contains("permission denied"), "{denied}");
    assert!(run_as(&fx.server.login_dsn(&jo.login, "wrong"), "SELECT 1").is_err());

    // Suspension turns logins off and suspends keys; resuming restores both.
    let mut acme = backend.tenants().get("t-a").unwrap().unwrap();
    acme.status = "suspended".to_string();
    backend.tenants().update(&acme).unwrap();
    assert!(run_as(&jo_dsn, "SELECT 1").is_err());
    assert!(backend.api_keys().get("k-a").unwrap().unwrap().suspended);
    assert!(!backend.users().get("u-a").unwrap().unwrap().disabled);
    acme.status = "active".to_string();
    backend.tenants().update(&acme).unwrap();
    assert_eq!(run_as(&jo_dsn, "SELECT 1").unwrap(), vec!["1"]);
    assert!(!backend.api_keys().get("k-a").unwrap().unwrap().suspended);

    // Drift: a login turned off by hand reads as disabled, and update restores it.
    fx.sql("ALTER ROLE tenant_acme_jo NOLOGIN");
    let drifted = backend.users().get("u-a").unwrap().unwrap();
    assert!(drifted.disabled);
    backend
        .users()
        .update(&support::user("u-a", "t-a", "acme", "jo@acme.io"))
        .unwrap();
    assert_eq!(run_as(&jo_dsn, "SELECT 1").unwrap(), vec!["1"]);
    // The connection limit is the role's, read live and set back by update.
    let limit = "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'tenant_acme_jo'";
    assert_eq!(fx.sql(limit), "5");
    fx.sql("ALTER ROLE tenant_acme_jo CONNECTION LIMIT 9");
    assert_eq!(
        backend
            .users()
            .get("u-a")
            .unwrap()
            .unwrap()
            .connection_limit,
        9
    );
    backend
        .users()
        .update(&support::user("u-a", "t-a", "acme", "jo@acme.io"))
        .unwrap();
    assert_eq!(fx.sql(limit), "5");
    // A revoked privilege reads as drift too, and update grants it again.
    fx.sql("REVOKE CREATE ON SCHEMA tenant_acme_main FROM tenant_acme_jo");
    assert!(
        backend
            .grants()
            .get("g-a")
            .unwrap()
            .unwrap()
            .privileges
            .is_empty()
    );
    backend
        .grants()
        .update(&grant("g-a", "u-a", "d-a", &["write"]))
        .unwrap();
    assert_eq!(
        backend.grants().get("g-a").unwrap().unwrap().privileges,
        grant("g-a", "u-a", "d-a", &["write"]).privileges
    );
    // A dropped role is no user; creating it again replaces the stale catalog row.
    let kim = user("u-k", "t-a", "acme", "kim@acme.io");
    backend
        .users()
        .create_with_password(&kim, "pw-kim")
        .unwrap();
    fx.sql("DROP ROLE tenant_acme_kim");
    assert_eq!(backend.users().get("u-k").unwrap(), None);
    assert_eq!(backend.users().find_by_login(&kim.login).unwrap(), None);
    backend
        .users()
        .create_with_password(&kim, "pw-kim-2")
        .unwrap();
    assert!(backend.users().get("u-k").unwrap().is_some());
    // Grant update: write -> read revokes CREATE.
    backend
        .grants()
        .update(&grant("g-b", "u-b", "d-b", &["read"]))
        .unwrap();
    let no_create = run_as(&bo_dsn, "CREATE TABLE more (v int)").unwrap_err();
    assert!(no_create.contains("permission denied"), "{no_create}");
    assert_eq!(
        run_as(&bo_dsn, "SELECT count(*) FROM secrets").unwrap(),
        vec!["0"]
    );

    // Discovery of objects an older SQL script made.
    fx.sql(
        "CREATE ROLE tenant_bravo_legacy_owner NOLOGIN; \
         CREATE SCHEMA tenant_bravo_legacy AUTHORIZATION tenant_bravo_legacy_owner; \
         CREATE ROLE tenant_bravo_old LOGIN; \
         GRANT USAGE ON SCHEMA tenant_bravo_legacy TO tenant_bravo_old; \
         CREATE TABLE tenant_bravo_legacy.items (id int); \
         ALTER TABLE tenant_bravo_legacy.items OWNER TO tenant_bravo_legacy_owner; \
         GRANT SELECT ON tenant_bravo_legacy.items TO tenant_bravo_old;",
    );
    assert_eq!(backend.databases().find(("t-b", "legacy")).unwrap(), None);
    let legacy = backend.discover_database("t-b", "legacy").unwrap().unwrap();
    assert_eq!(legacy.owner_role, "tenant_bravo_legacy_owner");
    let old = backend
        .discover_user("t-b", "old@bravo.io")
        .unwrap()
        .unwrap();
    assert_eq!(old.login, "tenant_bravo_old");
    // Discovery only reads; the registration (at apply) writes the rows.
    assert_eq!(backend.databases().get(&legacy.id).unwrap(), None);
    assert_eq!(backend.users().get(&old.id).unwrap(), None);
    let foreign = backend.foreign().unwrap();
    let legacy = foreign.register_database(&legacy, None).unwrap();
    let old = foreign.register_user(&old, None).unwrap();
    assert!(backend.databases().get(&legacy.id).unwrap().is_some());
    let old_grant = backend
        .discover_grant(&old.id, &legacy.id)
        .unwrap()
        .unwrap();
    assert_eq!(
        old_grant.privileges,
        grant("", "", "", &["read"]).privileges
    );
    assert_eq!(
        backend.discover_user("t-b", "nobody@bravo.io").unwrap(),
        None
    );

    // Deprovisioning, in dependency order.
    for id in ["g-a", "g-b", &old_grant.id] {
        assert!(backend.grants().delete(id).unwrap(), "grant {id}");
    }
    assert!(matches!(
        backend.tenants().delete("t-a"),
        Err(terraform_provider_tenant::backend::BackendError::HasDependents { .. })
    ));
    for id in ["u-a", "u-b", "u-k", &old.id] {
        assert!(backend.users().delete(id).unwrap(), "user {id}");
    }
    for id in ["d-a", "d-b", &legacy.id] {
        assert!(backend.databases().delete(id).unwrap(), "database {id}");
    }
    assert!(backend.storage().delete("s-a").unwrap());
    assert!(backend.api_keys().delete("k-a").unwrap());
    assert_eq!(backend.api_keys().get("k-a").unwrap(), None);
    assert!(backend.policies().delete("p-a").unwrap());
    assert!(backend.tenants().delete("t-a").unwrap());
    assert!(backend.tenants().delete("t-b").unwrap());
    assert!(!backend.tenants().delete("t-b").unwrap());
    assert_eq!(fx.leftovers(), "", "tenant objects left behind");
    let archives = archives(&fx.files.path().join("archive"));
    assert_eq!(archives.len(), 4, "{archives:?}");
    for dir in &archives {
        archive::verify(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    }
    let notes = archives
        .iter()
        .find_map(|dir| std::fs::read_to_string(dir.join("data/notes.csv")).ok())
        .expect("the notes table was archived");
    assert!(notes.contains("hello") && notes.contains("it's"), "{notes}");

    // The audit chain holds, and an edited row is named.
    match backend.verify_audit().unwrap() {
        AuditVerification::Intact { entries } => assert!(entries > 30, "{entries}"),
        broken @ AuditVerification::Broken { .. } => panic!("{broken:?}"),
    }
    // The log refuses edits; a superuser who switches triggers off is still caught.
    let refused = fx
        .server
        .psql(
            &fx.server.superuser_dsn(),
            "UPDATE tenant_catalog.audit_log SET actor = 'mallory' WHERE seq = 5",
        )
        .unwrap_err();
    assert!(
        format!("{refused:#}").contains("append-only"),
        "{refused:#}"
    );
    fx.sql(
        "SET session_replication_role = replica; \
         UPDATE tenant_catalog.audit_log SET actor = 'mallory' WHERE seq = 5",
    );
    assert!(matches!(
        backend.verify_audit().unwrap(),
        AuditVerification::Broken { seq: 5, .. }
    ));
}

fn parallel(profile: Profile) {
    let fx = start(profile);
    let backend: Arc<dyn Backend> = Arc::new(fx.backend);
    let threads: Vec<_> = (0..20)
        .map(|worker| {
            let backend = Arc::clone(&backend);
            std::thread::spawn(move || {
                for n in (worker..50).step_by(20) {
                    let (t, d, u) = (format!("t{n}"), format!("d{n}"), format!("u{n}"));
                    let slug = format!("tenant-{n:02}");
                    backend.tenants().create(&tenant(&t, &slug)).unwrap();
                    backend
                        .databases()
                        .create(&database(&d, &t, "main"))
                        .unwrap();
                    let email = format!("ops@{slug}.io");
                    backend
                        .users()
                        .create_with_password(&user(&u, &t, &slug, &email), "pw")
                        .unwrap();
                    backend
                        .grants()
                        .create(&grant(&format!("g{n}"), &u, &d, &["read", "write"]))
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no worker failed");
    }
    assert_eq!(backend.tenants().list(()).unwrap().len(), 50);
    let roles = fx.server.psql(
        &fx.server.superuser_dsn(),
        "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'tenant\\_%'",
    );
    assert_eq!(roles.unwrap().trim(), "100");
    assert_eq!(
        backend.verify_audit().unwrap(),
        AuditVerification::Intact { entries: 200 }
    );
}

#[test]
fn lifecycle_as_superuser() {
    lifecycle(Profile::Superuser);
}

#[test]
fn lifecycle_as_managed_admin() {
    lifecycle(Profile::ManagedAdmin);
}

#[test]
fn parallel_creation_as_superuser() {
    parallel(Profile::Superuser);
}

#[test]
fn parallel_creation_as_managed_admin() {
    parallel(Profile::ManagedAdmin);
}
