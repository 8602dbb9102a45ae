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

/// A value, each kind with its own tag and every collection with its length.
pub(super) fn value(hasher: &mut Sha256, v: &Value) {
    match v {
        Value::Null => hasher.update([0]),
        Value::Unknown => hasher.update([1]),
        Value::Bool(b) => hasher.update([2, u8::from(*b)]),
        Value::Number(n) => {
            hasher.update([3]);
            text(hasher, &n.to_string());
        }
        Value::String(s) => {
            hasher.update([4]);
            text(hasher, s);
        }
        Value::List(items) => sequence(hasher, 5, items),
        Value::Set(items) => sequence(hasher, 6, items),
        Value::Tuple(items) => sequence(hasher, 7, items),
        Value::Map(entries) => mapping(hasher, 8, entries),
        Value::Object(entries) => mapping(hasher, 9, entries),
    }
}

fn sequence(hasher: &mut Sha256, tag: u8, items: &[Value]) {
    hasher.update([tag]);
    count(hasher, items.len());
    for item in items {
        value(hasher, item);
    }
}

fn mapping(hasher: &mut Sha256, tag: u8, entries: &std::collections::BTreeMap<String, Value>) {
    hasher.update([tag]);
    count(hasher, entries.len());
    for (key, item) in entries {
        text(hasher, key);
        value(hasher, item);
    }
}

#[cfg(test)]
mod tests;
