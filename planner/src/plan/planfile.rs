//! The saved plan file written by `plan -out` and read by `apply PLANFILE` / `show PLANFILE`.
//!
//! A versioned JSON document of its own: the configuration sources (so apply re-evaluates
//! exactly what was planned), the variables, the mode, the lineage and serial of the state
//! it was made against, and every change with its prior, planned and configuration values.
//! Values use a tagged encoding (`{"t":"unknown"}`, `{"t":"string","v":"..."}`) that keeps
//! unknowns, sets, maps and tuples apart; provider private data is base64.

use crate::plan::checks::CheckResult;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use tenantform_proto::value::{AttributePath, Number, PathStep, Value};

use crate::addrs::{AddrParseError, InstanceAddr};
use crate::plan::shapes::{CollectionKind, UnknownCollection};
use crate::plan::{
    Action, ActionReason, Importing, OutputChange, Plan, PlanMode, RelevantAttribute,
    ResourceChange,
};

/// The `kind` every plan file carries, to tell it from other JSON documents.
pub(crate) const KIND: &str = "tenantform-plan";
/// The only plan file format this build reads and writes. Version 2 added the deposed key
/// of a change: a version 1 reader would take a deposed object's deletion for the current
/// object's, so other versions are refused rather than read. Version 3 added the previous
/// address of a moved instance, the `Forget` action and the import of a change, which an
/// older reader would apply at the wrong address, not at all, or skip.
pub(crate) const FORMAT_VERSION: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub(crate) enum PlanFileError {
    #[error("failed to read the plan file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("failed to write the plan file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a tenantform plan file")]
    NotAPlan { path: String },
    #[error(
        "the plan file {path} has format version {found}, but this version of tenantform \
         reads only version {FORMAT_VERSION}; create the plan again with this version"
    )]
    Version { path: String, found: u64 },
    #[error("could not {action} the plan file {path}: {detail}")]
    Encryption {
        action: &'static str,
        path: String,
        detail: String,
    },
    #[error("the plan file {path} is damaged: {detail}")]
    Corrupt { path: String, detail: String },
    #[error(
        "the plan cannot be saved to {path}: it holds values nested more deeply than a plan \
         file can hold ({MAX_JSON_DEPTH} levels of JSON); apply without saving the plan"
    )]
    TooDeep { path: String },
}

/// The deepest nesting of JSON arrays and objects a plan file may have. A value takes two
/// levels per level of nesting in the tagged encoding, so this holds values nested some 250
/// levels deep; the limit keeps reading (which recurses) within the stack, and writing
/// checks it, so that a plan file always reads back what was written.
pub(crate) const MAX_JSON_DEPTH: usize = 512;

/// The deepest nesting of arrays and objects in JSON text, skipping strings; scanned
/// without recursion, so that any input is safe to measure.
fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Parses JSON text of at most [`MAX_JSON_DEPTH`] levels, beyond serde_json's default
/// recursion limit of 128.
fn parse_json(bytes: &[u8]) -> Option<serde_json::Value> {
    if json_depth(bytes) > MAX_JSON_DEPTH {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    deserializer.disable_recursion_limit();
    let document = serde::Deserialize::deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(document)
}

/// A saved plan and the configuration it was made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PlanFile {
    pub kind: String,
    pub format_version: u32,
    /// The version of tenantform that wrote the file.
    pub tenantform_version: String,
    /// Configuration source text by file name.
    pub sources: BTreeMap<String, String>,
    pub variables: BTreeMap<String, EncodedValue>,
    pub mode: PlanMode,
    pub prior_lineage: String,
    pub prior_serial: u64,
    pub changes: Vec<EncodedChange>,
    /// What the refresh found changed outside of tenantform (`Plan::drift`).
    #[serde(default)]
    pub drift: Vec<EncodedChange>,
    /// The resource attributes the changes refer to (`Plan::relevant_attributes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relevant_attributes: Vec<EncodedRelevantAttribute>,
    pub outputs: Vec<EncodedOutput>,
    /// Made with `-target` or `-exclude`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub targeted: bool,
    /// The workspace the plan was made in (`default` in files that predate the record).
    #[serde(default = "default_workspace")]
    pub workspace: String,
    /// The variables a source set when planning (defaults aside), as Terraform records them:
    /// applying the plan refuses a different value for these and any value for the others.
    /// `None` in files that predate the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_variables: Option<BTreeSet<String>>,
    /// The stored instances a targeted plan leaves out (part of its prior state).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untouched: Vec<EncodedChange>,
    /// When planning started (`Plan::timestamp`), for `plantimestamp()` while applying.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timestamp: String,
    /// The results of the conditions the plan evaluated (`Plan::checks`); files that predate
    /// the record have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckResult>,
    /// Digests of the stored objects of the instances the plan changes, by address, as they
    /// were when planning: a per-tenant apply checks these instead of the serial, which
    /// other tenants' applies move. `None` in files that predate the record, and for plans
    /// that need the whole state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_objects: Option<BTreeMap<String, String>>,

    /// The plan's scope (`-scope=changed`, `-sweep=K/N`); tenantform extensions that an
    /// older reader ignores, which then applies the plan only to the exact state it was made
    /// against, as before.
    #[serde(
        default,
        skip_serializing_if = "crate::plan::scope::EncodedScope::is_empty"
    )]
    pub scope: crate::plan::scope::EncodedScope,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EncodedChange {
    pub address: String,
    /// The instance's address in the prior state, when a `moved` block moved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// The deposed object's key, for a change to a deposed object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    pub provider: String,
    pub provider_local_name: String,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<ActionReason>,
    pub prior: EncodedValue,
    pub planned: EncodedValue,
    pub config: EncodedValue,
    /// Base64.
    pub prior_private: String,
    /// Base64.
    pub planned_private: String,
    pub requires_replace: Vec<Vec<EncodedStep>>,
    pub sensitive_paths: Vec<Vec<EncodedStep>>,
    /// Where `planned` holds unknown collections, and of which kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown_collections: Vec<EncodedCollection>,
    pub dependencies: Vec<String>,
    pub schema_version: i64,
    /// The id an `import` block imports the prior object with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importing: Option<String>,
    /// Configuration generated by `plan -generate-config-out` for this instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_config: Option<String>,
}

/// A relevant attribute: the resource instance's address and the attribute's path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EncodedRelevantAttribute {
    pub resource: String,
    pub attribute: Vec<EncodedStep>,
}

/// An unknown collection of a planned object: its path and kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EncodedCollection {
    pub path: Vec<EncodedStep>,
    pub kind: CollectionKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EncodedOutput {
    pub name: String,
    pub action: Action,
    pub before: EncodedValue,
    pub after: EncodedValue,
    pub sensitive: bool,
}

/// A [`Value`] with its kind spelled out, so unknowns and collection kinds survive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub(crate) enum EncodedValue {
    Null,
    Unknown,
    Bool(bool),
    Int(i64),
    /// A non-integral number with every digit, as Terraform writes it (`1.5`, `0.3`, `+Inf`).
    Float(String),
    String(String),
    List(Vec<EncodedValue>),
    Set(Vec<EncodedValue>),
    Map(BTreeMap<String, EncodedValue>),
    Object(BTreeMap<String, EncodedValue>),
    Tuple(Vec<EncodedValue>),
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EncodedStep {
    Attr(String),
    Key(String),
    Index(i64),
}

impl EncodedValue {
    pub(crate) fn encode(value: &Value) -> EncodedValue {
        let list = |items: &[Value]| items.iter().map(EncodedValue::encode).collect();
        let entries = |map: &BTreeMap<String, Value>| {
            map.iter()
                .map(|(k, v)| (k.clone(), EncodedValue::encode(v)))
                .collect()
        };
        match value {
            Value::Null => EncodedValue::Null,
            Value::Unknown => EncodedValue::Unknown,
            Value::Bool(b) => EncodedValue::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => EncodedValue::Int(i),
                None => EncodedValue::Float(n.to_string()),
            },
            Value::String(s) => EncodedValue::String(s.clone()),
            Value::List(items) => EncodedValue::List(list(items)),
            Value::Set(items) => EncodedValue::Set(list(items)),
            Value::Tuple(items) => EncodedValue::Tuple(list(items)),
            Value::Map(map) => EncodedValue::Map(entries(map)),
            Value::Object(map) => EncodedValue::Object(entries(map)),
        }
    }

    pub(crate) fn decode(&self) -> Result<Value, String> {
        let list = |items: &[EncodedValue]| {
            items
                .iter()
                .map(EncodedValue::decode)
                .collect::<Result<Vec<_>, String>>()
        };
        let entries = |map: &BTreeMap<String, EncodedValue>| {
            map.iter()
                .map(|(k, v)| Ok((k.clone(), v.decode()?)))
                .collect::<Result<BTreeMap<_, _>, String>>()
        };
        Ok(match self {
            EncodedValue::Null => Value::Null,
            EncodedValue::Unknown => Value::Unknown,
            EncodedValue::Bool(b) => Value::Bool(*b),
            EncodedValue::Int(i) => Value::Number(Number::Int(*i)),
            EncodedValue::Float(text) => Value::Number(
                Number::parse_decimal(text).ok_or_else(|| format!("invalid number {text:?}"))?,
            ),
            EncodedValue::String(s) => Value::String(s.clone()),
            EncodedValue::List(items) => Value::List(list(items)?),
            EncodedValue::Set(items) => Value::Set(list(items)?),
            EncodedValue::Tuple(items) => Value::Tuple(list(items)?),
            EncodedValue::Map(map) => Value::Map(entries(map)?),
            EncodedValue::Object(map) => Value::Object(entries(map)?),
        })
    }
}

fn encode_path(path: &AttributePath) -> Vec<EncodedStep> {
    path.0
        .iter()
        .map(|step| match step {
            PathStep::Attribute(name) => EncodedStep::Attr(name.clone()),
            PathStep::StringKey(key) => EncodedStep::Key(key.clone()),
            PathStep::IntKey(index) => EncodedStep::Index(*index),
        })
        .collect()
}

fn decode_path(steps: &[EncodedStep]) -> AttributePath {
    AttributePath(
        steps
            .iter()
            .map(|step| match step {
                EncodedStep::Attr(name) => PathStep::Attribute(name.clone()),
                EncodedStep::Key(key) => PathStep::StringKey(key.clone()),
                EncodedStep::Index(index) => PathStep::IntKey(*index),
            })
            .collect(),
    )
}

impl PlanFile {
    /// Captures `plan` with the configuration sources it was made from.
    pub(crate) fn new(plan: &Plan, sources: BTreeMap<String, String>) -> PlanFile {
        PlanFile {
            kind: KIND.to_string(),
            format_version: FORMAT_VERSION,
            tenantform_version: env!("CARGO_PKG_VERSION").to_string(),
            sources,
            variables: plan
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), EncodedValue::encode(v)))
                .collect(),
            mode: plan.mode,
            prior_lineage: plan.prior_lineage.clone(),
            prior_serial: plan.prior_serial,
            changes: plan.changes.iter().map(encode_change).collect(),
            drift: plan.drift.iter().map(encode_change).collect(),
            relevant_attributes: plan
                .relevant_attributes
                .iter()
                .map(|r| EncodedRelevantAttribute {
                    resource: r.resource.to_string(),
                    attribute: encode_path(&r.attribute),
                })
                .collect(),
            outputs: plan
                .outputs
                .iter()
                .map(|o| EncodedOutput {
                    name: o.name.clone(),
                    action: o.action,
                    before: EncodedValue::encode(&o.before),
                    after: EncodedValue::encode(&o.after),
                    sensitive: o.sensitive,
                })
                .collect(),
            targeted: plan.targeted,
            workspace: plan.workspace.clone(),
            set_variables: None,
            untouched: plan.untouched.iter().map(encode_change).collect(),
            timestamp: plan.timestamp.clone(),
            checks: plan.checks.clone(),
            scope_objects: None,

            scope: crate::plan::scope::EncodedScope::encode(&plan.scope),
        }
    }

    /// Rebuilds the plan (without warnings, which are not saved). `path` names the file in
    /// errors.
    pub(crate) fn to_plan(&self, path: &str) -> Result<Plan, PlanFileError> {
        let corrupt = |detail: String| PlanFileError::Corrupt {
            path: path.to_string(),
            detail,
        };
        let value = |v: &EncodedValue| v.decode().map_err(&corrupt);
        let mut variables = BTreeMap::new();
        for (name, v) in &self.variables {
            variables.insert(name.clone(), value(v)?);
        }
        let changes = decode_changes(&self.changes, path)?;
        let drift = decode_changes(&self.drift, path)?;
        let relevant_attributes = self
            .relevant_attributes
            .iter()
            .map(|r| {
                let resource = r.resource.parse().map_err(|e: AddrParseError| {
                    corrupt(format!("relevant attribute of {}: {e}", r.resource))
                })?;
                Ok(RelevantAttribute {
                    resource,
                    attribute: decode_path(&r.attribute),
                })
            })
            .collect::<Result<Vec<_>, PlanFileError>>()?;
        let untouched = decode_changes(&self.untouched, path)?;
        let mut outputs = Vec::with_capacity(self.outputs.len());
        for o in &self.outputs {
            outputs.push(OutputChange {
                name: o.name.clone(),
                action: o.action,
                before: value(&o.before)?,
                after: value(&o.after)?,
                sensitive: o.sensitive,
            });
        }
        Ok(Plan {
            mode: self.mode,
            changes,
            drift,
            relevant_attributes,
            outputs,
            variables,
            prior_lineage: self.prior_lineage.clone(),
            prior_serial: self.prior_serial,
            warnings: Default::default(),
            targeted: self.targeted,
            workspace: self.workspace.clone(),
            untouched,
            timestamp: self.timestamp.clone(),
            checks: self.checks.clone(),
            scope: self.scope.decode().map_err(corrupt)?,
        })
    }

    /// Parses a plan file's bytes, refusing other documents and other format versions.
    pub(crate) fn from_bytes(bytes: &[u8], path: &str) -> Result<PlanFile, PlanFileError> {
        let not_a_plan = || PlanFileError::NotAPlan {
            path: path.to_string(),
        };
        let document = parse_json(bytes).ok_or_else(not_a_plan)?;
        if document.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            return Err(not_a_plan());
        }
        let found = document
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if found != u64::from(FORMAT_VERSION) {
            return Err(PlanFileError::Version {
                path: path.to_string(),
                found,
            });
        }
        serde_json::from_value(document).map_err(|e| PlanFileError::Corrupt {
            path: path.to_string(),
            detail: e.to_string(),
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub(crate) fn read(path: &Path) -> Result<PlanFile, PlanFileError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| PlanFileError::Read {
            path: shown.clone(),
            source,
        })?;
        let plain = plan_encryption()
            .and_then(|target| {
                crate::encryption::open(target.as_deref(), &bytes, "plan")
                    .map(|opened| opened.plain)
            })
            .map_err(|detail| PlanFileError::Encryption {
                action: "read",
                path: shown.clone(),
                detail,
            })?;
        PlanFile::from_bytes(&plain, &shown)
    }

    /// Writes the file atomically: a temporary file beside it, flushed, then renamed.
    pub(crate) fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        let shown = path.display().to_string();
        let fail = |source| PlanFileError::Write {
            path: shown.clone(),
            source,
        };
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let temp = dir.join(format!(
            ".{}.tmp",
            file_name.unwrap_or_else(|| "plan".into())
        ));
        let bytes = self.to_bytes();
        if json_depth(&bytes) > MAX_JSON_DEPTH {
            return Err(PlanFileError::TooDeep {
                path: shown.clone(),
            });
        }
        let sealed = plan_encryption()
            .and_then(|target| crate::encryption::seal(target.as_deref(), &bytes, None))
            .map_err(|detail| PlanFileError::Encryption {
                action: "encrypt",
                path: shown.clone(),
                detail,
            })?;
        let mut file = std::fs::File::create(&temp).map_err(fail)?;
        file.write_all(&sealed).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&temp, path).map_err(fail)
    }
}

/// The `plan` target of `TF_ENCRYPTION`, if any; an invalid variable is the error.
fn plan_encryption() -> Result<Option<std::sync::Arc<crate::encryption::TargetEncryption>>, String>
{
    crate::encryption::configured()
        .map(|encryption| encryption.plan())
        .map_err(|err| err.to_string())
}

/// Rebuilds one resource change; `path` names the plan file in errors.
fn decode_change(c: &EncodedChange, path: &str) -> Result<ResourceChange, PlanFileError> {
    let corrupt = |detail: String| PlanFileError::Corrupt {
        path: path.to_string(),
        detail,
    };
    let value = |v: &EncodedValue| v.decode().map_err(&corrupt);
    let addr: InstanceAddr = c.address.parse().map_err(|e| corrupt(format!("{e}")))?;
    let private = |text: &str| {
        BASE64
            .decode(text)
            .map_err(|e| corrupt(format!("{}: private data: {e}", c.address)))
    };
    let previous_address = match &c.previous_address {
        Some(text) => Some(text.parse().map_err(|e| corrupt(format!("{e}")))?),
        None => None,
    };
    let prior = Arc::new(value(&c.prior)?);
    let planned = match value(&c.planned)? {
        // An unchanged object is held once, as the plan held it.
        planned if planned == *prior => Arc::clone(&prior),
        planned => Arc::new(planned),
    };
    Ok(ResourceChange {
        addr,
        previous_address,
        deposed: c.deposed.clone(),
        provider: c.provider.clone(),
        provider_local_name: c.provider_local_name.clone(),
        action: c.action,
        action_reason: c.action_reason,
        prior,
        planned,
        config: value(&c.config)?,
        prior_private: private(&c.prior_private)?,
        planned_private: private(&c.planned_private)?,
        requires_replace: c.requires_replace.iter().map(|p| decode_path(p)).collect(),
        sensitive_paths: c.sensitive_paths.iter().map(|p| decode_path(p)).collect(),
        unknown_collections: c
            .unknown_collections
            .iter()
            .map(decode_collection)
            .collect(),
        dependencies: c.dependencies.clone(),
        schema_version: c.schema_version,
        importing: c.importing.clone().map(|id| Importing { id }),
        generated_config: c.generated_config.clone(),
    })
}

fn encode_change(c: &ResourceChange) -> EncodedChange {
    EncodedChange {
        address: c.addr.to_string(),
        previous_address: c.previous_address.as_ref().map(ToString::to_string),
        deposed: c.deposed.clone(),
        provider: c.provider.clone(),
        provider_local_name: c.provider_local_name.clone(),
        action: c.action,
        action_reason: c.action_reason,
        prior: EncodedValue::encode(&c.prior),
        planned: EncodedValue::encode(&c.planned),
        config: EncodedValue::encode(&c.config),
        prior_private: BASE64.encode(&c.prior_private),
        planned_private: BASE64.encode(&c.planned_private),
        requires_replace: c.requires_replace.iter().map(encode_path).collect(),
        sensitive_paths: c.sensitive_paths.iter().map(encode_path).collect(),
        unknown_collections: c
            .unknown_collections
            .iter()
            .map(encode_collection)
            .collect(),
        dependencies: c.dependencies.clone(),
        schema_version: c.schema_version,
        importing: c.importing.as_ref().map(|i| i.id.clone()),
        generated_config: c.generated_config.clone(),
    }
}

/// Every change of `changes`, read from the plan file at `path`.
fn decode_changes(
    changes: &[EncodedChange],
    path: &str,
) -> Result<Vec<ResourceChange>, PlanFileError> {
    changes.iter().map(|c| decode_change(c, path)).collect()
}

fn encode_collection(collection: &UnknownCollection) -> EncodedCollection {
    EncodedCollection {
        path: encode_path(&collection.path),
        kind: collection.kind,
    }
}

fn decode_collection(collection: &EncodedCollection) -> UnknownCollection {
    UnknownCollection {
        path: decode_path(&collection.path),
        kind: collection.kind,
    }
}

/// The workspace of plan files written before plans recorded theirs.
fn default_workspace() -> String {
    crate::state::DEFAULT_WORKSPACE.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{obj, resource_change};

    /// A planned object with every kind of value, unknowns and nulls inside.
    fn sample_object() -> Value {
        obj(&[
            ("id", Value::Unknown),
            ("slug", Value::string("acme")),
            ("quota", Value::Number(Number::Float(1.5))),
            ("count", Value::Number(Number::Int(3))),
            ("on", Value::Bool(true)),
            (
                "labels",
                Value::Map(BTreeMap::from([("t".into(), Value::Null)])),
            ),
            (
                "scopes",
                Value::Set(vec![Value::string("read"), Value::Unknown]),
            ),
            (
                "ips",
                Value::List(vec![Value::string("{\"t\":\"unknown\"}")]),
            ),
            ("pair", Value::Tuple(vec![Value::Null, Value::Unknown])),
        ])
    }

    /// A change with every field set.
    fn sample_change() -> ResourceChange {
        ResourceChange {
            previous_address: Some("tenant.old".parse().unwrap()),
            deposed: Some("1a2b3c4d".into()),
            action_reason: Some(ActionReason::ReplaceBecauseCannotUpdate),
            planned_private: vec![0, 159, 146, 150],
            requires_replace: vec![AttributePath::attr("labels").then_key("t").then_index(2)],
            sensitive_paths: vec![AttributePath::attr("secret")],
            unknown_collections: vec![UnknownCollection {
                path: AttributePath::attr("ids"),
                kind: CollectionKind::Sequence,
            }],
            dependencies: vec!["tenant.other".into()],
            schema_version: 2,
            importing: Some(Importing { id: "acme".into() }),
            generated_config: Some("resource \"tenant\" \"this\" {}\n".into()),
            ..resource_change(
                "module.t[\"acme\"].tenant.this",
                Action::DeleteThenCreate,
                Value::Null,
                sample_object(),
            )
        }
    }

    fn sample_relevant_attributes() -> Vec<RelevantAttribute> {
        vec![
            RelevantAttribute {
                resource: "module.t[\"acme\"].tenant.this".parse().unwrap(),
                attribute: AttributePath::attr("labels").then_key("t"),
            },
            RelevantAttribute {
                resource: "tenant.other".parse().unwrap(),
                attribute: AttributePath::default(),
            },
        ]
    }

    fn sample_plan() -> Plan {
        Plan {
            mode: PlanMode::Normal,
            changes: vec![sample_change()],
            drift: vec![resource_change(
                "tenant.gone",
                Action::Delete,
                Value::string("stored"),
                Value::Null,
            )],
            relevant_attributes: sample_relevant_attributes(),
            outputs: vec![OutputChange {
                name: "id".into(),
                action: Action::Create,
                before: Value::Null,
                after: Value::Unknown,
                sensitive: true,
            }],
            variables: BTreeMap::from([("region".to_string(), Value::string("eu"))]),
            prior_lineage: "abc".into(),
            prior_serial: 7,
            warnings: Default::default(),
            targeted: false,
            untouched: Vec::new(),
            timestamp: "2026-01-02T03:04:05Z".into(),
            workspace: "staging".into(),
            checks: vec![crate::plan::checks::CheckResult::passed_variable("region")],
            scope: Default::default(),
        }
    }

    /// Asserts that `a` and `b` agree in each of the named fields.
    macro_rules! assert_fields_eq {
        ($a:expr, $b:expr; $($field:ident),+ $(,)?) => {
            $(assert_eq!($a.$field, $b.$field, stringify!($field));)+
        };
    }

    fn assert_same(a: &Plan, b: &Plan) {
        assert_fields_eq!(a, b; mode, timestamp, workspace, variables, prior_lineage, prior_serial, checks);
        assert_eq!(a.changes.len(), b.changes.len());
        assert_eq!(a.drift.len(), b.drift.len());
        assert_eq!(a.relevant_attributes, b.relevant_attributes);
        for (x, y) in a
            .changes
            .iter()
            .zip(&b.changes)
            .chain(a.drift.iter().zip(&b.drift))
        {
            assert_fields_eq!(
                x, y;
                previous_address, addr, deposed, provider, provider_local_name, action,
                action_reason, prior, planned, config, prior_private, planned_private,
                requires_replace, sensitive_paths, unknown_collections, dependencies,
                schema_version, importing, generated_config,
            );
        }
        assert_eq!(a.outputs.len(), b.outputs.len());
        for (x, y) in a.outputs.iter().zip(&b.outputs) {
            assert_fields_eq!(x, y; name, action, sensitive, before, after);
        }
    }

    #[test]
    fn plans_round_trip_through_bytes() {
        let plan = sample_plan();
        let sources = BTreeMap::from([(
            "main.tf".to_string(),
            "resource \"tenant\" \"a\" {}\n".into(),
        )]);
        let bytes = PlanFile::new(&plan, sources.clone()).to_bytes();
        let file = PlanFile::from_bytes(&bytes, "p").unwrap();
        assert_eq!(file.sources, sources);
        assert_same(&plan, &file.to_plan("p").unwrap());
    }

    #[test]
    fn unknown_is_distinct_from_a_string_that_looks_like_its_encoding() {
        let text =
            serde_json::to_string(&EncodedValue::encode(&Value::string("{\"t\":\"unknown\"}")))
                .unwrap();
        let back: EncodedValue = serde_json::from_str(&text).unwrap();
        assert_eq!(back.decode().unwrap(), Value::string("{\"t\":\"unknown\"}"));
        let unknown = serde_json::to_string(&EncodedValue::encode(&Value::Unknown)).unwrap();
        assert_eq!(unknown, r#"{"t":"unknown"}"#);
    }

    /// A list nested `levels` deep around a string.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(Value::string("core"), |inner, _| Value::List(vec![inner]))
    }

    /// Writes the sample plan with a variable `deep` nested `levels` deep to `tf.plan` in
    /// `dir`: the file's path and how writing went.
    fn write_deep_plan(
        dir: &std::path::Path,
        levels: usize,
    ) -> (std::path::PathBuf, Result<(), PlanFileError>) {
        let path = dir.join("tf.plan");
        let mut plan = sample_plan();
        plan.variables.insert("deep".into(), nested(levels));
        let written = PlanFile::new(&plan, BTreeMap::new()).write(&path);
        (path, written)
    }

    #[test]
    fn deeply_nested_values_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (path, written) = write_deep_plan(dir.path(), MAX_JSON_DEPTH / 2 - 4);
        written.unwrap();
        let read = PlanFile::read(&path).unwrap().to_plan("tf.plan").unwrap();
        assert_eq!(read.variables["deep"], nested(MAX_JSON_DEPTH / 2 - 4));
    }

    #[test]
    fn values_too_deep_for_a_plan_file_are_refused_when_writing() {
        let dir = tempfile::tempdir().unwrap();
        let (path, written) = write_deep_plan(dir.path(), MAX_JSON_DEPTH / 2);
        let err = written.unwrap_err();
        assert!(matches!(err, PlanFileError::TooDeep { .. }), "{err}");
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn documents_deeper_than_the_limit_are_refused_without_recursing() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = PlanFile::from_bytes(deep.as_bytes(), "p").unwrap_err();
        assert_eq!(err.to_string(), "p is not a tenantform plan file");
        assert_eq!(json_depth(br#"{"a":["[{\"", {"b":1}]}"#), 3);
    }

    #[test]
    fn files_round_trip_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tf.plan");
        let plan = sample_plan();
        PlanFile::new(&plan, BTreeMap::new()).write(&path).unwrap();
        let read = PlanFile::read(&path).unwrap();
        assert_same(&plan, &read.to_plan("tf.plan").unwrap());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temporary file left"
        );
    }

    #[test]
    fn other_documents_and_versions_are_refused() {
        let err = PlanFile::from_bytes(b"PK\x03\x04zip", "tf.plan").unwrap_err();
        assert_eq!(err.to_string(), "tf.plan is not a tenantform plan file");
        let err = PlanFile::from_bytes(br#"{"version":4,"serial":1}"#, "s").unwrap_err();
        assert!(matches!(err, PlanFileError::NotAPlan { .. }));
        let mut doc = serde_json::to_value(PlanFile::new(&sample_plan(), BTreeMap::new())).unwrap();
        doc["format_version"] = 99.into();
        let err = PlanFile::from_bytes(&serde_json::to_vec(&doc).unwrap(), "p").unwrap_err();
        assert!(
            matches!(err, PlanFileError::Version { found: 99, .. }),
            "{err}"
        );
        doc["format_version"] = 2.into();
        let err = PlanFile::from_bytes(&serde_json::to_vec(&doc).unwrap(), "p").unwrap_err();
        assert!(err.to_string().contains("reads only version 3"), "{err}");
        doc["format_version"] = FORMAT_VERSION.into();
        doc["changes"][0]["address"] = "not an address".into();
        let file = PlanFile::from_bytes(&serde_json::to_vec(&doc).unwrap(), "p").unwrap();
        assert!(matches!(
            file.to_plan("p"),
            Err(PlanFileError::Corrupt { .. })
        ));
    }
}
