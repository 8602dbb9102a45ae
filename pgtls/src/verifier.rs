//! The server certificate check behind every `sslmode`: nothing (`require` without a root
//! certificate), the chain only (`verify-ca`), or the chain and the host name
//! (`verify-full`). Handshake signatures are always checked. A refusal carries a
//! [`crate::CertificateRefusal`] naming the certificate.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use crate::refusal::refuse;

/// What the check trusts and whether it compares the host name.
#[derive(Debug)]
pub(crate) struct ServerCertCheck {
    /// `None`: every certificate is accepted (encryption without server authentication).
    pub(crate) roots: Option<Arc<RootCertStore>>,
    /// Where the roots came from, for refusal messages.
    pub(crate) roots_label: String,
    pub(crate) check_host: bool,
    pub(crate) provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ServerCertCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let Some(roots) = &self.roots else {
            return Ok(ServerCertVerified::assertion());
        };
        let refused = |error| refuse(end_entity, error, &self.roots_label, server_name);
        let parsed = ParsedCertificate::try_from(end_entity).map_err(refused)?;
        verify_server_cert_signed_by_trust_anchor(
            &parsed,
            roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )
        .map_err(refused)?;
        if self.check_host {
            verify_server_name(&parsed, server_name).map_err(refused)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests;
