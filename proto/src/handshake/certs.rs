//! The short-lived self-signed certificates both sides of an AutoMTLS handshake generate,
//! shaped like go-plugin's own: CN and DNS name `localhost`, a CA certificate used as its own
//! end-entity, usable for server and client authentication.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::HandshakeError;

/// The host name both certificates are issued to and verified against.
pub(crate) const CERTIFICATE_HOST: &str = "localhost";

/// A freshly generated certificate and its private key.
pub struct PluginCertificate {
    certificate: CertificateDer<'static>,
    private_key: PrivatePkcs8KeyDer<'static>,
    certificate_pem: String,
}

impl PluginCertificate {
    /// Generates an ECDSA P-256 certificate valid from 30 seconds ago for about a year.
    pub fn generate() -> Result<PluginCertificate, HandshakeError> {
        let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec![CERTIFICATE_HOST.to_string()])?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, CERTIFICATE_HOST);
        name.push(DnType::OrganizationName, "tenantform");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::seconds(30);
        params.not_after = now + Duration::days(365);
        let certificate = params.self_signed(&key_pair)?;
        Ok(PluginCertificate {
            certificate: certificate.der().clone(),
            private_key: PrivatePkcs8KeyDer::from(key_pair.serialize_der()),
            certificate_pem: certificate.pem(),
        })
    }

    /// The certificate's DER.
    pub fn certificate_der(&self) -> &CertificateDer<'static> {
        &self.certificate
    }

    /// The certificate as PEM, the form `PLUGIN_CLIENT_CERT` carries.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    pub(crate) fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.private_key.clone_key())
    }
}

/// The first certificate in a PEM text.
pub(crate) fn certificate_from_pem(pem: &str) -> Result<CertificateDer<'static>, HandshakeError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|error| {
        HandshakeError::InvalidEnvironment {
            variable: super::ENV_CLIENT_CERT,
            value: pem.chars().take(64).collect(),
            reason: error.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificate_round_trips_through_pem() {
        let certificate = PluginCertificate::generate().expect("generates");
        assert!(
            certificate
                .certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        let parsed = certificate_from_pem(certificate.certificate_pem()).expect("parses");
        assert_eq!(&parsed, certificate.certificate_der());
    }

    #[test]
    fn garbage_pem_is_an_environment_error() {
        assert!(matches!(
            certificate_from_pem("not a certificate"),
            Err(HandshakeError::InvalidEnvironment { .. })
        ));
    }
}
