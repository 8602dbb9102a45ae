//! Choosing the state store from the configuration's `backend` block, as Terraform does: no
//! block keeps `terraform.tfstate` in the working directory; `backend "pg"` keeps the state in
//! PostgreSQL. Settings come from the block, overridden by the `-backend-config=KEY=VALUE`
//! values `init` saved, with Terraform's environment fallbacks (`PG_CONN_STR`, ...) for
//! whatever is still unset. Each workspace has its own state in the backend; commands use
//! the current one. Connection strings are never printed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Failure;
use crate::config::{Backend, backend_settings};
use crate::state::{DEFAULT_WORKSPACE, LocalWorkspaces, PgSettings, PgStore, StateStore};

/// Where `init` keeps the `-backend-config` values (readable by the owner only: a connection
/// string may hold a password, as in Terraform's `.terraform/terraform.tfstate`).
pub(super) const SAVED_BACKEND_CONFIG: &str = ".tenantform/backend-config.json";

/// The environment variables Terraform's `pg` backend reads for unset settings.
const PG_ENVIRONMENT: &[(&str, &str)] = &[
    ("conn_str", "PG_CONN_STR"),
    ("schema_name", "PG_SCHEMA_NAME"),
    ("skip_schema_creation", "PG_SKIP_SCHEMA_CREATION"),
    ("skip_table_creation", "PG_SKIP_TABLE_CREATION"),
    ("skip_index_creation", "PG_SKIP_INDEX_CREATION"),
];

/// The `-backend-config` values saved by `init`, for one backend type.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct SavedBackendConfig {
    pub kind: String,
    pub settings: BTreeMap<String, String>,
}

/// Parses `-backend-config` values: `KEY=VALUE`, or the path of a file of `KEY = "VALUE"`
/// attributes. Only settings `kind` accepts are allowed.
pub(super) fn parse_backend_config(
    kind: &str,
    values: &[String],
) -> Result<BTreeMap<String, String>, Failure> {
    let allowed = backend_settings(kind).unwrap_or_default();
    let mut settings = BTreeMap::new();
    for value in values {
        match value.split_once('=') {
            Some((key, setting)) => {
                settings.insert(key.trim().to_string(), setting.to_string());
            }
            None => settings.extend(read_backend_config_file(value)?),
        }
    }
    if let Some(unknown) = settings.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(Failure::error(
            "Invalid backend configuration argument",
            format!(
                "The backend configuration argument {unknown:?} given on the command line is \
                 not expected for the selected backend type \"{kind}\"."
            ),
        ));
    }
    Ok(settings)
}

fn read_backend_config_file(path: &str) -> Result<BTreeMap<String, String>, Failure> {
    let invalid = |detail: String| {
        Failure::error(
            "Invalid backend configuration file",
            format!("The backend configuration file {path:?} cannot be used: {detail}"),
        )
    };
    let text = std::fs::read_to_string(path).map_err(|err| invalid(err.to_string()))?;
    let parsed: serde_json::Map<String, serde_json::Value> =
        hcl::from_str(&text).map_err(|_| invalid("it is not a file of attributes".into()))?;
    parsed
        .into_iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => Ok((key, text)),
            serde_json::Value::Bool(flag) => Ok((key, flag.to_string())),
            _ => Err(invalid(format!("{key} is not a string or a boolean"))),
        })
        .collect()
}

/// Saves the `-backend-config` values of `init` for the next commands.
pub(super) fn save_backend_config(saved: &SavedBackendConfig) -> Result<(), Failure> {
    let failed = |err: std::io::Error| {
        Failure::error(
            "Failed to save the backend configuration",
            format!("Could not write {SAVED_BACKEND_CONFIG}: {err}"),
        )
    };
    let path = Path::new(SAVED_BACKEND_CONFIG);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let bytes = serde_json::to_vec_pretty(saved).unwrap_or_default();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(&bytes))
        .map_err(failed)
}

/// Forgets the saved `-backend-config` values (`init -reconfigure`).
pub(super) fn forget_backend_config() {
    let _ = std::fs::remove_file(SAVED_BACKEND_CONFIG);
}

fn saved_backend_config(kind: &str) -> BTreeMap<String, String> {
    std::fs::read(SAVED_BACKEND_CONFIG)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<SavedBackendConfig>(&bytes).ok())
        .filter(|saved| saved.kind == kind)
        .map(|saved| saved.settings)
        .unwrap_or_default()
}

/// The backend a configuration selects, with its settings resolved.
#[derive(Debug)]
pub(super) enum SelectedBackend {
    /// State files in the working directory (no `backend` block, or `backend "local"`).
    Local(LocalWorkspaces),
    /// Rows of PostgreSQL's `<schema>.states` (`backend "pg"`).
    Pg(PgSettings),
}

impl SelectedBackend {
    /// The state store of `workspace`. As in Terraform, a workspace is created on first use:
    /// the local backend makes its folder, the `pg` backend writes its row (an empty state).
    pub(super) fn store(&self, workspace: &str) -> Result<Box<dyn StateStore>, Failure> {
        let failed = |err| super::common::state_failure(err, "Failed to open the state");
        match self {
            SelectedBackend::Local(spaces) => {
                Ok(Box::new(spaces.store(workspace).map_err(failed)?))
            }
            SelectedBackend::Pg(settings) => {
                let store = PgStore::new(settings.clone(), workspace).map_err(|err| {
                    Failure::error("Invalid backend configuration", err.to_string())
                })?;
                if workspace != DEFAULT_WORKSPACE {
                    store.create_workspace().map_err(failed)?;
                }
                Ok(Box::new(store))
            }
        }
    }
}

/// The state store of the current workspace (`TF_WORKSPACE`, else the one `workspace
/// select` chose) in the backend the configuration asks for.
pub(super) fn open_store(backend: Option<&Backend>) -> Result<Box<dyn StateStore>, Failure> {
    let workspace = super::workspace::current()?;
    select_backend(backend)?.store(&workspace)
}

/// The backend the configuration asks for.
pub(super) fn select_backend(backend: Option<&Backend>) -> Result<SelectedBackend, Failure> {
    // The state's encryption settings are checked before any state is touched, even when
    // there is none yet.
    crate::encryption::configured()
        .map_err(|err| Failure::error("Invalid encryption configuration", err.to_string()))?;
    let here = Path::new(".");
    let Some(backend) = backend else {
        return Ok(SelectedBackend::Local(LocalWorkspaces::new(
            here, None, None,
        )));
    };
    let mut settings: BTreeMap<String, String> = backend
        .settings
        .iter()
        .map(|(key, value)| (key.clone(), value.as_text()))
        .collect();
    settings.extend(saved_backend_config(&backend.kind));
    let setting = |key: &str| settings.get(key).map(String::as_str);
    match backend.kind.as_str() {
        "local" => Ok(SelectedBackend::Local(LocalWorkspaces::new(
            here,
            setting("path"),
            setting("workspace_dir"),
        ))),
        "pg" => {
            for (key, variable) in PG_ENVIRONMENT {
                if !settings.contains_key(*key)
                    && let Ok(value) = std::env::var(variable)
                    && !value.is_empty()
                {
                    settings.insert((*key).to_string(), value);
                }
            }
            Ok(SelectedBackend::Pg(pg_settings(&settings)?))
        }
        other => Err(Failure::error(
            "Unsupported backend type",
            format!(
                "The block backend \"{other}\" names a backend type this program does not support."
            ),
        )),
    }
}

fn pg_settings(settings: &BTreeMap<String, String>) -> Result<PgSettings, Failure> {
    let Some(conn_str) = settings.get("conn_str").filter(|c| !c.is_empty()) else {
        return Err(Failure::error(
            "Missing backend configuration",
            "The backend \"pg\" needs conn_str: set it in the block, with \
             -backend-config=conn_str=... on init, or in the PG_CONN_STR environment variable.",
        ));
    };
    let flag = |key: &str| -> Result<bool, Failure> {
        match settings.get(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v == "true" || v == "1" => Ok(true),
            Some(v) if v == "false" || v == "0" || v.is_empty() => Ok(false),
            Some(v) => Err(Failure::error(
                "Invalid backend configuration",
                format!("The backend \"pg\" setting {key} must be true or false, not {v:?}."),
            )),
        }
    };
    let mut pg = PgSettings::new(conn_str.clone());
    if let Some(schema) = settings.get("schema_name").filter(|s| !s.is_empty()) {
        pg.schema_name = schema.clone();
    }
    pg.skip_schema_creation = flag("skip_schema_creation")?;
    pg.skip_table_creation = flag("skip_table_creation")?;
    pg.skip_index_creation = flag("skip_index_creation")?;
    Ok(pg)
}

#[cfg(test)]
mod tests;
