//! End-to-end checks of the handshake in one process: a real server on 127.0.0.1 and real
//! clients, over mTLS and plaintext.

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::Code;

use super::*;
use crate::goplugin::Empty;
use crate::goplugin::grpc_controller_client::GrpcControllerClient;
use crate::health::HealthCheckRequest;
use crate::health::health_check_response::ServingStatus;
use crate::health::health_client::HealthClient;
use crate::tfplugin6::get_provider_schema;
use crate::tfplugin6::provider_client::ProviderClient;
use crate::tfplugin6::provider_server::Provider;

/// A provider that implements nothing: every call answers `Unimplemented`.
struct UnimplementedProvider;

#[tonic::async_trait]
impl Provider for UnimplementedProvider {}

struct RunningServer {
    line: HandshakeLine,
    task: JoinHandle<Result<(), HandshakeError>>,
}

async fn start_server(client_certificate: Option<&PluginCertificate>) -> RunningServer {
    let options = ServeOptions {
        protocol_versions: Some("5,6".into()),
        port_range: None,
        unix_socket_dir: None,
        client_certificate_pem: client_certificate.map(|cert| cert.certificate_pem().to_string()),
    };
    let (sender, receiver) = oneshot::channel();
    let task = tokio::spawn(serve_with_options(
        UnimplementedProvider,
        options,
        move |line| {
            sender
                .send(line.clone())
                .map_err(|_| std::io::Error::other("test went away"))
        },
    ));
    let line = receiver.await.expect("server announces its handshake line");
    RunningServer { line, task }
}

async fn health_status(channel: tonic::transport::Channel) -> Result<i32, tonic::Status> {
    let mut health = HealthClient::new(channel);
    let request = HealthCheckRequest {
        service: "plugin".into(),
    };
    Ok(health.check(request).await?.into_inner().status)
}

async fn stop(server: RunningServer, channel: tonic::transport::Channel) {
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("shutdown answered");
    let result = tokio::time::timeout(std::time::Duration::from_secs(10), server.task)
        .await
        .expect("server stops after shutdown")
        .expect("server task did not panic");
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn mtls_client_with_the_pinned_certificate_is_served() {
    let client_certificate = PluginCertificate::generate().expect("certificate");
    let server = start_server(Some(&client_certificate)).await;
    assert!(
        matches!(server.line.network, Network::Unix(ref path) if std::path::Path::new(path).exists())
    );
    assert!(server.line.server_certificate.is_some());

    let channel = connect(&server.line, &client_certificate)
        .await
        .expect("connects");
    assert_eq!(
        health_status(channel.clone()).await.expect("health"),
        ServingStatus::Serving as i32
    );

    let mut provider = ProviderClient::new(channel.clone());
    let status = provider
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect_err("nothing is implemented");
    assert_eq!(status.code(), Code::Unimplemented);

    stop(server, channel).await;
}

#[tokio::test]
async fn client_with_another_certificate_is_refused() {
    let trusted = PluginCertificate::generate().expect("certificate");
    let intruder = PluginCertificate::generate().expect("certificate");
    let server = start_server(Some(&trusted)).await;

    let refused = match connect(&server.line, &intruder).await {
        Err(_) => true,
        Ok(channel) => health_status(channel).await.is_err(),
    };
    assert!(
        refused,
        "a client without the pinned certificate must not be served"
    );

    connect_then_stop(server, &trusted).await;
}

#[tokio::test]
async fn server_with_another_certificate_is_refused() {
    let client_certificate = PluginCertificate::generate().expect("certificate");
    let server = start_server(Some(&client_certificate)).await;
    let impostor = PluginCertificate::generate().expect("certificate");
    let forged_line = HandshakeLine {
        server_certificate: Some(impostor.certificate_der().to_vec()),
        ..server.line.clone()
    };
    assert!(matches!(
        connect(&forged_line, &client_certificate).await,
        Err(HandshakeError::Connect { .. })
    ));

    connect_then_stop(server, &client_certificate).await;
}

/// Connects to `server` with `certificate`, which must succeed, then stops the server.
async fn connect_then_stop(server: RunningServer, certificate: &PluginCertificate) {
    let channel = connect(&server.line, certificate)
        .await
        .expect("the trusted client connects");
    stop(server, channel).await;
}

#[tokio::test]
async fn plaintext_is_served_without_a_client_certificate() {
    let server = start_server(None).await;
    assert_eq!(server.line.server_certificate, None);
    let unused = PluginCertificate::generate().expect("certificate");
    let channel = connect(&server.line, &unused).await.expect("connects");
    assert_eq!(
        health_status(channel.clone()).await.expect("health"),
        ServingStatus::Serving as i32
    );
    stop(server, channel).await;
}

#[tokio::test]
async fn open_stdio_streams_do_not_block_shutdown() {
    let client_certificate = PluginCertificate::generate().expect("certificate");
    let server = start_server(Some(&client_certificate)).await;
    let channel = connect(&server.line, &client_certificate)
        .await
        .expect("connects");
    let mut stdio = crate::goplugin::grpc_stdio_client::GrpcStdioClient::new(channel.clone());
    let mut stream = stdio
        .stream_stdio(())
        .await
        .expect("stdio stream opens")
        .into_inner();
    stop(server, channel).await;
    assert!(matches!(stream.message().await, Ok(None) | Err(_)));
}

#[tokio::test]
async fn launching_a_missing_binary_says_so() {
    let error = launch(
        std::path::Path::new("/nonexistent/terraform-provider-x"),
        LaunchOptions::default(),
    )
    .await
    .expect_err("missing binary");
    assert!(
        matches!(error, HandshakeError::BinaryNotFound { .. }),
        "{error}"
    );
}

/// Launches `/bin/sh -c SCRIPT` as a plugin that is expected to fail its handshake.
#[cfg(unix)]
async fn failed_shell_plugin(script: &str, options: LaunchOptions) -> HandshakeError {
    let options = LaunchOptions {
        args: vec!["-c".into(), script.into()],
        ..options
    };
    launch(std::path::Path::new("/bin/sh"), options)
        .await
        .expect_err("the handshake fails")
}

#[cfg(unix)]
#[tokio::test]
async fn a_plugin_that_dies_before_its_handshake_is_reported_with_its_stderr() {
    let error =
        failed_shell_plugin("echo something broke >&2; exit 3", LaunchOptions::default()).await;
    match &error {
        HandshakeError::ExitedBeforeHandshake {
            stderr_tail,
            status,
            ..
        } => {
            assert_eq!(status.code(), Some(3));
            assert_eq!(stderr_tail, &vec!["something broke".to_string()]);
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(error.to_string().contains("something broke"));
}

#[cfg(unix)]
#[tokio::test]
async fn a_plugin_that_prints_garbage_is_reported() {
    let error = failed_shell_plugin("echo hello", LaunchOptions::default()).await;
    assert!(
        matches!(error, HandshakeError::MalformedLine { .. }),
        "{error}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_silent_plugin_times_out() {
    let options = LaunchOptions {
        handshake_timeout: std::time::Duration::from_millis(300),
        ..LaunchOptions::default()
    };
    let error = failed_shell_plugin("sleep 30", options).await;
    assert!(
        matches!(error, HandshakeError::HandshakeTimeout { .. }),
        "{error}"
    );
}
