//! Why a connection string's TLS settings cannot be used. Messages name parameters, modes
//! and file paths, never the connection string itself.

use std::path::PathBuf;

/// A TLS setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    #[error("the connection string is not valid: {0}")]
    Malformed(String),
    #[error(
        "invalid sslmode value: {0:?} (use disable, allow, prefer, require, verify-ca or \
         verify-full)"
    )]
    UnknownSslMode(String),
    #[error("weak sslmode {0:?} may not be used with sslrootcert=system (use \"verify-full\")")]
    WeakModeWithSystemRoots(&'static str),
    #[error(
        "root certificate file {} does not exist; either provide the file, use the \
         system's trusted roots with sslrootcert=system, or change sslmode to disable server \
         certificate verification",
        .0.as_ref().map_or_else(|| "(no home directory to find ~/.postgresql/root.crt)".to_string(), |path| format!("{:?}", path.display().to_string()))
    )]
    MissingRootCertificate(Option<PathBuf>),
    #[error(
        "unsupported sslmode {0:?}; only \"require\" (default), \"verify-full\", \
         \"verify-ca\", and \"disable\" supported (Terraform's pg backend)"
    )]
    UnsupportedByTerraformPg(String),
    #[error("could not read the {what} file {path:?}: {reason}")]
    File {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error(
        "private key file {0:?} has group or world access; it must have permissions u=rw \
         (0600) or less if owned by the current user, or u=rw,g=r (0640) or less if owned by \
         root"
    )]
    KeyPermissions(String),
    #[error("could not load the system's trusted root certificates: {0}")]
    SystemRoots(String),
    #[error("could not set up TLS: {0}")]
    Tls(String),
}
