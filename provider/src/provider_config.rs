//! The provider block: which backend to use and where it keeps its data.
//!
//! Every argument is optional. `backend` defaults to `"embedded"`, whose `path` defaults to
//! `.tenants` under the provider's working directory; `archive_dir` and `storage_root` default
//! to `archive/` and `storage/` inside it. The environment variables `TENANT_BACKEND`,
//! `TENANT_PATH`, `TENANT_DSN`, `TENANT_ARCHIVE_DIR` and `TENANT_STORAGE_ROOT` stand in for
//! arguments the configuration leaves unset.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tenantform_proto::schema::Schema;
use tenantform_proto::value::Value;

use crate::backend::Backend;
use crate::backend::embedded::{EmbeddedBackend, EmbeddedSettings};
use crate::backend::postgres::{PostgresBackend, PostgresSettings};
use crate::resources::Check;
use crate::schemas::schema_from_json;
use crate::values::{Field, string_field};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The embedded backend's folder when `path` is not set.
pub const DEFAULT_EMBEDDED_PATH: &str = ".tenants";
const BACKENDS: &[&str] = &["embedded", "postgres"];
const ARGUMENTS: &[(&str, &str)] = &[
    ("backend", "TENANT_BACKEND"),
    ("path", "TENANT_PATH"),
    ("dsn", "TENANT_DSN"),
    ("archive_dir", "TENANT_ARCHIVE_DIR"),
    ("storage_root", "TENANT_STORAGE_ROOT"),
];

/// Which backend the provider talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Embedded,
    Postgres,
}

/// The decoded provider block.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub backend: BackendKind,
    pub path: PathBuf,
    pub dsn: Option<String>,
    pub archive_dir: Option<PathBuf>,
    pub storage_root: Option<PathBuf>,
}

/// The schema of the provider block.
pub fn provider_schema() -> Schema {
    schema_from_json(include_str!("schemas/provider.json"))
}

/// Checks the known values of a provider block.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if let Field::Known(backend) = string_field(config, "backend")
        && !BACKENDS.contains(&backend.as_str())
    {
        diagnostics.push(
            Diagnostic::error(
                "Invalid value for backend",
                format!("{backend:?} is not a backend; expected embedded or postgres."),
            )
            .at("backend"),
        );
    }
    for (name, _) in ARGUMENTS {
        Check::NotEmpty(name).run(config, &mut diagnostics);
    }
    diagnostics
}

/// The argument `name`, from the configuration or else from its environment variable.
fn argument(config: &Value, name: &str, environment: &str) -> Result<Option<String>, Diagnostic> {
    match string_field(config, name) {
        Field::Known(value) => Ok(Some(value)),
        Field::Unknown => Err(Diagnostic::error(
            format!("Provider argument {name} is not known"),
            format!(
                "{name} depends on values known only after apply; the provider needs it to plan."
            ),
        )
        .at(name)),
        Field::Null => Ok(std::env::var(environment).ok().filter(|v| !v.is_empty())),
    }
}

/// Decodes a provider block for `ConfigureProvider`.
pub fn parse(config: &Value) -> Result<ProviderConfig, Diagnostics> {
    let diagnostics = validate(config);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let mut values = BTreeMap::new();
    let mut problems = Diagnostics::new();
    for (name, environment) in ARGUMENTS {
        match argument(config, name, environment) {
            Ok(value) => {
                values.insert(*name, value);
            }
            Err(diagnostic) => problems.push(diagnostic),
        }
    }
    if problems.has_errors() {
        return Err(problems);
    }
    let mut take = |name: &str| values.remove(name).flatten();
    let backend = match take("backend").as_deref() {
        None | Some("embedded") => BackendKind::Embedded,
        Some("postgres") => BackendKind::Postgres,
        Some(other) => {
            return Err(Diagnostic::error(
                "Invalid value for backend",
                format!("{other:?} is not a backend; expected embedded or postgres."),
            )
            .into());
        }
    };
    Ok(ProviderConfig {
        backend,
        path: PathBuf::from(take("path").unwrap_or_else(|| DEFAULT_EMBEDDED_PATH.to_string())),
        dsn: take("dsn"),
        archive_dir: take("archive_dir").map(PathBuf::from),
        storage_root: take("storage_root").map(PathBuf::from),
    })
}

/// Opens the PostgreSQL backend; `dsn` is required, and the folders default to `archive/` and
/// `storage/` under `path`.
fn open_postgres(config: &ProviderConfig) -> Result<Arc<dyn Backend>, Diagnostic> {
    let Some(dsn) = config.dsn.clone() else {
        return Err(Diagnostic::error(
            "Missing dsn for the postgres backend",
            "backend = \"postgres\" needs a PostgreSQL connection string in dsn (or the \
             TENANT_DSN environment variable).",
        )
        .at("dsn"));
    };
    let settings = PostgresSettings {
        dsn,
        archive_dir: config
            .archive_dir
            .clone()
            .unwrap_or_else(|| config.path.join("archive")),
        storage_root: config
            .storage_root
            .clone()
            .unwrap_or_else(|| config.path.join("storage")),
    };
    PostgresBackend::open(&settings)
        .map(|backend| Arc::new(backend) as Arc<dyn Backend>)
        .map_err(|error| {
            Diagnostic::error(
                "Failed to open the postgres backend",
                format!("Could not connect to PostgreSQL or prepare its catalog: {error}"),
            )
            .at("dsn")
        })
}

/// Opens the configured backend.
pub fn open_backend(config: &ProviderConfig) -> Result<Arc<dyn Backend>, Diagnostic> {
    match config.backend {
        BackendKind::Embedded => EmbeddedBackend::open(&EmbeddedSettings {
            path: config.path.clone(),
            archive_dir: config.archive_dir.clone(),
            storage_root: config.storage_root.clone(),
        })
        .map(|backend| Arc::new(backend) as Arc<dyn Backend>)
        .map_err(|error| {
            Diagnostic::error(
                "Failed to open the embedded backend",
                format!(
                    "Could not open the tenant catalog under {}: {error}",
                    config.path.display()
                ),
            )
            .at("path")
        }),
        BackendKind::Postgres => open_postgres(config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::object;

    fn block(backend: Value, path: Value) -> Value {
        object([
            ("backend", backend),
            ("path", path),
            ("dsn", Value::Null),
            ("archive_dir", Value::Null),
            ("storage_root", Value::Null),
        ])
    }

    #[test]
    fn embedded_is_the_default_and_postgres_needs_a_dsn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t").display().to_string();
        let config = parse(&block(Value::Null, Value::string(&path))).unwrap();
        assert_eq!(config.backend, BackendKind::Embedded);
        assert!(open_backend(&config).is_ok());
        assert!(dir.path().join("t/catalog.db").is_file());

        let postgres = parse(&block(Value::string("postgres"), Value::Null)).unwrap();
        assert_eq!(postgres.backend, BackendKind::Postgres);
        if std::env::var_os("TENANT_DSN").is_none() {
            let error = open_backend(&postgres).err().unwrap();
            assert!(error.summary.contains("Missing dsn"), "{}", error.summary);
        }
    }

    #[test]
    fn invalid_and_unknown_arguments_are_diagnosed() {
        assert!(validate(&block(Value::string("mysql"), Value::Null)).has_errors());
        assert!(!validate(&block(Value::Unknown, Value::Null)).has_errors());
        assert!(parse(&block(Value::Null, Value::Unknown)).is_err());
    }
}
