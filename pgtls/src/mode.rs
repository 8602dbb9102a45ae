//! The decision table: from `sslmode`, `sslrootcert`, `sslcert` and `sslkey` to whether a
//! connection tries TLS, in which order, and what it checks of the server's certificate.
//! Two rule sets: libpq's (the provider's `dsn`) and lib/pq's as Terraform's `pg` state
//! backend uses it (a `conn_str`).

use std::path::{Path, PathBuf};

use crate::TlsConfigError;
use crate::params::TlsParams;

/// Whose rules a connection string follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Semantics {
    /// libpq (`psql`, PostgreSQL's own client library): default `prefer`, all six modes,
    /// `~/.postgresql/root.crt` as the default root certificate, `sslrootcert=system`.
    Libpq,
    /// lib/pq 1.10, the Go driver of Terraform's `pg` backend: default `require`; `disable`,
    /// `require`, `verify-ca` and `verify-full` only; the verify modes use the system trust
    /// store when no `sslrootcert` is given.
    TerraformPg,
}

/// The value of `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// Parses a libpq `sslmode` value.
    pub fn parse(value: &str) -> Result<SslMode, TlsConfigError> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => return Err(TlsConfigError::UnknownSslMode(other.to_string())),
        })
    }

    /// The name as written in a connection string.
    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// In which order a connection tries plain and TLS transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Negotiation {
    /// Never TLS.
    Plain,
    /// Plain first; TLS when the server refuses the plain connection (`allow`).
    PlainThenTls,
    /// TLS first; plain when the server does not speak TLS or the TLS attempt fails
    /// (`prefer`).
    TlsThenPlain,
    /// TLS or nothing.
    Tls,
}

/// Where trusted root certificates come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roots {
    /// A PEM file (`sslrootcert`, or libpq's `~/.postgresql/root.crt`).
    File(PathBuf),
    /// The operating system's trust store.
    System,
}

/// What is checked of the server's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Nothing: encryption without authentication of the server.
    None,
    /// The chain up to a trusted root, validity dates included; not the host name.
    Chain(Roots),
    /// The chain and the host name (DNS or IP subject alternative names).
    ChainAndHost(Roots),
}

/// A client certificate and its private key (PEM files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIdentity {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The resolved TLS behaviour of one connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsPlan {
    pub semantics: Semantics,
    pub mode: SslMode,
    pub negotiation: Negotiation,
    pub verification: Verification,
    pub client_identity: Option<ClientIdentity>,
}

/// Resolves `params` under `semantics`; `home` is the user's home directory, for the
/// default files under `~/.postgresql/`.
pub fn resolve(
    params: &TlsParams,
    semantics: Semantics,
    home: Option<&Path>,
) -> Result<TlsPlan, TlsConfigError> {
    let dot_postgresql = home.map(|home| home.join(".postgresql"));
    let plan = match semantics {
        Semantics::Libpq => resolve_libpq(params, dot_postgresql.as_deref())?,
        Semantics::TerraformPg => resolve_terraform_pg(params)?,
    };
    let client_identity = if plan.negotiation == Negotiation::Plain {
        None
    } else {
        client_identity(params, dot_postgresql.as_deref())
    };
    Ok(TlsPlan {
        semantics,
        client_identity,
        ..plan
    })
}

fn plan(mode: SslMode, negotiation: Negotiation, verification: Verification) -> TlsPlan {
    TlsPlan {
        semantics: Semantics::Libpq,
        mode,
        negotiation,
        verification,
        client_identity: None,
    }
}

fn resolve_libpq(
    params: &TlsParams,
    dot_postgresql: Option<&Path>,
) -> Result<TlsPlan, TlsConfigError> {
    let system = params.sslrootcert.as_deref() == Some("system");
    let mode = match params.sslmode.as_deref() {
        Some(value) => SslMode::parse(value)?,
        None if system => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if system && mode != SslMode::VerifyFull {
        return Err(TlsConfigError::WeakModeWithSystemRoots(mode.name()));
    }
    // An empty sslrootcert means "no file", as in libpq.
    let root_file = match params.sslrootcert.as_deref() {
        Some("system") => None,
        Some("") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => dot_postgresql.map(|dir| dir.join("root.crt")),
    };
    let roots = if system {
        Some(Roots::System)
    } else {
        root_file
            .as_ref()
            .filter(|path| path.exists())
            .map(|path| Roots::File(path.clone()))
    };
    let needs_roots = matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull);
    if needs_roots && roots.is_none() {
        return Err(TlsConfigError::MissingRootCertificate(root_file));
    }
    // With a root certificate at hand libpq checks the chain in every TLS mode.
    let chain = roots.map_or(Verification::None, Verification::Chain);
    Ok(match mode {
        SslMode::Disable => plan(mode, Negotiation::Plain, Verification::None),
        SslMode::Allow => plan(mode, Negotiation::PlainThenTls, chain),
        SslMode::Prefer => plan(mode, Negotiation::TlsThenPlain, chain),
        SslMode::Require | SslMode::VerifyCa => plan(mode, Negotiation::Tls, chain),
        SslMode::VerifyFull => plan(mode, Negotiation::Tls, into_full(chain)),
    })
}

fn into_full(verification: Verification) -> Verification {
    match verification {
        Verification::Chain(roots) | Verification::ChainAndHost(roots) => {
            Verification::ChainAndHost(roots)
        }
        Verification::None => Verification::None,
    }
}

fn resolve_terraform_pg(params: &TlsParams) -> Result<TlsPlan, TlsConfigError> {
    let mode = match params.sslmode.as_deref() {
        None | Some("") => SslMode::Require,
        Some(value) => match SslMode::parse(value) {
            Ok(SslMode::Allow | SslMode::Prefer) | Err(_) => {
                return Err(TlsConfigError::UnsupportedByTerraformPg(value.to_string()));
            }
            Ok(mode) => mode,
        },
    };
    let root_file = params
        .sslrootcert
        .as_deref()
        .filter(|path| !path.is_empty())
        .map(PathBuf::from);
    Ok(match mode {
        SslMode::Disable => plan(mode, Negotiation::Plain, Verification::None),
        SslMode::VerifyCa => plan(
            mode,
            Negotiation::Tls,
            Verification::Chain(root_file.map_or(Roots::System, Roots::File)),
        ),
        SslMode::VerifyFull => plan(
            mode,
            Negotiation::Tls,
            Verification::ChainAndHost(root_file.map_or(Roots::System, Roots::File)),
        ),
        // `require` checks the chain when the given sslrootcert exists, and ignores it when
        // it does not.
        _ => {
            let chain = root_file
                .filter(|path| path.exists())
                .map_or(Verification::None, |path| {
                    Verification::Chain(Roots::File(path))
                });
            plan(mode, Negotiation::Tls, chain)
        }
    })
}

/// `sslcert` (default `~/.postgresql/postgresql.crt`) with `sslkey` (default
/// `~/.postgresql/postgresql.key`), when the certificate file exists; both libpq and lib/pq
/// skip a missing certificate file silently.
fn client_identity(params: &TlsParams, dot_postgresql: Option<&Path>) -> Option<ClientIdentity> {
    let default = |name: &str| dot_postgresql.map(|dir| dir.join(name));
    let cert = match params.sslcert.as_deref() {
        Some("") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => default("postgresql.crt"),
    }?;
    if !cert.exists() {
        return None;
    }
    let key = match params.sslkey.as_deref() {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => default("postgresql.key"),
    }
    .unwrap_or_default();
    Some(ClientIdentity { cert, key })
}

#[cfg(test)]
mod tests;
