//! The instance record of change-scoped planning (`plan -scope=changed`, a tenantform
//! extension): for the state a successful apply wrote (its lineage and serial), the digest of
//! every resource instance's configuration as that apply left it, and the version of every
//! provider it used. Terraform's state format has no room for it, so each store keeps it
//! beside the state: a local state in the sidecar `terraform.tfstate.scope`, the `pg` backend
//! in the table `tenantform_scope` beside `states`.
//!
//! The record is only ever trusted whole: a record of another lineage or serial, another
//! program version or other provider versions says nothing (the planner then plans in full),
//! so a state changed by anything else (Terraform, `state rm`, `state push`, an apply that
//! wrote no record) can never be read through a stale record.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The format version of the record.
pub(crate) const SCOPE_RECORD_FORMAT: u32 = 1;

/// What the last successful apply recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScopeRecord {
    pub format: u32,
    /// The lineage of the state the record describes.
    pub lineage: String,
    /// The serial of the state the apply wrote.
    pub serial: u64,
    /// The hex SHA-256 of that state's content (its serial left out), so that a state
    /// replaced under the same serial (`state push -force`, a hand edit) is told apart.
    #[serde(default)]
    pub state_sha256: String,
    /// The version of the program that wrote the record (the digests' encoding is its own).
    pub program_version: String,
    /// Each provider's version identity, by source address.
    pub providers: BTreeMap<String, String>,
    /// The hex SHA-256 digest of each resource instance's configuration, by address.
    pub instances: BTreeMap<String, String>,
    /// The input digest of each root module call instance (`module.NAME[KEY]`) whose
    /// instances are all recorded.
    #[serde(default)]
    pub modules: BTreeMap<String, String>,
    /// The outputs of each root module call instance in `modules`, as the apply evaluated
    /// them (each a plan file's typed value, by output name): what a change-scoped plan
    /// gives a module instance it leaves out whole instead of evaluating it. Only instances
    /// whose outputs were all known and none sensitive are kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub module_outputs: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// The hex SHA-256 of the state file's exact bytes as the apply wrote them, when the
    /// store keeps the state in a file (local, unencrypted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file_sha256: Option<String>,
    /// Set by the store that read the record (never stored): the state it last read is the
    /// very file `state_file_sha256` names, so that state's content is the one
    /// `state_sha256` describes without digesting it again.
    #[serde(skip)]
    pub state_file_matches: bool,
}

impl ScopeRecord {
    /// The record's stored form: compact JSON (a fleet's record is large and only ever
    /// read by the program) with a final newline.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Reads a stored record; `None` when it is not one of this format (it then counts as
    /// absent: the planner plans in full).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<ScopeRecord> {
        let record: ScopeRecord = serde_json::from_slice(bytes).ok()?;
        (record.format == SCOPE_RECORD_FORMAT).then_some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_another_format_or_damage_reads_as_absent() {
        let record = ScopeRecord {
            format: SCOPE_RECORD_FORMAT,
            lineage: "l".into(),
            serial: 7,
            state_sha256: "ab".into(),
            program_version: "0.1.0".into(),
            providers: BTreeMap::from([("p".into(), "v".into())]),
            instances: BTreeMap::from([("a.b".into(), "00".into())]),
            modules: BTreeMap::from([("module.t[\"a\"]".into(), "01".into())]),
            module_outputs: BTreeMap::from([(
                "module.t[\"a\"]".into(),
                BTreeMap::from([("id".into(), serde_json::json!({"t": "string", "v": "x"}))]),
            )]),
            state_file_sha256: Some("cd".into()),
            state_file_matches: false,
        };
        assert_eq!(
            ScopeRecord::from_bytes(&record.to_bytes()),
            Some(record.clone())
        );
        let other = ScopeRecord {
            format: SCOPE_RECORD_FORMAT + 1,
            ..record.clone()
        };
        assert_eq!(ScopeRecord::from_bytes(&other.to_bytes()), None);
        let bytes = record.to_bytes();
        assert_eq!(ScopeRecord::from_bytes(&bytes[..bytes.len() / 2]), None);
    }
}
