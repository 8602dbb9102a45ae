//! The client side of the handshake: start a provider binary with a fresh client
//! certificate, read its handshake line, and connect over mTLS pinned to the server
//! certificate it announced. Works with any go-plugin v6 provider, on TCP or Unix sockets.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint, Uri};

use super::certs::{CERTIFICATE_HOST, PluginCertificate};
use super::line::{HandshakeLine, Network};
use super::server::MAX_MESSAGE_SIZE;
use super::tls::client_tls_config;
use super::{
    ENV_CLIENT_CERT, ENV_MAX_PORT, ENV_MIN_PORT, ENV_PROTOCOL_VERSIONS, HandshakeError,
    MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION,
};
use crate::goplugin::Empty;
use crate::goplugin::grpc_controller_client::GrpcControllerClient;
use crate::tfplugin6::provider_client::ProviderClient;

/// How many of the plugin's last stderr lines are kept for error reports.
const STDERR_TAIL_LINES: usize = 50;
/// How long a plugin gets to exit after being asked to shut down.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// The port range plugins are told to listen in, as Terraform does.
const PORT_RANGE: (u16, u16) = (10000, 25000);

/// How to start a plugin.
#[derive(Clone, Debug)]
pub struct LaunchOptions {
    pub args: Vec<OsString>,
    /// Extra environment variables, set on top of the inherited environment.
    pub env: Vec<(OsString, OsString)>,
    pub current_dir: Option<PathBuf>,
    /// How long the plugin may take to print its handshake line.
    pub handshake_timeout: Duration,
}

impl Default for LaunchOptions {
    fn default() -> LaunchOptions {
        LaunchOptions {
            args: Vec::new(),
            env: Vec::new(),
            current_dir: None,
            handshake_timeout: Duration::from_secs(60),
        }
    }
}

/// The last lines a plugin wrote to stderr.
#[derive(Clone, Debug, Default)]
struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn push(&self, line: String) {
        let mut lines = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() == STDERR_TAIL_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

/// A running plugin process and the gRPC channel to it. Dropping it kills the process.
#[derive(Debug)]
pub struct PluginProcess {
    path: PathBuf,
    child: Child,
    channel: Channel,
    handshake: HandshakeLine,
    stderr_tail: StderrTail,
    output_tasks: Vec<JoinHandle<()>>,
}

/// Starts the plugin at `path` and connects to it over mTLS.
pub async fn launch(path: &Path, options: LaunchOptions) -> Result<PluginProcess, HandshakeError> {
    let certificate = PluginCertificate::generate()?;
    let mut command = Command::new(path);
    command
        .args(&options.args)
        .envs(options.env.iter().map(|(key, value)| (key, value)))
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env(ENV_PROTOCOL_VERSIONS, PROTOCOL_VERSION.to_string())
        .env(ENV_MIN_PORT, PORT_RANGE.0.to_string())
        .env(ENV_MAX_PORT, PORT_RANGE.1.to_string())
        .env(ENV_CLIENT_CERT, certificate.certificate_pem())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(dir) = &options.current_dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => HandshakeError::BinaryNotFound {
            path: path.to_path_buf(),
        },
        _ => HandshakeError::Spawn {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let pid = child.id().unwrap_or_default();

    let stderr_tail = StderrTail::default();
    let mut output_tasks = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        let tail = stderr_tail.clone();
        output_tasks.push(tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(target: "plugin", pid, "{line}");
                tail.push(line);
            }
        }));
    }
    let Some(stdout) = child.stdout.take() else {
        return Err(HandshakeError::Spawn {
            path: path.to_path_buf(),
            source: std::io::Error::other("the plugin's stdout was not captured"),
        });
    };
    let mut stdout = BufReader::new(stdout).lines();

    let first_line = match tokio::time::timeout(options.handshake_timeout, stdout.next_line()).await
    {
        Ok(Ok(Some(line))) => line,
        Ok(Ok(None) | Err(_)) => {
            let status = wait_or_kill(&mut child, SHUTDOWN_TIMEOUT).await?;
            finish_output(&mut output_tasks).await;
            return Err(HandshakeError::ExitedBeforeHandshake {
                path: path.to_path_buf(),
                status,
                stderr_tail: stderr_tail.lines(),
            });
        }
        Err(_elapsed) => {
            let _ = child.kill().await;
            finish_output(&mut output_tasks).await;
            return Err(HandshakeError::HandshakeTimeout {
                path: path.to_path_buf(),
                timeout: options.handshake_timeout,
                stderr_tail: stderr_tail.lines(),
            });
        }
    };
    output_tasks.push(tokio::spawn(async move {
        while let Ok(Some(line)) = stdout.next_line().await {
            tracing::debug!(target: "plugin", pid, stream = "stdout", "{line}");
        }
    }));

    let handshake: HandshakeLine = first_line.parse()?;
    let channel = connect(&handshake, &certificate).await?;
    Ok(PluginProcess {
        path: path.to_path_buf(),
        child,
        channel,
        handshake,
        stderr_tail,
        output_tasks,
    })
}

/// Connects to a plugin that announced `handshake`, presenting `client_certificate`
/// (the certificate the plugin was given in `PLUGIN_CLIENT_CERT`).
pub async fn connect(
    handshake: &HandshakeLine,
    client_certificate: &PluginCertificate,
) -> Result<Channel, HandshakeError> {
    let tls = match &handshake.server_certificate {
        Some(der) => {
            let trusted = CertificateDer::from(der.clone());
            Some(TlsConnector::from(Arc::new(client_tls_config(
                client_certificate,
                trusted,
            )?)))
        }
        None => None,
    };
    let network = handshake.network.clone();
    let address = match &network {
        Network::Tcp(address) | Network::Unix(address) => address.clone(),
    };
    let connector = tower::service_fn(move |_: Uri| {
        let network = network.clone();
        let tls = tls.clone();
        async move { dial(&network, tls.as_ref()).await.map(TokioIo::new) }
    });
    // The URI only names the HTTP/2 authority; the connector decides where to dial.
    Endpoint::from_static("http://localhost")
        .connect_with_connector(connector)
        .await
        .map_err(|source| HandshakeError::Connect { address, source })
}

trait PluginIo: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> PluginIo for T {}

async fn dial(network: &Network, tls: Option<&TlsConnector>) -> std::io::Result<Box<dyn PluginIo>> {
    let stream: Box<dyn PluginIo> = match network {
        Network::Tcp(address) => {
            let stream = TcpStream::connect(address).await?;
            stream.set_nodelay(true)?;
            Box::new(stream)
        }
        #[cfg(unix)]
        Network::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
        #[cfg(not(unix))]
        Network::Unix(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "Unix sockets are not available on this platform",
            ));
        }
    };
    match tls {
        Some(connector) => {
            let server_name = ServerName::try_from(CERTIFICATE_HOST)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))?;
            Ok(Box::new(connector.connect(server_name, stream).await?))
        }
        None => Ok(stream),
    }
}

impl PluginProcess {
    /// A client for the provider service. Clients are cheap; they share one connection.
    pub fn provider_client(&self) -> ProviderClient<Channel> {
        ProviderClient::new(self.channel.clone())
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE)
    }

    /// The gRPC channel to the plugin, for other services it serves.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The handshake line the plugin announced.
    pub fn handshake(&self) -> &HandshakeLine {
        &self.handshake
    }

    /// The process id, while the process runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The exit status if the process has exited, without waiting.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The plugin's last lines on stderr (at most 50), oldest first.
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail.lines()
    }

    /// Asks the plugin to shut down, waits up to 5 seconds for it to exit, then kills it.
    pub async fn shutdown(mut self) -> Result<ExitStatus, HandshakeError> {
        let mut controller = GrpcControllerClient::new(self.channel.clone());
        match tokio::time::timeout(SHUTDOWN_TIMEOUT, controller.shutdown(Empty {})).await {
            Ok(Ok(_)) => {}
            // The plugin may drop the connection before answering; waiting tells.
            Ok(Err(status)) => tracing::debug!(%status, "plugin shutdown call failed"),
            Err(_) => tracing::debug!("plugin did not answer the shutdown call"),
        }
        drop(controller);
        let status = wait_or_kill(&mut self.child, SHUTDOWN_TIMEOUT).await?;
        finish_output(&mut self.output_tasks).await;
        Ok(status)
    }
}

/// Waits for `child` to exit, killing it after `timeout`.
async fn wait_or_kill(child: &mut Child, timeout: Duration) -> Result<ExitStatus, HandshakeError> {
    match tokio::time::timeout(timeout, child.wait()).await {
        Ok(status) => Ok(status?),
        Err(_) => {
            tracing::warn!(pid = child.id(), "plugin did not exit in time; killing it");
            child.kill().await?;
            Ok(child.wait().await?)
        }
    }
}

/// Lets the output readers drain what the process wrote before it exited.
async fn finish_output(tasks: &mut Vec<JoinHandle<()>>) {
    for task in tasks.drain(..) {
        if tokio::time::timeout(Duration::from_secs(1), &mut Box::pin(task))
            .await
            .is_err()
        {
            tracing::debug!("plugin output reader still busy; leaving it");
        }
    }
}
