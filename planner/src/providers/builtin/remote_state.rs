//! `terraform_remote_state`: the root outputs of another configuration's state, read from
//! the `local` or the `pg` backend with the settings of their `backend` blocks, and the
//! `defaults` for outputs the state lacks, as Terraform 1.15's built-in provider reads them.
//! Other backend types are refused by name.

use std::collections::BTreeMap;
use std::path::Path;

use tenantform_proto::schema::{Attribute, Schema};
use tenantform_proto::value::{Type, Value, type_from_json};

use super::{attr, error};
use crate::providers::attribute_schema;
use crate::providers::{ProviderDiagnostic, ReadResponse};
use crate::state::{
    DEFAULT_WORKSPACE, EncryptionChoice, LocalStore, LocalWorkspaces, PgSettings, PgStore, State,
    StateStore,
};

/// The backend types this data source reads.
const SUPPORTED_BACKENDS: &[&str] = &["local", "pg"];

pub(super) fn schema() -> Schema {
    attribute_schema(&[
        ("backend", Attribute::required(Type::String)),
        ("config", Attribute::optional(Type::Dynamic)),
        ("defaults", Attribute::optional(Type::Dynamic)),
        ("outputs", Attribute::computed(Type::Dynamic)),
        ("workspace", Attribute::optional(Type::String)),
    ])
}

pub(super) fn validate(config: &Value) -> Vec<ProviderDiagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(kind) = attr(config, "backend").as_str()
        && !SUPPORTED_BACKENDS.contains(&kind)
    {
        diagnostics.push(unsupported_backend(kind));
    }
    let defaults = attr(config, "defaults");
    if !matches!(
        defaults,
        Value::Null | Value::Unknown | Value::Object(_) | Value::Map(_)
    ) {
        diagnostics.push(error(
            "Invalid default values",
            "Defaults must be given in an object value.".into(),
            Some("defaults"),
        ));
    }
    diagnostics
}

fn unsupported_backend(kind: &str) -> ProviderDiagnostic {
    error(
        "Invalid backend configuration",
        format!(
            "The backend type {kind:?} is not supported by tenantform's terraform_remote_state; \
             it reads the \"local\" and \"pg\" backends."
        ),
        Some("backend"),
    )
}

/// The name `TF_ENCRYPTION`'s `remote_state_data_source "NAME"` blocks give a data source
/// instance, as OpenTofu forms it: the address without `data.terraform_remote_state.` and
/// without a leading `module.` (`foo[4]`, `submod[1].bar`).
pub(super) fn encryption_key(addr: &crate::addrs::InstanceAddr) -> String {
    let text = addr
        .to_string()
        .replacen("data.terraform_remote_state.", "", 1);
    text.strip_prefix("module.").unwrap_or(&text).to_string()
}

/// Reads the state; `encryption_key` names the instance for `TF_ENCRYPTION` (see
/// [`encryption_key`]).
pub(super) fn read(
    config: &Value,
    working_dir: &Path,
    encryption_key: Option<String>,
) -> ReadResponse {
    let workspace = attr(config, "workspace");
    let workspace_name = workspace.as_str().unwrap_or(DEFAULT_WORKSPACE).to_string();
    let settings = settings(&attr(config, "config"));
    let stored = attr(config, "backend")
        .as_str()
        .ok_or_else(|| vec![unsupported_backend("(unknown)")])
        .and_then(|kind| {
            let encryption = EncryptionChoice::RemoteState(encryption_key.clone());
            let place = StatePlace {
                workspace: &workspace_name,
                working_dir,
                encryption,
            };
            read_state(kind, &settings, &place)
        });
    let mut outputs = BTreeMap::new();
    let defaults = attr(config, "defaults");
    if let Value::Object(entries) | Value::Map(entries) = &defaults {
        outputs.extend(entries.clone());
    }
    let mut diagnostics = Vec::new();
    match stored {
        Ok(Some(state)) => outputs.extend(root_outputs(&state)),
        Ok(None) => {
            diagnostics.push(error(
                "Unable to find remote state",
                "No stored state was found for the given workspace in the given backend.".into(),
                Some("workspace"),
            ));
            outputs.clear();
        }
        Err(problems) => {
            return ReadResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: problems,
            };
        }
    }
    let new_state = Value::Object(BTreeMap::from([
        ("backend".to_string(), attr(config, "backend")),
        ("config".to_string(), attr(config, "config")),
        ("defaults".to_string(), defaults),
        ("outputs".to_string(), Value::Object(outputs)),
        ("workspace".to_string(), workspace),
    ]));
    ReadResponse {
        new_state,
        private: Vec::new(),
        diagnostics,
    }
}

/// The backend settings as text, as a `backend` block would give them.
fn settings(config: &Value) -> BTreeMap<String, String> {
    let (Value::Object(entries) | Value::Map(entries)) = config else {
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|(key, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Bool(flag) => flag.to_string(),
                Value::Number(number) => number.to_string(),
                _ => return None,
            };
            Some((key.clone(), text))
        })
        .collect()
}

/// Where a remote state is read: its workspace, the directory relative paths start from, and
/// the encryption target.
struct StatePlace<'a> {
    workspace: &'a str,
    working_dir: &'a Path,
    encryption: EncryptionChoice,
}

fn read_state(
    kind: &str,
    settings: &BTreeMap<String, String>,
    place: &StatePlace<'_>,
) -> Result<Option<State>, Vec<ProviderDiagnostic>> {
    let workspace = place.workspace;
    let allowed: &[&str] = match kind {
        "local" => &["path", "workspace_dir"],
        "pg" => &[
            "conn_str",
            "schema_name",
            "skip_schema_creation",
            "skip_table_creation",
            "skip_index_creation",
        ],
        other => return Err(vec![unsupported_backend(other)]),
    };
    if let Some(unknown) = settings.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(vec![error(
            "Invalid backend configuration",
            format!(
                "The given configuration is not valid for backend {kind:?}: unsupported \
                 argument {unknown:?}."
            ),
            Some("config"),
        )]);
    }
    let loading = |detail: String| {
        vec![error(
            "Error loading state error",
            format!("error loading the remote state: {detail}"),
            Some("backend"),
        )]
    };
    let store: Box<dyn StateStore> = match kind {
        "local" => Box::new(
            LocalStore::at_path(local_path(settings, workspace, place.working_dir))
                .with_encryption(place.encryption.clone()),
        ),
        _ => {
            let Some(conn_str) = settings.get("conn_str") else {
                return Err(loading("the pg backend needs conn_str".into()));
            };
            let mut pg = PgSettings::new(conn_str.clone());
            if let Some(schema) = settings.get("schema_name") {
                pg.schema_name = schema.clone();
            }
            Box::new(
                PgStore::new(pg, workspace)
                    .map_err(|e| loading(e.to_string()))?
                    .with_encryption(place.encryption.clone()),
            )
        }
    };
    store.read().map_err(|e| loading(e.to_string()))
}

/// The local backend's state file of a workspace.
fn local_path(
    settings: &BTreeMap<String, String>,
    workspace: &str,
    dir: &Path,
) -> std::path::PathBuf {
    let setting = |key: &str| settings.get(key).map(String::as_str);
    LocalWorkspaces::new(dir, setting("path"), setting("workspace_dir")).state_path(workspace)
}

fn root_outputs(state: &State) -> BTreeMap<String, Value> {
    state
        .outputs
        .iter()
        .map(|(name, output)| {
            let value = type_from_json(&output.ty)
                .ok()
                .and_then(|ty| output.value.decode(&ty).ok())
                .unwrap_or(Value::Null);
            (name.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(backend: &str, settings: &[(&str, &str)]) -> Value {
        let settings = settings
            .iter()
            .map(|(k, v)| (k.to_string(), Value::string(*v)))
            .collect();
        Value::Object(BTreeMap::from([
            ("backend".to_string(), Value::string(backend)),
            ("config".to_string(), Value::Object(settings)),
            ("defaults".to_string(), Value::Null),
            ("outputs".to_string(), Value::Null),
            ("workspace".to_string(), Value::Null),
        ]))
    }

    #[test]
    fn encryption_keys_are_named_as_opentofu_names_them() {
        let key = |text: &str| encryption_key(&crate::test_support::instance_addr(text));
        assert_eq!(key("data.terraform_remote_state.foo"), "foo");
        assert_eq!(key("data.terraform_remote_state.foo[4]"), "foo[4]");
        assert_eq!(
            key("module.submod[1].data.terraform_remote_state.bar"),
            "submod[1].bar"
        );
        assert_eq!(
            key("module.a.module.b.data.terraform_remote_state.c"),
            "a.module.b.c"
        );
    }

    #[test]
    fn reads_the_outputs_of_a_local_state() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("other.tfstate"),
            r#"{"version":4,"terraform_version":"1.15.5","serial":1,"lineage":"l",
                "outputs":{"region":{"value":"eu","type":"string"}},"resources":[]}"#,
        )
        .unwrap();
        let read = read(
            &config("local", &[("path", "other.tfstate")]),
            dir.path(),
            None,
        );
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let outputs = read.new_state.get_attr("outputs").unwrap();
        assert_eq!(outputs.get_attr("region"), Some(&Value::string("eu")));
    }

    #[test]
    fn a_missing_state_and_other_backends_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let read = read(
            &config("local", &[("path", "none.tfstate")]),
            dir.path(),
            None,
        );
        assert_eq!(read.diagnostics[0].summary, "Unable to find remote state");
        let s3 = validate(&config("s3", &[]));
        assert!(s3[0].detail.contains("\"s3\" is not supported"), "{s3:?}");
    }
}
