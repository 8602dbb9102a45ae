//! AutoMTLS refuses strangers: while a provider launched through the real go-plugin
//! handshake is serving, a connection presenting its own certificate (a fresh rcgen
//! self-signed one, shaped like the legitimate client's) or no certificate at all is refused
//! during the TLS handshake, and the legitimate client still works afterwards. The strangers
//! connect from this test process (rustls) and from a third process (`openssl s_client`, an
//! independent TLS implementation).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use acceptance_tests::process::CommandSpec;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tenantform_proto::handshake::{LaunchOptions, Network, PluginProcess, launch};
use tenantform_proto::tfplugin6 as wire;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;

/// Trusts exactly the provider's announced certificate, as a client that read the handshake
/// line would; only the client side differs from the legitimate client.
#[derive(Debug)]
struct ThePluginsCertificate {
    der: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ThePluginsCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(
            end_entity.as_ref(),
            self.der.as_slice(),
            "the plugin's own certificate"
        );
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TLS configuration of a stranger: it trusts the plugin's certificate and presents
/// `own` (a certificate and its PKCS#8 key), or nothing.
fn stranger_config(plugin: &PluginProcess, own: Option<(Vec<u8>, Vec<u8>)>) -> ClientConfig {
    let provider = Arc::new(ring::default_provider());
    let verifier = ThePluginsCertificate {
        der: plugin
            .handshake()
            .server_certificate
            .clone()
            .expect("AutoMTLS is on"),
        provider: provider.clone(),
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match own {
        Some((certificate, key)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(certificate)],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// Dials the plugin with `config`, completes the client's side of the handshake and sends
/// the HTTP/2 preface; returns the error the server's answer ends in.
async fn stranger_is_refused(plugin: &PluginProcess, config: ClientConfig) -> String {
    let Network::Unix(socket) = &plugin.handshake().network else {
        panic!("the plugin serves on a Unix socket");
    };
    let stream = UnixStream::connect(socket).await.unwrap();
    let server_name = ServerName::try_from("localhost").unwrap();
    let connecting = TlsConnector::from(Arc::new(config)).connect(server_name, stream);
    // In TLS 1.3 the server judges the client's certificate after the client has sent its
    // Finished, so the refusal may arrive as the answer to the first bytes.
    let mut tls = match connecting.await {
        Ok(tls) => tls,
        Err(error) => return error.to_string(),
    };
    // The refusal may also close the connection before the first bytes are written (a
    // broken pipe); the alert is still there to read.
    let exchange = async {
        let _ = tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
        let _ = tls.flush().await;
        let mut answer = [0_u8; 64];
        tls.read(&mut answer).await
    };
    match tokio::time::timeout(Duration::from_secs(10), exchange).await {
        Ok(Err(error)) => error.to_string(),
        Ok(Ok(read)) => panic!("the plugin answered a stranger with {read} byte(s)"),
        Err(_) => panic!("the plugin neither answered nor refused a stranger within 10 s"),
    }
}

async fn schema_resources(plugin: &PluginProcess) -> usize {
    let response = plugin
        .provider_client()
        .get_provider_schema(wire::get_provider_schema::Request {})
        .await
        .expect("the legitimate client is served")
        .into_inner();
    response.resource_schemas.len()
}

/// Runs `openssl s_client` against the plugin as a separate process, presenting the
/// certificate and key files of `own` (or none); returns its combined output. (It does not
/// check the plugin's certificate: the plugin's verdict does not depend on that.)
fn openssl_stranger(socket: &str, own: Option<(&Path, &Path)>) -> String {
    let mut args: Vec<String> = [
        "s_client",
        "-unix",
        socket,
        "-servername",
        "localhost",
        "-alpn",
        "h2",
        "-ign_eof",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    if let Some((certificate, key)) = own {
        args.extend(["-cert".to_string(), certificate.display().to_string()]);
        args.extend(["-key".to_string(), key.display().to_string()]);
    }
    let output = CommandSpec {
        program: "/usr/bin/openssl".into(),
        args,
        cwd: std::env::temp_dir(),
        env: vec![("PATH".to_string(), "/usr/bin:/bin".to_string())],
    }
    .run(Duration::from_secs(30));
    assert_ne!(
        output.code,
        Some(0),
        "openssl connected as a stranger\n{}",
        output.describe()
    );
    output.combined()
}

#[tokio::test]
async fn a_third_process_with_its_own_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-tenant"));
    let options = LaunchOptions {
        current_dir: Some(dir.path().to_path_buf()),
        ..LaunchOptions::default()
    };
    let plugin = launch(binary, options).await.expect("handshake");
    let resources = schema_resources(&plugin).await;
    let Network::Unix(socket) = plugin.handshake().network.clone() else {
        panic!("the plugin serves on a Unix socket");
    };
    let own = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let own_certificate = dir.path().join("own.pem");
    let own_key = dir.path().join("own.key");
    std::fs::write(&own_certificate, own.cert.pem()).unwrap();
    std::fs::write(&own_key, own.signing_key.serialize_pem()).unwrap();

    let with_own = {
        let socket = socket.clone();
        tokio::task::spawn_blocking(move || {
            openssl_stranger(&socket, Some((&own_certificate, &own_key)))
        })
        .await
        .unwrap()
    };
    assert!(
        with_own.contains("alert access denied"),
        "a third process with its own certificate is refused by a TLS alert:\n{with_own}"
    );
    let without = tokio::task::spawn_blocking(move || openssl_stranger(&socket, None))
        .await
        .unwrap();
    assert!(
        without.contains("alert certificate required"),
        "a third process without certificate is refused by a TLS alert:\n{without}"
    );

    assert_eq!(schema_resources(&plugin).await, resources);
    plugin.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn strangers_are_refused_at_the_tls_handshake_and_the_client_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-tenant"));
    let options = LaunchOptions {
        current_dir: Some(dir.path().to_path_buf()),
        ..LaunchOptions::default()
    };
    let plugin = launch(binary, options).await.expect("handshake");
    let resources = schema_resources(&plugin).await;
    assert!(resources > 0);

    let own = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let own = (own.cert.der().to_vec(), own.signing_key.serialize_der());
    let with_own_certificate =
        stranger_is_refused(&plugin, stranger_config(&plugin, Some(own))).await;
    assert!(
        with_own_certificate.contains("received fatal alert: AccessDenied"),
        "a stranger's certificate is refused by a TLS alert: {with_own_certificate}"
    );
    let without_certificate = stranger_is_refused(&plugin, stranger_config(&plugin, None)).await;
    assert!(
        without_certificate.contains("received fatal alert: CertificateRequired"),
        "a client without certificate is refused by a TLS alert: {without_certificate}"
    );

    assert_eq!(schema_resources(&plugin).await, resources);
    plugin.shutdown().await.expect("clean shutdown");
}
