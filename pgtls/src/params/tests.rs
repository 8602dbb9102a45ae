//! Splitting the TLS parameters out of both connection string forms.

use super::*;

#[test]
fn url_query_parameters_are_taken_and_the_rest_kept() {
    let split = split_conn_str(
        "postgresql://u:p%3Fw@db:5432/tenants?application_name=x&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&connect_timeout=5",
    )
    .unwrap();
    assert_eq!(
        split.rest,
        "postgresql://u:p%3Fw@db:5432/tenants?application_name=x&connect_timeout=5"
    );
    assert_eq!(split.tls.sslmode.as_deref(), Some("verify-full"));
    assert_eq!(split.tls.sslrootcert.as_deref(), Some("/tmp/ca.pem"));
}

#[test]
fn url_without_other_parameters_loses_its_question_mark() {
    let split = split_conn_str("postgres://u@h/db?sslmode=disable").unwrap();
    assert_eq!(split.rest, "postgres://u@h/db");
    assert_eq!(split.tls.sslmode.as_deref(), Some("disable"));
}

#[test]
fn a_question_mark_in_the_credentials_is_not_the_query() {
    let split = split_conn_str("postgres://u:a?b@h/db?sslcert=c.pem&sslkey=k.pem").unwrap();
    assert_eq!(split.rest, "postgres://u:a?b@h/db");
    assert_eq!(split.tls.sslcert.as_deref(), Some("c.pem"));
    assert_eq!(split.tls.sslkey.as_deref(), Some("k.pem"));
}

#[test]
fn key_value_pairs_are_taken_and_the_rest_requoted() {
    let split = split_conn_str(
        "host=localhost  sslmode = 'verify-ca' password='it''s' user=me sslrootcert=/a\\ b.pem",
    );
    // `'it''s'` is not libpq syntax: a quote ends the value and `'s'` starts a bad pair.
    assert!(split.is_err());
    let split = split_conn_str(
        "host=localhost  sslmode = 'verify-ca' password='it\\'s x' user=me sslrootcert=/a\\ b.pem",
    )
    .unwrap();
    assert_eq!(split.tls.sslmode.as_deref(), Some("verify-ca"));
    assert_eq!(split.tls.sslrootcert.as_deref(), Some("/a b.pem"));
    assert_eq!(split.rest, "host='localhost' password='it\\'s x' user='me'");
    let config: tokio_postgres::Config = split.rest.parse().unwrap();
    assert_eq!(config.get_password(), Some(&b"it's x"[..]));
}

#[test]
fn the_last_occurrence_wins() {
    let split = split_conn_str("sslmode=require host=h sslmode=disable").unwrap();
    assert_eq!(split.tls.sslmode.as_deref(), Some("disable"));
}

#[test]
fn malformed_pairs_are_refused() {
    assert!(split_conn_str("host").is_err());
    assert!(split_conn_str("host='open").is_err());
}

#[test]
fn the_environment_fills_only_what_is_unset() {
    let tls = TlsParams {
        sslmode: Some("disable".into()),
        ..TlsParams::default()
    }
    .with_environment(|name| match name {
        "PGSSLMODE" => Some("verify-full".into()),
        "PGSSLROOTCERT" => Some("/ca.pem".into()),
        "PGSSLCERT" => Some(String::new()),
        _ => None,
    });
    assert_eq!(tls.sslmode.as_deref(), Some("disable"));
    assert_eq!(tls.sslrootcert.as_deref(), Some("/ca.pem"));
    assert_eq!(tls.sslcert, None);
    assert_eq!(tls.sslkey, None);
}

#[test]
fn other_tls_parameters_stay_for_the_driver_to_refuse() {
    for conn_str in [
        "postgres://u@h/db?sslcrl=crl.pem",
        "host=h sslpassword=x",
        "host=h ssl_min_protocol_version=TLSv1.3",
    ] {
        let split = split_conn_str(conn_str).unwrap();
        assert_eq!(split.tls, TlsParams::default(), "{conn_str}");
        assert!(
            split.rest.parse::<tokio_postgres::Config>().is_err(),
            "{conn_str} must not be accepted and ignored"
        );
    }
}

#[test]
fn odd_strings_never_panic() {
    for conn_str in [
        "",
        "=",
        "'",
        "a=\\",
        "a='\\",
        "a= ",
        " a =b",
        "é=ü x='é\\'",
        "postgres://",
        "postgres://@?",
        "postgres://?&&=&",
        "postgresql://u:p@h?=&sslmode",
        "postgres://é@ü?ß=%ff&sslmode=%",
    ] {
        let _ = split_conn_str(conn_str);
    }
    assert_eq!(
        split_conn_str("postgresql://u:p@h?=&sslmode")
            .unwrap()
            .tls
            .sslmode
            .as_deref(),
        Some("")
    );
}
