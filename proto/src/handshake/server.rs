//! The plugin side of the handshake: check the magic cookie, listen where go-plugin would (a
//! Unix socket on Unix systems), announce the handshake line on stdout and serve the provider plus go-plugin's services over
//! AutoMTLS until the client asks for shutdown.

use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Server;
use tonic::transport::server::{Connected, TcpConnectInfo};

use super::certs::{PluginCertificate, certificate_from_pem};
use super::line::HandshakeLine;
use super::listen::{PluginListener, PluginStream};
use super::services::{Broker, Controller, HealthCheck, ShutdownSignal, Stdio};
use super::tls::server_tls_config;
use super::{
    ENV_CLIENT_CERT, ENV_MAX_PORT, ENV_MIN_PORT, ENV_PROTOCOL_VERSIONS, ENV_UNIX_SOCKET_DIR,
    ENV_UNIX_SOCKET_GROUP, HandshakeError, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE,
    NOT_A_PLUGIN_MESSAGE, PROTOCOL_VERSION,
};
use crate::goplugin::grpc_broker_server::GrpcBrokerServer;
use crate::goplugin::grpc_controller_server::GrpcControllerServer;
use crate::goplugin::grpc_stdio_server::GrpcStdioServer;
use crate::health::health_server::HealthServer;
use crate::tfplugin6::provider_server::{Provider, ProviderServer};

/// The largest message either side accepts; provider schemas easily pass gRPC's 4 MiB default.
pub(crate) const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// How long in-flight calls may take to finish once shutdown was asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How many TLS handshakes may wait for the server to pick them up.
const ACCEPT_QUEUE: usize = 16;

/// What the plugin client told the plugin through its environment.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// `PLUGIN_PROTOCOL_VERSIONS`: the versions the client speaks, comma-separated.
    pub protocol_versions: Option<String>,
    /// `PLUGIN_MIN_PORT` and `PLUGIN_MAX_PORT`: where to listen on systems without Unix
    /// sockets; an ephemeral port if unset.
    pub port_range: Option<(u16, u16)>,
    /// `PLUGIN_UNIX_SOCKET_DIR`: where the Unix socket is made; the temporary directory if
    /// unset.
    pub unix_socket_dir: Option<std::path::PathBuf>,
    /// `PLUGIN_CLIENT_CERT`: the client's certificate (PEM); plaintext when absent.
    pub client_certificate_pem: Option<String>,
}

impl ServeOptions {
    pub fn from_env() -> Result<ServeOptions, HandshakeError> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let port = |name: &'static str| -> Result<Option<u16>, HandshakeError> {
            var(name)
                .map(|value| {
                    value.trim().parse::<u16>().map_err(|error| {
                        HandshakeError::InvalidEnvironment {
                            variable: name,
                            value: value.clone(),
                            reason: error.to_string(),
                        }
                    })
                })
                .transpose()
        };
        let port_range = match (port(ENV_MIN_PORT)?, port(ENV_MAX_PORT)?) {
            (Some(min), Some(max)) if min <= max => Some((min, max)),
            (Some(min), Some(max)) => {
                return Err(HandshakeError::InvalidEnvironment {
                    variable: ENV_MIN_PORT,
                    value: min.to_string(),
                    reason: format!("greater than {ENV_MAX_PORT} {max}"),
                });
            }
            (Some(min), None) => Some((min, u16::MAX)),
            (None, Some(max)) => Some((1, max)),
            (None, None) => None,
        };
        if let Some(group) = var(ENV_UNIX_SOCKET_GROUP) {
            return Err(HandshakeError::InvalidEnvironment {
                variable: ENV_UNIX_SOCKET_GROUP,
                value: group,
                reason: "this plugin cannot hand its socket to another group; unset it".into(),
            });
        }
        Ok(ServeOptions {
            protocol_versions: var(ENV_PROTOCOL_VERSIONS),
            port_range,
            unix_socket_dir: var(ENV_UNIX_SOCKET_DIR).map(std::path::PathBuf::from),
            client_certificate_pem: var(ENV_CLIENT_CERT),
        })
    }

    /// Fails unless the client offers [`PROTOCOL_VERSION`] (or offers nothing at all).
    fn check_protocol_version(&self) -> Result<(), HandshakeError> {
        let Some(offered) = &self.protocol_versions else {
            return Ok(());
        };
        let wanted = PROTOCOL_VERSION.to_string();
        if offered.split(',').any(|version| version.trim() == wanted) {
            Ok(())
        } else {
            Err(HandshakeError::ProtocolVersionNotOffered {
                offered: offered.clone(),
            })
        }
    }
}

/// Runs a provider as a plugin process: reads the environment, prints the handshake line on
/// stdout and serves until the client asks for shutdown.
///
/// Without the magic cookie this prints go-plugin's "This binary is a plugin" message to
/// stderr and exits the process with status 1. Interrupts (Ctrl-C reaches the whole
/// process group) are ignored: the client decides when the plugin stops.
pub async fn serve<P: Provider>(provider: P) -> Result<(), HandshakeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        eprint!("{NOT_A_PLUGIN_MESSAGE}");
        std::process::exit(1);
    }
    let options = ServeOptions::from_env()?;
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("plugin received an interrupt; waiting for the client to stop it");
        }
    });
    serve_with_options(provider, options, |line| {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()
    })
    .await
}

/// Serves `provider` as [`serve`] does, with explicit options; `announce` publishes the
/// handshake line once the server is ready to accept connections.
pub async fn serve_with_options<P: Provider>(
    provider: P,
    options: ServeOptions,
    announce: impl FnOnce(&HandshakeLine) -> std::io::Result<()>,
) -> Result<(), HandshakeError> {
    options.check_protocol_version()?;
    let listener =
        PluginListener::bind(options.port_range, options.unix_socket_dir.as_deref()).await?;
    let network = listener.network()?;

    let (acceptor, server_certificate) = match &options.client_certificate_pem {
        Some(pem) => {
            let trusted_client = certificate_from_pem(pem)?;
            let own = PluginCertificate::generate()?;
            let config = server_tls_config(&own, trusted_client)?;
            (
                Some(TlsAcceptor::from(Arc::new(config))),
                Some(own.certificate_der().to_vec()),
            )
        }
        None => {
            tracing::warn!("no {ENV_CLIENT_CERT} given; serving plaintext");
            (None, None)
        }
    };

    let shutdown = ShutdownSignal::new();
    let (connections, incoming) = mpsc::channel(ACCEPT_QUEUE);
    let accept_task = tokio::spawn(accept_connections(listener, acceptor, connections));

    let provider = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let router = Server::builder()
        .add_service(provider)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(HealthServer::new(HealthCheck));

    let line = HandshakeLine {
        protocol_version: PROTOCOL_VERSION,
        network: network.clone(),
        server_certificate,
    };
    announce(&line)?;
    tracing::debug!(?network, "plugin serving");
    #[cfg(unix)]
    tokio::spawn(shut_down_when_orphaned(shutdown.clone()));

    let served = router.serve_with_incoming_shutdown(
        ReceiverStream::<Result<Connection, std::io::Error>>::new(incoming),
        shutdown.triggered(),
    );
    let grace_expired = {
        let triggered = shutdown.triggered();
        async move {
            triggered.await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        }
    };
    let result = tokio::select! {
        result = served => result.map_err(HandshakeError::Serve),
        () = grace_expired => {
            tracing::warn!("calls still running {SHUTDOWN_GRACE:?} after shutdown; stopping anyway");
            Ok(())
        }
    };
    accept_task.abort();
    result
}

/// How often the plugin checks that the process which launched it is still there.
#[cfg(unix)]
const PARENT_POLL: Duration = Duration::from_millis(500);

/// Shuts the plugin down once the process that launched it is gone. A client killed with
/// SIGKILL never sends Shutdown, and an orphaned plugin would keep its backend open.
#[cfg(unix)]
async fn shut_down_when_orphaned(shutdown: ShutdownSignal) {
    let parent = std::os::unix::process::parent_id();
    loop {
        tokio::time::sleep(PARENT_POLL).await;
        if std::os::unix::process::parent_id() != parent {
            tracing::warn!("the process that launched this plugin exited; shutting down");
            shutdown.trigger();
            return;
        }
    }
}

/// Accepts connections, completes their TLS handshakes concurrently and hands finished
/// connections to the server. Failed handshakes (a client without the pinned certificate)
/// are logged and dropped.
async fn accept_connections(
    listener: PluginListener,
    acceptor: Option<TlsAcceptor>,
    connections: mpsc::Sender<Result<Connection, std::io::Error>>,
) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accepting a connection failed");
                continue;
            }
        };
        let Some(acceptor) = acceptor.clone() else {
            if connections
                .send(Ok(Connection::Plain(stream)))
                .await
                .is_err()
            {
                return;
            }
            continue;
        };
        let connections = connections.clone();
        tokio::spawn(async move {
            match acceptor.accept(stream).await {
                Ok(tls) => {
                    let _ = connections.send(Ok(Connection::Tls(Box::new(tls)))).await;
                }
                Err(error) => tracing::warn!(%peer, %error, "refused a TLS connection"),
            }
        });
    }
}

/// One accepted connection, TLS or (without a client certificate) plaintext.
enum Connection {
    Plain(PluginStream),
    Tls(Box<TlsStream<PluginStream>>),
}

impl Connected for Connection {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        let stream = match self {
            Connection::Plain(stream) => stream,
            Connection::Tls(stream) => stream.get_ref().0,
        };
        match stream {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => stream.connect_info(),
            #[cfg(unix)]
            PluginStream::Unix(_) => TcpConnectInfo {
                local_addr: None,
                remote_addr: None,
            },
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Connection::Plain(stream) => stream.is_write_vectored(),
            Connection::Tls(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_version_six_must_be_offered() {
        let options = |versions: Option<&str>| ServeOptions {
            protocol_versions: versions.map(str::to_string),
            ..ServeOptions::default()
        };
        assert!(options(None).check_protocol_version().is_ok());
        assert!(options(Some("5,6")).check_protocol_version().is_ok());
        assert!(options(Some(" 6 ")).check_protocol_version().is_ok());
        assert!(matches!(
            options(Some("4,5")).check_protocol_version(),
            Err(HandshakeError::ProtocolVersionNotOffered { .. })
        ));
    }
}
