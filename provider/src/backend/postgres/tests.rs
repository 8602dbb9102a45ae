use std::collections::BTreeSet;

use super::privileges::{Level, Target, transition};
use super::sql::{is_retryable, quote_ident, quote_literal};
use crate::backend::BackendError;

#[test]
fn identifiers_are_always_quoted_and_bounded() {
    assert_eq!(quote_ident("tenant_acme").unwrap(), "\"tenant_acme\"");
    assert_eq!(quote_ident("we\"ird").unwrap(), "\"we\"\"ird\"");
    assert!(quote_ident("").is_err());
    assert!(quote_ident(&"a".repeat(64)).is_err());
    assert!(quote_ident(&"a".repeat(63)).is_ok());
}

#[test]
fn literals_double_quotes_and_escape_backslashes() {
    assert_eq!(quote_literal("it's"), "'it''s'");
    assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
}

#[test]
fn transient_errors_are_retried_and_others_are_not() {
    let error = |code: &str, message: &str| BackendError::Postgres {
        code: code.to_string(),
        message: message.to_string(),
    };
    assert!(is_retryable(&error("40001", "could not serialize")));
    assert!(is_retryable(&error("40P01", "deadlock detected")));
    assert!(is_retryable(&error("XX000", "tuple concurrently updated")));
    assert!(is_retryable(&error(
        "23505",
        "duplicate key (constraint pg_authid_rolname_index)"
    )));
    assert!(!is_retryable(&error(
        "23505",
        "duplicate key (constraint users_login_key)"
    )));
    assert!(!is_retryable(&error("42501", "permission denied")));
}

#[test]
fn a_transition_revokes_what_was_dropped_and_grants_what_was_added() {
    let target = Target {
        schema: "tenant_a_main",
        owner_role: "tenant_a_main_owner",
        grantee: "tenant_a_jo",
    };
    let write = BTreeSet::from([Level::Write]);
    let read = BTreeSet::from([Level::Read]);
    let statements = transition(&target, &write, &read).unwrap();
    let text = statements.join("\n");
    assert!(text.contains("REVOKE CREATE ON SCHEMA \"tenant_a_main\" FROM \"tenant_a_jo\""));
    assert!(text.contains("REVOKE DELETE, INSERT, UPDATE ON ALL TABLES IN SCHEMA"));
    assert!(!text.contains("GRANT SELECT ON ALL TABLES"), "{text}");
    assert!(transition(&target, &read, &read).unwrap().is_empty());
}

#[test]
fn an_unreachable_server_is_reported_with_its_cause_and_without_the_password() {
    let files = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let settings = super::PostgresSettings {
        dsn: "postgresql://admin:hunter2-secret@127.0.0.1:1/tenants".to_string(),
        archive_dir: files.path().join("archive"),
        storage_root: files.path().join("storage"),
    };
    let error = match super::PostgresBackend::open(&settings) {
        Ok(_) => panic!("opened a backend on a closed port"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("Connection refused"), "{error}");
    assert!(!error.contains("hunter2-secret"), "{error}");
}
