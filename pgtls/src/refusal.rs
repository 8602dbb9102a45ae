//! Naming a refused server certificate: its subject and issuer when no trusted root signed
//! it, the expected host name when it does not match, the end of its validity when it has
//! expired. [`describe_error`] finds such a refusal inside a driver error.

use std::error::Error as StdError;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, Error, OtherError};
use x509_cert::Certificate;
use x509_cert::der::Decode;

/// Why a server certificate was refused, in words that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRefusal {
    pub message: String,
}

impl std::fmt::Display for CertificateRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for CertificateRefusal {}

/// The subject, issuer and end of validity of a DER certificate, when it parses.
struct Named {
    subject: String,
    issuer: String,
    not_after: String,
}

fn named(cert: &CertificateDer<'_>) -> Option<Named> {
    let cert = Certificate::from_der(cert.as_ref()).ok()?;
    let tbs = &cert.tbs_certificate;
    Some(Named {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        not_after: tbs.validity.not_after.to_string(),
    })
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// `localhost` for rustls's `DnsName("localhost")` (and likewise for IP addresses).
fn plain_name(presented: &str) -> String {
    presented
        .split_once("(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .unwrap_or(presented)
        .to_string()
}

/// The message for `error`, raised while checking `cert` against `roots_label`.
pub(crate) fn refusal_message(
    cert: &CertificateDer<'_>,
    error: &Error,
    roots_label: &str,
    server_name: &ServerName<'_>,
) -> String {
    let named = named(cert);
    let subject = named.as_ref().map_or_else(
        || "(unparsable)".to_string(),
        |n| format!("{:?}", n.subject),
    );
    let Error::InvalidCertificate(cause) = error else {
        return format!("the server certificate {subject} was refused: {error}");
    };
    match cause {
        CertificateError::UnknownIssuer => {
            let issuer = named
                .as_ref()
                .map_or_else(String::new, |n| format!(", issued by {:?},", n.issuer));
            format!(
                "the server certificate {subject}{issuer} is not signed by a trusted certificate \
                 authority (unknown CA; trusted roots: {roots_label})"
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let presented = match cause {
                CertificateError::NotValidForNameContext { presented, .. } => {
                    let names: Vec<String> =
                        presented.iter().map(|name| plain_name(name)).collect();
                    format!(" (it names {})", names.join(", "))
                }
                _ => String::new(),
            };
            format!(
                "the server certificate {subject} does not match the host name {:?} \
                 (sslmode=verify-full checks it){presented}",
                server_name_text(server_name)
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            let not_after = named.as_ref().map_or_else(String::new, |n| {
                format!(" (not valid after {})", n.not_after)
            });
            format!("the server certificate {subject} has expired{not_after}")
        }
        other => format!("the server certificate {subject} was refused: {other}"),
    }
}

/// `error` replaced by a refusal naming the certificate.
pub(crate) fn refuse(
    cert: &CertificateDer<'_>,
    error: Error,
    roots_label: &str,
    server_name: &ServerName<'_>,
) -> Error {
    let message = refusal_message(cert, &error, roots_label, server_name);
    Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
        CertificateRefusal { message },
    ))))
}

/// The refusal inside a driver error (a `tokio_postgres::Error` wraps an `io::Error` that
/// wraps the rustls error), if any.
pub fn certificate_refusal(error: &(dyn StdError + 'static)) -> Option<CertificateRefusal> {
    let mut current = Some(error);
    while let Some(error) = current {
        let rustls_error = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<Error>())
            .or_else(|| error.downcast_ref::<Error>());
        if let Some(Error::InvalidCertificate(CertificateError::Other(other))) = rustls_error
            && let Some(refusal) = other.0.downcast_ref::<CertificateRefusal>()
        {
            return Some(refusal.clone());
        }
        current = error.source();
    }
    None
}

/// The error with its causes, `: `-separated; a refused certificate is told by name.
pub fn describe_error(error: &(dyn StdError + 'static)) -> String {
    if let Some(refusal) = certificate_refusal(error) {
        return format!("error performing TLS handshake: {refusal}");
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}
