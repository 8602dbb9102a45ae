//! The plugin side of the handshake: check the magic cookie, listen on loopback, announce
//! the handshake line on stdout and serve the provider plus go-plugin's services over
//! AutoMTLS until the client asks for shutdown.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Server;
use tonic::transport::server::{Connected, TcpConnectInfo};

use super::certs::{PluginCertificate, certificate_from_pem};
use super::line::{HandshakeLine, Network};
use super::services::{Broker, Controller, HealthCheck, ShutdownSignal, Stdio};
use super::tls::server_tls_config;
use super::{
    ENV_CLIENT_CERT, ENV_MAX_PORT, ENV_MIN_PORT, ENV_PROTOCOL_VERSIONS, HandshakeError,
    MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, NOT_A_PLUGIN_MESSAGE, PROTOCOL_VERSION,
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
    /// `PLUGIN_MIN_PORT` and `PLUGIN_MAX_PORT`: where to listen; an ephemeral port if unset.
    pub port_range: Option<(u16, u16)>,
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
        Ok(ServeOptions {
            protocol_versions: var(ENV_PROTOCOL_VERSIONS),
            port_range,
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
    let listener = bind(options.port_range).await?;
    let address = listener.local_addr()?;

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
        network: Network::Tcp(address.to_string()),
        server_certificate,
    };
    announce(&line)?;
    tracing::debug!(%address, "plugin serving");
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

/// Binds 127.0.0.1 on the first free port of `range`, or on an ephemeral port.
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

async fn bind(range: Option<(u16, u16)>) -> Result<TcpListener, HandshakeError> {
    let Some((min, max)) = range else {
        return TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|source| HandshakeError::Bind {
                min: 0,
                max: 0,
                source,
            });
    };
    let mut last_error = None;
    for port in min..=max {
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    let source = last_error
        .unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrInUse, "empty port range"));
    Err(HandshakeError::Bind { min, max, source })
}

/// Accepts TCP connections, completes their TLS handshakes concurrently and hands finished
/// connections to the server. Failed handshakes (a client without the pinned certificate)
/// are logged and dropped.
async fn accept_connections(
    listener: TcpListener,
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
        // gRPC sends small frames; without this, Nagle's algorithm holds each response back
        // until the client's delayed ACK (about 40 ms) on every round trip.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
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
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connected for Connection {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        match self {
            Connection::Plain(stream) => stream.connect_info(),
            Connection::Tls(stream) => stream.get_ref().0.connect_info(),
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

    #[tokio::test]
    async fn binds_within_the_port_range() {
        let occupied = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("binds");
        let port = occupied.local_addr().expect("address").port();
        if port == u16::MAX {
            return;
        }
        let listener = bind(Some((port, port + 1))).await;
        if let Ok(listener) = listener {
            assert_eq!(listener.local_addr().expect("address").port(), port + 1);
        }
        assert!(matches!(
            bind(Some((port, port))).await,
            Err(HandshakeError::Bind { .. })
        ));
    }
}
