//! Encryption at rest of what the state stores keep (`TF_ENCRYPTION`, see
//! [`crate::encryption`]): the state snapshot as OpenTofu's envelope with its `serial` and
//! `lineage` in clear, and each journal record as an envelope of its own on its line (the
//! journal's header, a lineage and a serial, stays in clear). Reading decrypts with the
//! target's method or a fallback; a payload read through a fallback (or unencrypted, during
//! a migration) is re-encrypted by the next write.

use std::borrow::Cow;
use std::sync::Arc;

use crate::encryption::{self, Status, TargetEncryption};

use super::StateError;

/// Which encryption target a store uses.
#[derive(Clone, Debug, Default)]
pub(crate) enum EncryptionChoice {
    /// The `state` target of `TF_ENCRYPTION` (the store of this configuration).
    #[default]
    State,
    /// The `remote_state_data_sources` target of the named `terraform_remote_state` instance
    /// (its `remote_state_data_source` block, else `default`).
    RemoteState(Option<String>),
    /// A given target (tests).
    #[cfg(test)]
    Fixed(Option<Arc<TargetEncryption>>),
}

impl EncryptionChoice {
    pub(super) fn target(&self) -> Result<Option<Arc<TargetEncryption>>, StateError> {
        let configured = || encryption::configured().map_err(StateError::EncryptionConfig);
        match self {
            EncryptionChoice::State => Ok(configured()?.state()),
            EncryptionChoice::RemoteState(name) => Ok(configured()?.remote_state(name.as_deref())),
            #[cfg(test)]
            EncryptionChoice::Fixed(target) => Ok(target.clone()),
        }
    }
}

/// The state file's plain bytes, and whether the next write must re-encrypt them.
pub(super) fn open_state<'a>(
    target: Option<&TargetEncryption>,
    bytes: &'a [u8],
    file: &str,
) -> Result<(Cow<'a, [u8]>, bool), StateError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((Cow::Borrowed(bytes), false));
    }
    let opened =
        encryption::open(target, bytes, "state").map_err(|detail| StateError::Encryption {
            action: "read",
            file: file.to_string(),
            detail,
        })?;
    if let Some(envelope) = &opened.envelope {
        check_clear_fields(envelope, &opened.plain, file)?;
    }
    Ok((opened.plain, opened.status == Status::Migration))
}

/// The serial and lineage kept in clear must be those inside, as OpenTofu checks.
fn check_clear_fields(
    envelope: &encryption::Envelope,
    plain: &[u8],
    file: &str,
) -> Result<(), StateError> {
    /// The fields of a state kept in clear beside its envelope.
    #[derive(serde::Deserialize)]
    struct ClearFields {
        serial: Option<u64>,
        lineage: Option<String>,
    }
    let inner: Option<ClearFields> = serde_json::from_slice(plain).ok();
    let serial = inner.as_ref().and_then(|fields| fields.serial);
    let lineage = inner.as_ref().and_then(|fields| fields.lineage.as_deref());
    let mismatch = |field: &str| StateError::Encryption {
        action: "read",
        file: file.to_string(),
        detail: format!("invalid state metadata, {field} field mismatch"),
    };
    if let (Some(outer), Some(inner)) = (envelope.serial, serial)
        && outer != inner
    {
        return Err(mismatch("serial"));
    }
    if let (Some(outer), Some(inner)) = (envelope.lineage.as_deref(), lineage)
        && !outer.is_empty()
        && outer != inner
    {
        return Err(mismatch("lineage"));
    }
    Ok(())
}

/// The bytes to store for a state's plain JSON.
pub(super) fn seal_state<'a>(
    target: Option<&TargetEncryption>,
    plain: &'a [u8],
    serial: u64,
    lineage: &str,
    file: &str,
) -> Result<Cow<'a, [u8]>, StateError> {
    encryption::seal(target, plain, Some((serial, lineage.to_string()))).map_err(|detail| {
        StateError::Encryption {
            action: "encrypt",
            file: file.to_string(),
            detail,
        }
    })
}

/// One journal line (with its newline) as stored.
pub(super) fn seal_journal_line(
    target: Option<&TargetEncryption>,
    line: &[u8],
    file: &str,
) -> Result<Vec<u8>, StateError> {
    let record = line.strip_suffix(b"\n").unwrap_or(line);
    let mut sealed = encryption::seal(target, record, None)
        .map_err(|detail| StateError::Encryption {
            action: "encrypt a record of",
            file: file.to_string(),
            detail,
        })?
        .into_owned();
    sealed.push(b'\n');
    Ok(sealed)
}

/// One stored journal record (without its newline) in plain.
pub(super) fn open_journal_line<'a>(
    target: Option<&TargetEncryption>,
    line: &'a [u8],
    file: &str,
    number: usize,
) -> Result<Cow<'a, [u8]>, StateError> {
    encryption::open(target, line, "state")
        .map(|opened| opened.plain)
        .map_err(|detail| StateError::Encryption {
            action: "read",
            file: format!("{file} (line {number})"),
            detail,
        })
}

#[cfg(test)]
mod tests;
