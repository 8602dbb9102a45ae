//! Tests of the PostgreSQL store against a real throw-away server: Terraform's table layout,
//! journal replay and compaction, stale journal rows, serial ownership, the advisory lock with
//! its retry, and connection strings that never show in errors.

use std::time::{Duration, Instant};

use acceptance_tests::postgres::{PostgresServer, Profile};

use super::*;
use crate::state::LockInfo;
use crate::test_support::{instance_addr as addr, stored_tenant as object};

fn server() -> PostgresServer {
    PostgresServer::start(Profile::Superuser).expect("start a PostgreSQL server")
}

fn store(server: &PostgresServer, workspace: &str) -> PgStore {
    let settings = PgSettings::new(format!("{}?sslmode=disable", server.superuser_dsn()));
    PgStore::new(settings, workspace).expect("a store")
}

fn sql(server: &PostgresServer, query: &str) -> String {
    server
        .psql(&server.superuser_dsn(), query)
        .expect("psql")
        .trim()
        .to_string()
}

#[test]
fn records_are_journal_rows_replayed_by_read_and_cleared_by_compact() {
    let server = server();
    let store = store(&server, "default");
    assert!(store.read().unwrap().is_none());

    store.record(&addr("tenant.a"), Some(&object("a"))).unwrap();
    store.record(&addr("tenant.b"), Some(&object("b"))).unwrap();
    store.record(&addr("tenant.a"), None).unwrap();
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_journal"
        ),
        "3",
        "one row per recorded change"
    );
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.states"
        ),
        "0"
    );

    // A fresh store (as after a crash) replays the journal.
    let replayed = super::PgStore::read(&self::store(&server, "default"))
        .unwrap()
        .expect("replayed state");
    let addresses: Vec<String> = replayed
        .instances
        .keys()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(addresses, ["tenant.b"]);

    let serial = store.compact(&replayed).unwrap();
    assert_eq!(serial, 1);
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_journal"
        ),
        "0"
    );
    assert_eq!(
        sql(
            &server,
            "SELECT name || ' ' || (data::jsonb ->> 'serial') || ' ' || \
             (data::jsonb -> 'resources' -> 0 ->> 'name') FROM terraform_remote_state.states"
        ),
        "default 1 b"
    );
    // Unchanged content keeps the serial; a change increases it.
    assert_eq!(store.write(&replayed).unwrap(), 1);
    let mut changed = replayed.clone();
    changed.set_instance(addr("tenant.c"), object("c"));
    assert_eq!(store.write(&changed).unwrap(), 2);
}

#[test]
fn journal_rows_of_an_older_snapshot_are_ignored() {
    let server = server();
    let ours = store(&server, "default");
    let mut state = State::new();
    state.set_instance(addr("tenant.a"), object("a"));
    state.serial = ours.write(&state).unwrap();
    ours.record(&addr("tenant.x"), Some(&object("x"))).unwrap();

    // Another run (say, Terraform) writes a newer snapshot without knowing of the journal.
    let mut newer = state.clone();
    newer.set_instance(addr("tenant.b"), object("b"));
    sql(
        &server,
        &format!(
            "UPDATE terraform_remote_state.states SET data = {}",
            quote(
                &String::from_utf8(format_v4::serialize(&State {
                    serial: state.serial + 1,
                    ..newer
                }))
                .unwrap()
            )
        ),
    );
    let read = store(&server, "default").read().unwrap().unwrap();
    let addresses: Vec<String> = read
        .instances
        .keys()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(
        addresses,
        ["tenant.a", "tenant.b"],
        "the stale row is not replayed"
    );
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[test]
fn workspaces_are_separate_rows() {
    let server = server();
    for name in ["default", "staging"] {
        let store = store(&server, name);
        let mut state = State::new();
        state.set_instance(addr(&format!("tenant.{name}")), object(name));
        store.write(&state).unwrap();
    }
    assert_eq!(
        sql(
            &server,
            "SELECT string_agg(name, ',' ORDER BY name) FROM terraform_remote_state.states"
        ),
        "default,staging"
    );
    let staging = store(&server, "staging").read().unwrap().unwrap();
    assert!(staging.get(&addr("tenant.staging")).is_some());
    assert!(staging.get(&addr("tenant.default")).is_none());
}

/// Why `store` refuses a plan's lock at once, and who holds it.
fn plan_lock_refusal(store: &PgStore) -> (String, LockInfo) {
    match store.lock("OperationTypePlan", Duration::ZERO) {
        Err(StateError::Locked { holder, reason }) => (reason, *holder),
        Err(other) => panic!("expected a lock error, got {other}"),
        Ok(_) => panic!("the plan's lock was granted"),
    }
}

#[test]
fn the_advisory_lock_excludes_other_runs_and_is_released_on_drop() {
    let server = server();
    let first = store(&server, "default");
    let second = store(&server, "default");

    // Without a row, the creation lock is taken.
    let held = first.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let (reason, holder) = plan_lock_refusal(&second);
    assert_eq!(reason, "Already locked for workspace creation: default");
    assert_eq!(holder.operation, "OperationTypeApply", "{holder:?}");
    assert!(holder.info.contains("PostgreSQL session"), "{holder:?}");
    first.write(&State::new()).unwrap();
    drop(held);

    // With a row, the lock is keyed by its id.
    let held = first.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let (reason, _) = plan_lock_refusal(&second);
    assert_eq!(reason, "Workspace is already locked: default");
    let id = sql(&server, "SELECT id FROM terraform_remote_state.states");
    assert_eq!(
        sql(&server, &format!("SELECT pg_try_advisory_lock({id})")),
        "f",
        "another session cannot take the row's advisory lock"
    );

    // -lock-timeout retries until the holder lets go.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        drop(held);
    });
    let started = Instant::now();
    let taken = second.lock("OperationTypePlan", Duration::from_secs(10));
    release.join().unwrap();
    assert!(taken.is_ok(), "{taken:?}");
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[test]
fn connection_strings_never_show_in_errors() {
    let server = server();
    let secret = "Sup3r-Secret-Passw0rd";
    let conn_str = format!(
        "postgresql://postgres:{secret}@127.0.0.1:{}/tenants?sslmode=disable",
        server.port()
    );
    let store = PgStore::new(PgSettings::new(conn_str.clone()), "default").unwrap();
    let err = store.read().unwrap_err().to_string();
    assert!(err.contains("could not connect to PostgreSQL"), "{err}");
    assert!(!err.contains(secret), "{err}");
    assert!(!format!("{store:?}").contains(secret));

    let garbled = PgStore::new(
        PgSettings::new(format!("host=x password={secret} port=")),
        "d",
    )
    .unwrap()
    .read()
    .unwrap_err()
    .to_string();
    assert!(!garbled.contains(secret), "{garbled}");

    let mut settings = PgSettings::new(conn_str);
    settings.schema_name = "bad; DROP TABLE x".into();
    let refused = PgStore::new(settings, "default").unwrap_err().to_string();
    assert!(refused.contains("not a plain SQL identifier"), "{refused}");
}

#[test]
fn encrypted_rows_and_journal_rows_hold_no_attribute() {
    use crate::encryption::Encryption;
    use crate::state::EncryptionChoice;
    let server = server();
    let target = Encryption::parse(
        "key_provider \"pbkdf2\" \"k\" {\n  passphrase = \"a-long-enough-passphrase\"\n  iterations = 200000\n}\n\
         method \"aes_gcm\" \"m\" {\n  keys = key_provider.pbkdf2.k\n}\n\
         state {\n  method = method.aes_gcm.m\n}\n",
    )
    .unwrap()
    .state();
    let encrypted =
        || store(&server, "default").with_encryption(EncryptionChoice::Fixed(target.clone()));
    let first = encrypted();
    let mut state = State::new();
    state.set_instance(addr("tenant.secretive"), object("secretive"));
    first.write(&state).unwrap();
    first
        .record(&addr("tenant.hidden"), Some(&object("hidden")))
        .unwrap();
    let rows = sql(
        &server,
        "SELECT data FROM terraform_remote_state.states UNION ALL \
         SELECT record::text FROM terraform_remote_state.tenantform_journal",
    );
    assert_eq!(rows.matches("encryption_version").count(), 2, "{rows}");
    assert!(
        !rows.contains("secretive") && !rows.contains("hidden"),
        "{rows}"
    );
    let replayed = encrypted().read().unwrap().unwrap();
    assert_eq!(replayed.instances.len(), 2);
    let keyless = store(&server, "default").with_encryption(EncryptionChoice::Fixed(None));
    let err = keyless.read().unwrap_err().to_string();
    assert!(err.contains("no key"), "{err}");
}
