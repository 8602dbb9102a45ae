//! The connector: a rustls client configuration built from a [`TlsPlan`], and the
//! connection attempts in the plan's order (`allow`: plain, then TLS when the server refuses;
//! `prefer`: TLS, then plain when TLS is unavailable or fails).

use std::sync::Arc;

use rustls::ClientConfig;
use tokio_postgres::config::{Host, SslMode as DriverSslMode};
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, Connection, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::TlsConfigError;
use crate::files::{client_identity, root_store};
use crate::mode::{Negotiation, Roots, Semantics, TlsPlan, Verification};
use crate::verifier::ServerCertCheck;

/// A connection made by [`PgTls::connect`], plain or TLS.
pub type PgConnection = Connection<Socket, <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream>;

/// The TLS side of one connection string, ready to connect.
#[derive(Clone)]
pub struct PgTls {
    plan: TlsPlan,
    connector: MakeRustlsConnect,
}

impl std::fmt::Debug for PgTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTls").field("plan", &self.plan).finish()
    }
}

fn roots_label(roots: &Roots) -> String {
    match roots {
        Roots::File(path) => format!("sslrootcert {:?}", path.display().to_string()),
        Roots::System => "the system trust store".to_string(),
    }
}

impl PgTls {
    /// Loads the plan's certificates and builds the rustls configuration.
    pub fn new(plan: TlsPlan) -> Result<PgTls, TlsConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let (roots, check_host) = match &plan.verification {
            Verification::None => (None, false),
            Verification::Chain(roots) => (Some(roots), false),
            Verification::ChainAndHost(roots) => (Some(roots), true),
        };
        let check = ServerCertCheck {
            roots: match roots {
                Some(roots) if plan.negotiation != Negotiation::Plain => {
                    Some(Arc::new(root_store(roots)?))
                }
                _ => None,
            },
            roots_label: roots.map(roots_label).unwrap_or_default(),
            check_host,
            provider: provider.clone(),
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsConfigError::Tls(error.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(check));
        let config = match &plan.client_identity {
            Some(identity) => {
                let (chain, key) = client_identity(identity, plan.semantics)?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|error| TlsConfigError::Tls(error.to_string()))?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(PgTls {
            plan,
            connector: MakeRustlsConnect::new(config),
        })
    }

    /// The resolved plan.
    pub fn plan(&self) -> &TlsPlan {
        &self.plan
    }

    /// Connects with `config` (its own `sslmode` is ignored), trying plain and TLS transport
    /// in the plan's order.
    pub async fn connect(
        &self,
        config: &Config,
    ) -> Result<(Client, PgConnection), tokio_postgres::Error> {
        match self.negotiation_for(config) {
            Negotiation::Plain => self.attempt(config, DriverSslMode::Disable).await,
            Negotiation::Tls => self.attempt(config, DriverSslMode::Require).await,
            Negotiation::PlainThenTls => match self.attempt(config, DriverSslMode::Disable).await {
                Err(error) if error.as_db_error().is_some() => {
                    self.attempt(config, DriverSslMode::Require).await
                }
                other => other,
            },
            // The driver's own `prefer` goes on without TLS on the same socket when the
            // server does not speak TLS; a failed TLS attempt or a refusal starts over plain.
            Negotiation::TlsThenPlain => match self.attempt(config, DriverSslMode::Prefer).await {
                Err(error) if error.as_db_error().is_some() || is_tls_failure(&error) => {
                    self.attempt(config, DriverSslMode::Disable).await
                }
                other => other,
            },
        }
    }

    /// libpq never asks for TLS on a Unix-domain socket; lib/pq does (and the server says
    /// no).
    fn negotiation_for(&self, config: &Config) -> Negotiation {
        let hosts = config.get_hosts();
        let all_unix = !hosts.is_empty() && hosts.iter().all(|host| matches!(host, Host::Unix(_)));
        if all_unix && self.plan.semantics == Semantics::Libpq {
            Negotiation::Plain
        } else {
            self.plan.negotiation
        }
    }

    async fn attempt(
        &self,
        config: &Config,
        mode: DriverSslMode,
    ) -> Result<(Client, PgConnection), tokio_postgres::Error> {
        let mut config = config.clone();
        config.ssl_mode(mode);
        config.connect(self.connector.clone()).await
    }
}

/// Whether the driver failed while setting up TLS (the server does not speak it, or the
/// handshake failed), as opposed to an I/O or server error.
fn is_tls_failure(error: &tokio_postgres::Error) -> bool {
    error
        .to_string()
        .starts_with("error performing TLS handshake")
}

#[cfg(test)]
mod tests;
