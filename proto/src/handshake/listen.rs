//! Where a plugin listens, as go-plugin chooses it: a Unix socket on Unix systems (in
//! `PLUGIN_UNIX_SOCKET_DIR`, else the temporary directory), TCP on loopback elsewhere. The
//! socket file is removed when the listener is dropped.

#[cfg(not(unix))]
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(not(unix))]
use tokio::net::{TcpListener, TcpStream};

use super::HandshakeError;
use super::line::Network;

/// A bound listener of either kind.
pub(crate) enum PluginListener {
    #[cfg(not(unix))]
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix(UnixSocket),
}

/// A Unix listener and the socket file it owns.
#[cfg(unix)]
pub(crate) struct UnixSocket {
    listener: tokio::net::UnixListener,
    path: PathBuf,
}

#[cfg(unix)]
impl Drop for UnixSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One accepted stream of either kind.
pub(crate) enum PluginStream {
    #[cfg(not(unix))]
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

impl PluginListener {
    /// Binds where go-plugin would: a fresh Unix socket under `socket_dir` (or the temporary
    /// directory) on Unix, loopback TCP in `port_range` elsewhere.
    pub(crate) async fn bind(
        port_range: Option<(u16, u16)>,
        socket_dir: Option<&Path>,
    ) -> Result<PluginListener, HandshakeError> {
        #[cfg(unix)]
        {
            let _ = port_range;
            bind_unix(socket_dir).map(PluginListener::Unix)
        }
        #[cfg(not(unix))]
        {
            let _ = socket_dir;
            bind_tcp(port_range).await.map(PluginListener::Tcp)
        }
    }

    /// The address to announce on the handshake line.
    pub(crate) fn network(&self) -> Result<Network, HandshakeError> {
        match self {
            #[cfg(not(unix))]
            PluginListener::Tcp(listener) => Ok(Network::Tcp(listener.local_addr()?.to_string())),
            #[cfg(unix)]
            PluginListener::Unix(socket) => {
                Ok(Network::Unix(socket.path.to_string_lossy().into_owned()))
            }
        }
    }

    /// The next connection and a description of its peer, for logs.
    pub(crate) async fn accept(&self) -> std::io::Result<(PluginStream, String)> {
        match self {
            #[cfg(not(unix))]
            PluginListener::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                // gRPC sends small frames; without this, Nagle's algorithm holds each
                // response back until the client's delayed ACK (about 40 ms) on every round
                // trip.
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "could not set TCP_NODELAY");
                }
                Ok((PluginStream::Tcp(stream), peer.to_string()))
            }
            #[cfg(unix)]
            PluginListener::Unix(socket) => {
                let (stream, _) = socket.listener.accept().await?;
                Ok((PluginStream::Unix(stream), "unix socket peer".to_string()))
            }
        }
    }
}

/// How many fresh socket names are tried before giving up.
#[cfg(unix)]
const SOCKET_NAME_ATTEMPTS: u32 = 16;

#[cfg(unix)]
fn bind_unix(socket_dir: Option<&Path>) -> Result<UnixSocket, HandshakeError> {
    let dir = socket_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let mut last_error = None;
    for attempt in 0..SOCKET_NAME_ATTEMPTS {
        let path = dir.join(socket_name(attempt));
        match tokio::net::UnixListener::bind(&path) {
            Ok(listener) => return Ok(UnixSocket { listener, path }),
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => last_error = Some(error),
            Err(source) => return Err(HandshakeError::BindUnix { path, source }),
        }
    }
    let source = last_error
        .unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrInUse, "no free name"));
    Err(HandshakeError::BindUnix { path: dir, source })
}

/// `plugin` and a name no other process is using: the process id, the time and the attempt.
#[cfg(unix)]
fn socket_name(attempt: u32) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!("plugin{}{nanos:09}{attempt}", std::process::id())
}

/// Binds 127.0.0.1 on the first free port of `range`, or on an ephemeral port.
#[cfg(not(unix))]
async fn bind_tcp(range: Option<(u16, u16)>) -> Result<TcpListener, HandshakeError> {
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

impl AsyncRead for PluginStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => Pin::new(stream).poll_read(cx, buf),
            #[cfg(unix)]
            PluginStream::Unix(stream) => Pin::new(stream).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for PluginStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => Pin::new(stream).poll_write(cx, buf),
            #[cfg(unix)]
            PluginStream::Unix(stream) => Pin::new(stream).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            #[cfg(unix)]
            PluginStream::Unix(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => stream.is_write_vectored(),
            #[cfg(unix)]
            PluginStream::Unix(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => Pin::new(stream).poll_flush(cx),
            #[cfg(unix)]
            PluginStream::Unix(stream) => Pin::new(stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            #[cfg(not(unix))]
            PluginStream::Tcp(stream) => Pin::new(stream).poll_shutdown(cx),
            #[cfg(unix)]
            PluginStream::Unix(stream) => Pin::new(stream).poll_shutdown(cx),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_unix_socket_is_made_in_the_given_directory_and_removed_on_drop() {
        let dir = std::env::temp_dir().join(format!("plugin-listen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("directory");
        let listener = PluginListener::bind(Some((10000, 25000)), Some(&dir))
            .await
            .expect("binds");
        let Network::Unix(path) = listener.network().expect("network") else {
            panic!("a Unix socket on Unix");
        };
        let path = PathBuf::from(path);
        assert_eq!(path.parent(), Some(dir.as_path()));
        assert!(path.exists());
        let connecting = tokio::net::UnixStream::connect(&path);
        let (accepted, connected) = tokio::join!(listener.accept(), connecting);
        assert!(matches!(
            accepted.expect("accepts").0,
            PluginStream::Unix(_)
        ));
        connected.expect("connects");
        drop(listener);
        assert!(!path.exists(), "the socket file is removed");
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }

    #[test]
    fn a_directory_that_does_not_exist_is_reported_by_path() {
        let dir = std::env::temp_dir().join("plugin-listen-missing/nested");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let error = runtime
            .block_on(PluginListener::bind(None, Some(&dir)))
            .err()
            .expect("fails");
        assert!(
            error.to_string().contains("plugin-listen-missing"),
            "{error}"
        );
    }
}
