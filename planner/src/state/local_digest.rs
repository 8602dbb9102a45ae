//! The digest sidecar of a local state file, `terraform.tfstate.digest`: what tenantform last
//! wrote to the state file (lineage, serial and a SHA-256 of the content), so that damage
//! which still parses (a changed value, a file truncated to nothing) is refused instead of
//! being read as the truth. Terraform's state format has no digest field, so the record lives
//! beside the file, never inside it, and Terraform keeps reading the file unchanged.
//!
//! Telling a legitimate write by another program from damage:
//! - another lineage, or a serial other than the recorded one: a write by Terraform (which
//!   raises the serial with every change) or a restored backup; accepted;
//! - the recorded lineage and serial with other content: Terraform never writes new content
//!   under the same serial, so the file is damaged; refused. The content digest leaves out
//!   the serial, `terraform_version` and `identity_schema_version: 0`, which Terraform
//!   rewrites or adds when it saves an unchanged state under the same serial;
//! - an empty file where a state was recorded: damaged (truncated); refused.
//!
//! The record also holds a SHA-256 of the file's exact bytes: a file whose bytes are the
//! written ones is not damaged, so its read skips the content digest (a re-encoding of the
//! whole state, the larger part of reading a fleet's state); other bytes are checked on
//! their content as above.
//!
//! A missing or unreadable sidecar checks nothing (it is only a record, rewritten on the next
//! write). An encrypted state file records no content digest: its authenticated encryption
//! refuses damage, and a digest of its plaintext beside it would let a guess be confirmed.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::local::write_atomically;
use super::{State, StateError, format_v4};

/// The format version of the sidecar.
const DIGEST_FORMAT: u32 = 1;

/// The sidecar's content.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct DigestRecord {
    format: u32,
    lineage: String,
    serial: u64,
    /// Hex SHA-256 of the state's content, serial and `terraform_version` left out; none
    /// for an encrypted state file, whose authenticated encryption already refuses damage and
    /// whose plaintext must leave no trace beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_sha256: Option<String>,
    /// Hex SHA-256 of the file's exact bytes as written (none for an encrypted state file):
    /// a file with these bytes is the one written, so reading it needs no content digest,
    /// which takes a re-encoding of the whole state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_sha256: Option<String>,
}

/// The hex SHA-256 of `state`'s content, its serial and `terraform_version` left out, and
/// the `identity_schema_version: 0` Terraform writes into every instance object it saves.
fn content_sha256(state: &State) -> String {
    let mut v4 = format_v4::to_v4(state);
    v4.serial = 0;
    v4.terraform_version = String::new();
    let zero = serde_json::json!(0);
    let written_by_terraform = v4
        .resources
        .iter()
        .flat_map(|r| &r.instances)
        .any(|i| i.unknown_fields.get("identity_schema_version") == Some(&zero));
    let digest = if written_by_terraform {
        sha256_without_identity_versions(&v4)
    } else {
        // Nothing to leave out: the document's bytes are hashed as they are encoded.
        super::json_digest::json_sha256(&v4)
    };
    hex::encode(digest)
}

/// The digest of `v4` with every instance's `identity_schema_version: 0` removed from its
/// JSON object (the entry's place taken by the object's last entry, as the digests recorded
/// so far were taken).
fn sha256_without_identity_versions(v4: &format_v4::StateV4<'_>) -> [u8; 32] {
    let mut document = serde_json::to_value(v4).unwrap_or_default();
    if let Some(resources) = document["resources"].as_array_mut() {
        for resource in resources {
            if let Some(instances) = resource["instances"].as_array_mut() {
                for instance in instances.iter_mut().filter_map(|i| i.as_object_mut()) {
                    if instance.get("identity_schema_version") == Some(&serde_json::json!(0)) {
                        instance.swap_remove("identity_schema_version");
                    }
                }
            }
        }
    }
    Sha256::digest(serde_json::to_vec(&document).unwrap_or_default()).into()
}

/// Records that the state file `file` now holds `written` (its plain bytes), `encrypted` or
/// not. The digest is taken of the state read back from those bytes, exactly as a later read
/// takes it, so that values the format writes in a form of its own (exact numbers) match.
pub(super) fn record(
    sidecar: &Path,
    written: &[u8],
    file: &str,
    encrypted: bool,
) -> Result<(), StateError> {
    let Ok(Some(state)) = format_v4::parse(written, file) else {
        // Nothing to compare a later read with: a stale record must not stay.
        return match std::fs::remove_file(sidecar) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(StateError::io("remove", sidecar, err))
            }
            _ => Ok(()),
        };
    };
    let record = DigestRecord {
        format: DIGEST_FORMAT,
        lineage: state.lineage.clone(),
        serial: state.serial,
        content_sha256: (!encrypted).then(|| content_sha256(&state)),
        file_sha256: (!encrypted).then(|| bytes_sha256(written)),
    };
    let mut bytes = serde_json::to_vec_pretty(&record).unwrap_or_default();
    bytes.push(b'\n');
    write_atomically(sidecar, &bytes)
}

/// Refuses the state file `file` (whose bytes are `bytes`, parsed as `parsed`) when the
/// sidecar shows it damaged. `bytes_sha256` is the hex SHA-256 of `bytes` when the caller
/// has it already (computed here when needed otherwise).
pub(super) fn check(
    sidecar: &Path,
    file: &str,
    bytes: Option<&[u8]>,
    bytes_sha256: Option<&str>,
    parsed: Option<&State>,
) -> Result<(), StateError> {
    let Some(record) = read_record(sidecar) else {
        return Ok(());
    };
    let damaged = |detail: String| StateError::Invalid {
        file: file.to_string(),
        detail: format!(
            "{detail}; tenantform recorded serial {} of lineage {} in {} when it last wrote \
             the file. The file is damaged: restore it (for example from its .backup file) \
             and run again",
            record.serial,
            record.lineage,
            sidecar.display()
        ),
    };
    match (bytes, parsed) {
        (Some(_), None) => Err(damaged("the file is empty".to_string())),
        (_, Some(state))
            if state.lineage == record.lineage
                && state.serial == record.serial
                && !record.holds_file(bytes, bytes_sha256)
                && record
                    .content_sha256
                    .as_ref()
                    .is_some_and(|recorded| *recorded != content_sha256(state)) =>
        {
            Err(damaged(format!(
                "its content does not match the digest recorded for serial {}",
                record.serial
            )))
        }
        _ => Ok(()),
    }
}

impl DigestRecord {
    /// Whether `bytes` (whose hex SHA-256 may be given) are exactly the file this record
    /// was written for.
    fn holds_file(&self, bytes: Option<&[u8]>, known_sha256: Option<&str>) -> bool {
        match (&self.file_sha256, bytes, known_sha256) {
            (Some(recorded), _, Some(known)) => recorded == known,
            (Some(recorded), Some(bytes), None) => *recorded == bytes_sha256(bytes),
            _ => false,
        }
    }
}

/// The hex SHA-256 of `bytes`.
pub(super) fn bytes_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The sidecar's record, `None` when it is missing or unreadable (with a warning).
fn read_record(sidecar: &Path) -> Option<DigestRecord> {
    let bytes = std::fs::read(sidecar).ok()?;
    match serde_json::from_slice::<DigestRecord>(&bytes) {
        Ok(record) if record.format == DIGEST_FORMAT => Some(record),
        Ok(record) => {
            tracing::warn!(
                "ignoring {}: digest format {} is not known",
                sidecar.display(),
                record.format
            );
            None
        }
        Err(error) => {
            tracing::warn!("ignoring the unreadable {}: {error}", sidecar.display());
            None
        }
    }
}

#[cfg(test)]
mod tests;
