//! TLS for tenantform's two PostgreSQL connections, on rustls (ring) through
//! `tokio-postgres-rustls`: the provider's `dsn` follows libpq's `sslmode` rules, the `pg`
//! state backend's `conn_str` follows lib/pq's as Terraform's `pg` backend uses them.
//!
//! [`prepare`] takes the TLS parameters out of a connection string (tokio-postgres does not
//! know all of them), resolves them to a [`TlsPlan`] and loads its certificates into a
//! [`PgTls`], whose [`PgTls::connect`] tries plain and TLS transport in the plan's order.
//! A refused server certificate is named by [`describe_error`] (subject, issuer, host
//! name, expiry); no message holds the connection string.

mod connect;
mod error;
mod files;
mod mode;
mod params;
mod refusal;
mod verifier;

pub use connect::{PgConnection, PgTls};
pub use error::TlsConfigError;
pub use mode::{
    ClientIdentity, Negotiation, Roots, Semantics, SslMode, TlsPlan, Verification, resolve,
};
pub use params::{SplitConnString, TlsParams, split_conn_str};
pub use refusal::{CertificateRefusal, certificate_refusal, describe_error};

/// A connection string made ready to connect: the part for `tokio_postgres::Config` and
/// the TLS connector built from the rest.
pub struct Prepared {
    /// The connection string without its TLS parameters.
    pub conn_str: String,
    pub tls: PgTls,
}

/// Splits `conn_str`, fills its TLS parameters from the process environment (`PGSSLMODE`,
/// `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`) and `$HOME/.postgresql/`, and builds the
/// connector.
pub fn prepare(conn_str: &str, semantics: Semantics) -> Result<Prepared, TlsConfigError> {
    let home = std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(std::path::PathBuf::from);
    prepare_with(
        conn_str,
        semantics,
        |name| std::env::var(name).ok(),
        home.as_deref(),
    )
}

/// [`prepare`] with the environment and home directory given.
pub fn prepare_with(
    conn_str: &str,
    semantics: Semantics,
    environment: impl Fn(&str) -> Option<String>,
    home: Option<&std::path::Path>,
) -> Result<Prepared, TlsConfigError> {
    let split = split_conn_str(conn_str)?;
    let params = split.tls.with_environment(environment);
    let plan = resolve(&params, semantics, home)?;
    Ok(Prepared {
        conn_str: split.rest,
        tls: PgTls::new(plan)?,
    })
}
