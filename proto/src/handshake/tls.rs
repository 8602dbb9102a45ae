//! TLS for AutoMTLS: each side trusts exactly one certificate, the one the other side handed
//! over out of band (`PLUGIN_CLIENT_CERT` one way, the handshake line the other way).
//!
//! Both certificates are self-signed CA certificates used as end-entities, which a webpki
//! chain verification would refuse, so the verifiers here pin the exact DER and check only
//! the handshake signatures. Go's go-plugin generates ECDSA P-521 keys, which the ring
//! provider cannot verify; a pure-Rust P-521 verifier is added to its algorithms.

use std::sync::{Arc, OnceLock};

use p521::ecdsa::signature::Verifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, ring};
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, ServerName,
    SignatureVerificationAlgorithm, UnixTime, alg_id,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, DistinguishedName, Error, ServerConfig,
    SignatureScheme,
};

use super::HandshakeError;
use super::certs::PluginCertificate;

/// The only application protocol: gRPC runs on HTTP/2, and grpc-go insists on ALPN.
const ALPN_H2: &[u8] = b"h2";

/// The server side: presents `own` and accepts only a client presenting `trusted_client`.
pub fn server_tls_config(
    own: &PluginCertificate,
    trusted_client: CertificateDer<'static>,
) -> Result<ServerConfig, HandshakeError> {
    let mut config = ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(PinnedCertificate {
            trusted: trusted_client,
        }))
        .with_single_cert(vec![own.certificate_der().clone()], own.private_key())?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    Ok(config)
}

/// The client side: presents `own` and accepts only a server presenting `trusted_server`.
/// Connect with server name [`super::certs::CERTIFICATE_HOST`].
pub fn client_tls_config(
    own: &PluginCertificate,
    trusted_server: CertificateDer<'static>,
) -> Result<ClientConfig, HandshakeError> {
    let mut config = ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedCertificate {
            trusted: trusted_server,
        }))
        .with_client_auth_cert(vec![own.certificate_der().clone()], own.private_key())?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    Ok(config)
}

fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// A verifier that trusts one certificate, byte for byte.
#[derive(Debug)]
struct PinnedCertificate {
    trusted: CertificateDer<'static>,
}

impl PinnedCertificate {
    fn check(&self, presented: &CertificateDer<'_>) -> Result<(), Error> {
        if presented.as_ref() == self.trusted.as_ref() {
            Ok(())
        } else {
            Err(Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
}

/// The handshake-signature methods that `ClientCertVerifier` and `ServerCertVerifier` share:
/// both check signatures with [`signature_algorithms`].
macro_rules! handshake_signature_checks {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, signature_algorithms())
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, signature_algorithms())
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            signature_algorithms().supported_schemes()
        }
    };
}

impl ClientCertVerifier for PinnedCertificate {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        self.check(end_entity)
            .map(|()| ClientCertVerified::assertion())
    }

    handshake_signature_checks!();
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        self.check(end_entity)
            .map(|()| ServerCertVerified::assertion())
    }

    handshake_signature_checks!();
}

/// The ring provider's signature algorithms plus ECDSA P-521 with SHA-512.
fn signature_algorithms() -> &'static WebPkiSupportedAlgorithms {
    static ALGORITHMS: OnceLock<WebPkiSupportedAlgorithms> = OnceLock::new();
    ALGORITHMS.get_or_init(|| {
        let base = ring::default_provider().signature_verification_algorithms;
        let mut all = base.all.to_vec();
        all.push(P521_SHA512);
        let mut mapping = base.mapping.to_vec();
        mapping.push((SignatureScheme::ECDSA_NISTP521_SHA512, P521_SHA512_ONLY));
        WebPkiSupportedAlgorithms {
            all: Vec::leak(all),
            mapping: Vec::leak(mapping),
        }
    })
}

const P521_SHA512: &dyn SignatureVerificationAlgorithm = &EcdsaP521Sha512;
const P521_SHA512_ONLY: &[&dyn SignatureVerificationAlgorithm] = &[P521_SHA512];

/// ECDSA over NIST P-521 with SHA-512, the signatures go-plugin's keys make.
#[derive(Debug)]
struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA512
    }
}

#[cfg(test)]
mod tests {
    use p521::ecdsa::signature::RandomizedSigner;
    use p521::ecdsa::{Signature, SigningKey};
    use p521::elliptic_curve::rand_core::{CryptoRng, Error as RandError, RngCore};

    use super::*;

    /// A predictable byte source, good enough to produce test signatures. Each fill starts
    /// with a zero byte so that a 66-byte P-521 nonce drawn from it is always in range.
    struct CountingRng(u8);

    impl RngCore for CountingRng {
        fn next_u32(&mut self) -> u32 {
            let mut bytes = [0; 4];
            self.fill_bytes(&mut bytes);
            u32::from_le_bytes(bytes)
        }
        fn next_u64(&mut self) -> u64 {
            let mut bytes = [0; 8];
            self.fill_bytes(&mut bytes);
            u64::from_le_bytes(bytes)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            self.0 = self.0.wrapping_add(1);
            for (index, byte) in dest.iter_mut().enumerate().skip(1) {
                *byte = self.0.wrapping_add(index as u8);
            }
            if let Some(first) = dest.first_mut() {
                *first = 0;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandError> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl CryptoRng for CountingRng {}

    #[test]
    fn p521_signatures_verify_and_forgeries_do_not() {
        let mut secret = [0u8; 66];
        secret[65] = 42;
        let key = SigningKey::from_slice(&secret).expect("valid scalar");
        let public_key = p521::ecdsa::VerifyingKey::from(&key).to_encoded_point(false);
        let signature: Signature = key.sign_with_rng(&mut CountingRng(1), b"handshake transcript");
        let der = signature.to_der();
        let algorithm = EcdsaP521Sha512;
        assert!(
            algorithm
                .verify_signature(
                    public_key.as_bytes(),
                    b"handshake transcript",
                    der.as_bytes()
                )
                .is_ok()
        );
        assert!(
            algorithm
                .verify_signature(public_key.as_bytes(), b"another transcript", der.as_bytes())
                .is_err()
        );
        assert!(
            algorithm
                .verify_signature(public_key.as_bytes(), b"x", b"not der")
                .is_err()
        );
    }

    #[test]
    fn p521_is_offered_to_peers() {
        let schemes = signature_algorithms().supported_schemes();
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP256_SHA256));
    }
}
