//! The go-plugin handshake with AutoMTLS, both sides.
//!
//! A plugin process is started by its client with a magic cookie and a client certificate in
//! its environment. It listens on a Unix socket (loopback TCP where there are none), prints
//! one handshake line on stdout (`1|6|unix|/tmp/pluginNNN|grpc|<base64 DER server
//! certificate>`) and serves gRPC over TLS
//! that trusts only the client's certificate. The client pins the server certificate from
//! that line in turn, so no other local process can talk to either side.
//!
//! - [`serve`]: the plugin side; serves a `tfplugin6.Provider` plus go-plugin's services.
//! - [`launch`]: the client side; starts a provider binary and connects to it.

mod certs;
mod client;
mod line;
mod listen;
mod server;
mod services;
mod tls;

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

pub use certs::PluginCertificate;
pub use client::{LaunchOptions, PluginProcess, connect, launch};
pub use line::{HandshakeLine, Network};
pub use server::{ServeOptions, serve, serve_with_options};
pub use tls::{client_tls_config, server_tls_config};

/// The environment variable go-plugin's magic cookie travels in, for Terraform providers.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform sets the magic cookie to.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The go-plugin core protocol version (the first field of the handshake line).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The plugin protocol version this crate speaks (the second field of the handshake line).
pub const PROTOCOL_VERSION: u32 = 6;

/// The message go-plugin prints when a plugin binary is run by hand.
pub const NOT_A_PLUGIN_MESSAGE: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
     Please execute the program that consumes these plugins, which will\n\
     load any plugins automatically\n";

pub(crate) const ENV_PROTOCOL_VERSIONS: &str = "PLUGIN_PROTOCOL_VERSIONS";
pub(crate) const ENV_MIN_PORT: &str = "PLUGIN_MIN_PORT";
pub(crate) const ENV_MAX_PORT: &str = "PLUGIN_MAX_PORT";
pub(crate) const ENV_CLIENT_CERT: &str = "PLUGIN_CLIENT_CERT";
pub(crate) const ENV_UNIX_SOCKET_DIR: &str = "PLUGIN_UNIX_SOCKET_DIR";
pub(crate) const ENV_UNIX_SOCKET_GROUP: &str = "PLUGIN_UNIX_SOCKET_GROUP";

/// Everything that can go wrong while starting, serving or connecting to a plugin.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error("this binary is a plugin and must be started by Terraform or tenantform")]
    NotLaunchedAsPlugin,
    #[error(
        "the plugin client offers protocol versions {offered:?}, but this plugin serves only \
         protocol version {PROTOCOL_VERSION}"
    )]
    ProtocolVersionNotOffered { offered: String },
    #[error("invalid {variable} {value:?}: {reason}")]
    InvalidEnvironment {
        variable: &'static str,
        value: String,
        reason: String,
    },
    #[error("could not listen on the Unix socket {}: {source}", path.display())]
    BindUnix {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not listen on 127.0.0.1 in port range {min}..={max}: {source}")]
    Bind {
        min: u16,
        max: u16,
        source: std::io::Error,
    },
    #[error("could not generate the TLS certificate: {0}")]
    CertificateGeneration(#[from] rcgen::Error),
    #[error("invalid TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    #[error("plugin I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the gRPC server failed: {0}")]
    Serve(#[source] tonic::transport::Error),

    #[error("plugin binary {path} not found")]
    BinaryNotFound { path: PathBuf },
    #[error("could not start plugin {path}: {source}")]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "plugin {path} exited ({status}) before its handshake{}",
        format_tail(stderr_tail)
    )]
    ExitedBeforeHandshake {
        path: PathBuf,
        status: ExitStatus,
        stderr_tail: Vec<String>,
    },
    #[error(
        "plugin {path} printed no handshake within {timeout:?}{}",
        format_tail(stderr_tail)
    )]
    HandshakeTimeout {
        path: PathBuf,
        timeout: Duration,
        stderr_tail: Vec<String>,
    },
    #[error("malformed plugin handshake line {line:?}: {reason}")]
    MalformedLine { line: String, reason: String },
    #[error("plugin speaks {what} version {found}, but only version {expected} is supported")]
    UnsupportedVersion {
        what: &'static str,
        found: String,
        expected: u32,
    },
    #[error("could not connect to plugin at {address}: {source}")]
    Connect {
        address: String,
        source: tonic::transport::Error,
    },
}

fn format_tail(tail: &[String]) -> String {
    if tail.is_empty() {
        String::new()
    } else {
        format!("; its last output on stderr:\n{}", tail.join("\n"))
    }
}

#[cfg(test)]
mod tests;
