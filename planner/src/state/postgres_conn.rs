//! The connection side of the PostgreSQL state store: its settings (Terraform's `pg` backend
//! settings), connecting (TLS with lib/pq's `sslmode` rules, as Terraform's `pg` backend)
//! without ever showing the connection string's password, quoting the
//! schema name, and running the store's asynchronous database calls from the synchronous
//! [`super::StateStore`] interface on a small runtime of its own.

use std::future::Future;
use std::sync::Arc;

use tokio_postgres::Client;

use super::StateError;

/// Terraform's default schema for the `pg` backend.
pub(crate) const DEFAULT_SCHEMA_NAME: &str = "terraform_remote_state";

/// The settings of a `pg` backend, as Terraform's `pg` backend takes them.
#[derive(Clone)]
pub(crate) struct PgSettings {
    /// The connection string: a `postgres://` URL or `key=value` pairs. May hold a password,
    /// so it is never printed.
    pub conn_str: String,
    pub schema_name: String,
    pub skip_schema_creation: bool,
    pub skip_table_creation: bool,
    pub skip_index_creation: bool,
}

impl PgSettings {
    /// Settings with Terraform's defaults for everything but the connection string.
    pub(crate) fn new(conn_str: impl Into<String>) -> PgSettings {
        PgSettings {
            conn_str: conn_str.into(),
            schema_name: DEFAULT_SCHEMA_NAME.to_string(),
            skip_schema_creation: false,
            skip_table_creation: false,
            skip_index_creation: false,
        }
    }
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSettings")
            .field("conn_str", &"(hidden)")
            .field("schema_name", &self.schema_name)
            .field("skip_schema_creation", &self.skip_schema_creation)
            .field("skip_table_creation", &self.skip_table_creation)
            .field("skip_index_creation", &self.skip_index_creation)
            .finish()
    }
}

/// A database failure as a state error; the message never holds the connection string or its
/// password.
pub(super) fn backend_error(
    action: &'static str,
    settings: &PgSettings,
    err: impl std::fmt::Display,
) -> StateError {
    StateError::Backend {
        action,
        detail: redact(&err.to_string(), settings),
    }
}

/// `text` with the connection string and its password (when it has one) masked.
pub(super) fn redact(text: &str, settings: &PgSettings) -> String {
    let mut text = text.to_string();
    if !settings.conn_str.is_empty() {
        text = text.replace(&settings.conn_str, "(connection string hidden)");
    }
    // The TLS parameters come out first: tokio-postgres does not parse all their values.
    let password = pgtls::split_conn_str(&settings.conn_str)
        .ok()
        .and_then(|split| split.rest.parse::<tokio_postgres::Config>().ok())
        .and_then(|config| config.get_password().map(<[u8]>::to_vec))
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|password| !password.is_empty());
    if let Some(password) = password {
        text = text.replace(&password, "(password hidden)");
    }
    text
}

/// The schema name as a quoted SQL identifier. Terraform writes it unquoted, so PostgreSQL
/// folds it to lower case; quoting the lower-cased name names the same schema. Names that are
/// not plain identifiers are refused.
pub(super) fn quoted_schema(name: &str) -> Result<String, StateError> {
    let mut chars = name.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && name.len() <= 63;
    if !plain {
        return Err(StateError::Backend {
            action: "use the schema",
            detail: format!(
                "schema_name {name:?} is not a plain SQL identifier (a letter or underscore, \
                 then letters, digits, underscores or dollar signs, at most 63 characters)"
            ),
        });
    }
    Ok(format!("\"{}\"", name.to_ascii_lowercase()))
}

/// Opens a connection; `application_name` names this program in `pg_stat_activity` unless the
/// connection string already sets one.
pub(super) async fn connect(
    settings: &PgSettings,
    application_name: &str,
) -> Result<Client, StateError> {
    // TLS follows Terraform's pg backend (lib/pq): `require` unless said otherwise.
    let prepared =
        pgtls::prepare(&settings.conn_str, pgtls::Semantics::TerraformPg).map_err(|err| {
            StateError::Backend {
                action: "set up TLS for the connection",
                detail: redact(&err.to_string(), settings),
            }
        })?;
    let mut config: tokio_postgres::Config =
        prepared.conn_str.parse().map_err(|_| StateError::Backend {
            action: "parse the connection string",
            detail: "conn_str is not a valid PostgreSQL connection string (a postgres:// URL or \
                     key=value pairs)"
                .to_string(),
        })?;
    if config.get_application_name().is_none() {
        let name: String = application_name.chars().take(63).collect();
        config.application_name(&name);
    }
    let (client, connection) =
        prepared
            .tls
            .connect(&config)
            .await
            .map_err(|err| StateError::Backend {
                action: "connect to PostgreSQL",
                detail: redact(&pgtls::describe_error(&err), settings),
            })?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!("state database connection closed: {err}");
        }
    });
    Ok(client)
}

/// A runtime that drives the store's connections, so that its synchronous methods can wait for
/// database calls whether or not the caller runs inside another runtime.
pub(super) struct Bridge {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Bridge {
    pub(super) fn new() -> Result<Arc<Bridge>, StateError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tenantform-state-db")
            .enable_all()
            .build()
            .map_err(|err| StateError::Backend {
                action: "start the state database runtime",
                detail: err.to_string(),
            })?;
        Ok(Arc::new(Bridge {
            runtime: Some(runtime),
        }))
    }

    /// Runs `future` to completion on this bridge's runtime and returns its output.
    #[allow(
        clippy::expect_used,
        reason = "the runtime is taken only by Drop, after which no call can run"
    )]
    pub(super) fn run<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let runtime = self.runtime.as_ref().expect("the runtime lives until drop");
        if tokio::runtime::Handle::try_current().is_err() {
            return runtime.block_on(future);
        }
        // Inside another runtime: wait on a plain thread, where blocking is allowed.
        std::thread::scope(|scope| {
            scope
                .spawn(|| runtime.block_on(future))
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Closing the connections ends their sessions, which releases any advisory lock.
            runtime.shutdown_background();
        }
    }
}
