//! The certificate check and the words of its refusals, on certificates made with rcgen.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use time::{Duration, OffsetDateTime};

use super::*;
use crate::refusal::certificate_refusal;

fn authority(common_name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn server_cert(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    not_after: OffsetDateTime,
) -> CertificateDer<'static> {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "db server");
    params.distinguished_name = name;
    params.not_before = OffsetDateTime::now_utc() - Duration::days(30);
    params.not_after = not_after;
    let key = KeyPair::generate().unwrap();
    params.signed_by(&key, issuer).unwrap().der().clone()
}

fn check(trusted: Option<&CertifiedIssuer<'static, KeyPair>>, check_host: bool) -> ServerCertCheck {
    let roots = trusted.map(|issuer| {
        let mut store = RootCertStore::empty();
        store.add(issuer.der().clone()).unwrap();
        Arc::new(store)
    });
    ServerCertCheck {
        roots,
        roots_label: "sslrootcert \"ca.pem\"".to_string(),
        check_host,
        provider: Arc::new(rustls::crypto::ring::default_provider()),
    }
}

fn verify(check: &ServerCertCheck, cert: &CertificateDer<'_>, host: &str) -> Result<(), String> {
    let name = ServerName::try_from(host.to_string()).unwrap();
    check
        .verify_server_cert(cert, &[], &name, &[], UnixTime::now())
        .map(|_| ())
        .map_err(|error| {
            certificate_refusal(&error)
                .expect("every refusal names the certificate")
                .message
        })
}

fn in_a_year() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(365)
}

#[test]
fn a_trusted_chain_passes_and_the_host_counts_only_for_verify_full() {
    let ca = authority("Test CA");
    let cert = server_cert(&ca, in_a_year());
    assert_eq!(verify(&check(Some(&ca), true), &cert, "localhost"), Ok(()));
    assert_eq!(verify(&check(Some(&ca), false), &cert, "127.0.0.1"), Ok(()));
    let refusal = verify(&check(Some(&ca), true), &cert, "127.0.0.1").unwrap_err();
    assert!(
        refusal.contains("\"CN=db server\"")
            && refusal.contains("host name \"127.0.0.1\"")
            && refusal.contains("it names localhost"),
        "{refusal}"
    );
}

#[test]
fn an_unknown_ca_is_named_with_the_certificate() {
    let ca = authority("Test CA");
    let cert = server_cert(&ca, in_a_year());
    let refusal = verify(
        &check(Some(&authority("Other CA")), false),
        &cert,
        "localhost",
    )
    .unwrap_err();
    assert!(
        refusal.contains("\"CN=db server\"")
            && refusal.contains("issued by \"CN=Test CA\"")
            && refusal.contains("unknown CA")
            && refusal.contains("ca.pem"),
        "{refusal}"
    );
}

#[test]
fn an_expired_certificate_says_so() {
    let ca = authority("Test CA");
    let cert = server_cert(&ca, OffsetDateTime::now_utc() - Duration::days(1));
    let refusal = verify(&check(Some(&ca), true), &cert, "localhost").unwrap_err();
    assert!(
        refusal.contains("\"CN=db server\" has expired (not valid after"),
        "{refusal}"
    );
}

#[test]
fn without_roots_anything_is_accepted() {
    let cert = server_cert(
        &authority("Test CA"),
        OffsetDateTime::now_utc() - Duration::days(1),
    );
    assert_eq!(verify(&check(None, true), &cert, "elsewhere"), Ok(()));
}
