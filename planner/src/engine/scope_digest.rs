//! The digest of one resource instance's configuration for change-scoped planning: SHA-256
//! over a canonical encoding of everything that decides its plan besides its stored object:
//! the resource type, the provider (source address, version identity, the configuration it
//! was configured with), the evaluated configuration with its sensitive paths, the lifecycle
//! settings, the schema version and the recorded dependencies.
//!
//! The encoding is a tagged, length-prefixed byte stream (never text that two values could
//! share), so that two digests are equal only when all of these are. Plan and apply compute
//! it through this one function.

use sha2::{Digest, Sha256};
use tenantform_proto::value::{AttributePath, Value};

use crate::config::{IgnoreChanges, Lifecycle};

/// What one instance's digest covers.
pub(crate) struct DigestInputs<'a> {
    pub type_name: &'a str,
    pub provider_source: &'a str,
    pub provider_version: &'a str,
    pub provider_config: Option<&'a Value>,
    /// The evaluated configuration, wholly known.
    pub config: &'a Value,
    /// The paths of `config` the configuration marks sensitive, sorted.
    pub sensitive_paths: &'a [AttributePath],
    pub lifecycle: &'a Lifecycle,
    pub schema_version: i64,
    /// The resources it depends on, as the state records them.
    pub dependencies: &'a [String],
}

/// The hex SHA-256 digest of the inputs.
pub(crate) fn instance_digest(inputs: &DigestInputs<'_>) -> String {
    let mut hasher = Sha256::new();
    text(&mut hasher, "tenantform instance digest 1");
    text(&mut hasher, inputs.type_name);
    text(&mut hasher, inputs.provider_source);
    text(&mut hasher, inputs.provider_version);
    match inputs.provider_config {
        Some(config) => value(&mut hasher, config),
        None => hasher.update([0xff]),
    }
    value(&mut hasher, inputs.config);
    count(&mut hasher, inputs.sensitive_paths.len());
    for path in inputs.sensitive_paths {
        text(&mut hasher, &format!("{path:?}"));
    }
    lifecycle(&mut hasher, inputs.lifecycle);
    text(&mut hasher, &inputs.schema_version.to_string());
    count(&mut hasher, inputs.dependencies.len());
    for dependency in inputs.dependencies {
        text(&mut hasher, dependency);
    }
    hex::encode(hasher.finalize())
}

fn count(hasher: &mut Sha256, n: usize) {
    hasher.update((n as u64).to_be_bytes());
}

/// Feeds one length-prefixed text into a digest.
pub(super) fn text(hasher: &mut Sha256, s: &str) {
    count(hasher, s.len());
    hasher.update(s.as_bytes());
}

/// The lifecycle settings that shape a plan (a resource with `replace_triggered_by` or
/// conditions is always planned, so they need no encoding).
fn lifecycle(hasher: &mut Sha256, rules: &Lifecycle) {
    hasher.update([
        u8::from(rules.create_before_destroy),
        u8::from(rules.prevent_destroy),
    ]);
    match &rules.ignore_changes {
        IgnoreChanges::All => hasher.update([1]),
        IgnoreChanges::Paths(paths) => {
            hasher.update([2]);
            count(hasher, paths.len());
            for path in paths {
                text(hasher, &format!("{path:?}"));
            }
        }
    }
}

/// A value, each kind with its own tag and every collection with its length (encoded
/// whole first: the hasher is fed once, not once per scalar).
pub(super) fn value(hasher: &mut Sha256, v: &Value) {
    let mut encoded = Vec::new();
    encode(&mut encoded, v);
    hasher.update(&encoded);
}

/// Appends the encoding [`value`] digests: the same bytes as feeding each part in turn.
fn encode(out: &mut Vec<u8>, v: &Value) {
    let text = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(&(s.len() as u64).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    let length = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&(n as u64).to_be_bytes());
    match v {
        Value::Null => out.push(0),
        Value::Unknown => out.push(1),
        Value::Bool(b) => out.extend_from_slice(&[2, u8::from(*b)]),
        Value::Number(n) => {
            out.push(3);
            text(out, &n.to_string());
        }
        Value::String(s) => {
            out.push(4);
            text(out, s);
        }
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push(match v {
                Value::List(_) => 5,
                Value::Set(_) => 6,
                _ => 7,
            });
            length(out, items.len());
            for item in items {
                encode(out, item);
            }
        }
        Value::Map(entries) | Value::Object(entries) => {
            out.push(if matches!(v, Value::Map(_)) { 8 } else { 9 });
            length(out, entries.len());
            for (key, item) in entries {
                text(out, key);
                encode(out, item);
            }
        }
    }
}

#[cfg(test)]
mod tests;
