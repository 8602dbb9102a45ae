//! The state journal, `terraform.tfstate.journal`: an append-only file of JSON lines beside the
//! state file that makes each completed instance change durable at a cost linear in the work.
//!
//! The first line is a header naming the state snapshot the journal applies to (its lineage
//! and serial); each further line sets or removes one instance's current object, or moves,
//! restores or removes one deposed object, or moves one instance's objects to another address
//! (records added without a format change: older
//! journals hold only `set` and `remove` lines and still read). A journal whose header names
//! an older snapshot than the state file is stale: the state file was written after it, from a
//! state that already held every recorded change, so it is ignored. A torn last line (a crash in
//! the middle of an append) is ignored with a warning; any other damage is an error.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    DeposedChange, InstanceState, JournalEntry, State, StateChange, StateError, encrypted,
};
use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode};
use crate::encryption::TargetEncryption;

/// The journal format version written in the header.
const JOURNAL_FORMAT: u32 = 1;

/// The first line of a journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Header {
    pub journal: u32,
    /// The lineage of the state snapshot the journal applies to; `None` when there was none.
    pub lineage: Option<String>,
    /// The serial of that snapshot (0 when there was none).
    pub base_serial: u64,
}

/// One journal line after the header.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Set {
        addr: AddrRecord,
        instance: Box<InstanceState>,
    },
    Remove {
        addr: AddrRecord,
    },
    /// The current object becomes the deposed object `deposed`.
    Depose {
        addr: AddrRecord,
        deposed: String,
    },
    /// The deposed object `deposed` becomes the current object again.
    Restore {
        addr: AddrRecord,
        deposed: String,
    },
    /// The deposed object `deposed` is gone.
    RemoveDeposed {
        addr: AddrRecord,
        deposed: String,
    },
    /// The instance's current and deposed objects moved to `to`.
    Move {
        from: AddrRecord,
        to: AddrRecord,
    },
}

impl Record {
    fn into_change(self) -> StateChange {
        match self {
            Record::Set { addr, instance } => StateChange::Instance(addr.into(), Some(instance)),
            Record::Remove { addr } => StateChange::Instance(addr.into(), None),
            Record::Depose { addr, deposed } => StateChange::Deposed(DeposedChange::Depose {
                addr: addr.into(),
                key: deposed,
            }),
            Record::Restore { addr, deposed } => StateChange::Deposed(DeposedChange::Restore {
                addr: addr.into(),
                key: deposed,
            }),
            Record::RemoveDeposed { addr, deposed } => {
                StateChange::Deposed(DeposedChange::Remove {
                    addr: addr.into(),
                    key: deposed,
                })
            }
            Record::Move { from, to } => StateChange::Moved {
                from: from.into(),
                to: to.into(),
            },
        }
    }
}

/// An instance address spelled out field by field, so that any key survives exactly.
#[derive(Debug, Serialize, Deserialize)]
struct AddrRecord {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    module: Vec<(String, KeyRecord)>,
    data: bool,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    key: KeyRecord,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum KeyRecord {
    None,
    Int(i64),
    Str(String),
}

impl From<&InstanceKey> for KeyRecord {
    fn from(key: &InstanceKey) -> KeyRecord {
        match key {
            InstanceKey::None => KeyRecord::None,
            InstanceKey::Int(i) => KeyRecord::Int(*i),
            InstanceKey::Str(s) => KeyRecord::Str(s.clone()),
        }
    }
}

impl From<KeyRecord> for InstanceKey {
    fn from(key: KeyRecord) -> InstanceKey {
        match key {
            KeyRecord::None => InstanceKey::None,
            KeyRecord::Int(i) => InstanceKey::Int(i),
            KeyRecord::Str(s) => InstanceKey::Str(s),
        }
    }
}

impl From<&InstanceAddr> for AddrRecord {
    fn from(addr: &InstanceAddr) -> AddrRecord {
        AddrRecord {
            module: addr
                .module
                .iter()
                .map(|step| (step.name.clone(), (&step.key).into()))
                .collect(),
            data: addr.resource.mode == ResourceMode::Data,
            type_name: addr.resource.type_name.clone(),
            name: addr.resource.name.clone(),
            key: (&addr.key).into(),
        }
    }
}

impl From<AddrRecord> for InstanceAddr {
    fn from(record: AddrRecord) -> InstanceAddr {
        InstanceAddr {
            module: record
                .module
                .into_iter()
                .map(|(name, key)| ModuleStep {
                    name,
                    key: key.into(),
                })
                .collect(),
            resource: ResourceAddr {
                mode: if record.data {
                    ResourceMode::Data
                } else {
                    ResourceMode::Managed
                },
                type_name: record.type_name,
                name: record.name,
            },
            key: record.key.into(),
        }
    }
}

impl Header {
    pub(super) fn for_snapshot(lineage: Option<&str>, serial: u64) -> Header {
        Header {
            journal: JOURNAL_FORMAT,
            lineage: lineage.map(str::to_string),
            base_serial: serial,
        }
    }

    /// True when the journal applies to the snapshot `state` (or to no snapshot at all).
    pub(super) fn applies_to(&self, state: Option<&State>) -> bool {
        match state {
            Some(state) => self.base_serial == state.serial,
            None => self.base_serial == 0,
        }
    }
}

/// One journal line (with its newline) for an entry.
pub(super) fn encode_entry(entry: JournalEntry<'_>) -> Vec<u8> {
    match entry {
        JournalEntry::Instance(addr, instance) => encode_change(addr, instance),
        JournalEntry::Deposed(change) => encode_deposed_change(change),
        JournalEntry::Moved { from, to } => encode_move(from, to),
    }
}

/// One journal line (with its newline) for a change.
fn encode_change(addr: &InstanceAddr, instance: Option<&InstanceState>) -> Vec<u8> {
    let addr = AddrRecord::from(addr);
    let record = match instance {
        Some(instance) => Record::Set {
            addr,
            instance: Box::new(instance.clone()),
        },
        None => Record::Remove { addr },
    };
    let mut line = serde_json::to_vec(&record).unwrap_or_default();
    line.push(b'\n');
    line
}

/// One journal line (with its newline) for a change to a deposed object.
fn encode_deposed_change(change: &DeposedChange) -> Vec<u8> {
    let addr = AddrRecord::from(change.addr());
    let deposed = change.key().to_string();
    let record = match change {
        DeposedChange::Depose { .. } => Record::Depose { addr, deposed },
        DeposedChange::Restore { .. } => Record::Restore { addr, deposed },
        DeposedChange::Remove { .. } => Record::RemoveDeposed { addr, deposed },
    };
    let mut line = serde_json::to_vec(&record).unwrap_or_default();
    line.push(b'\n');
    line
}

/// One journal line (with its newline) for an instance's move to another address.
fn encode_move(from: &InstanceAddr, to: &InstanceAddr) -> Vec<u8> {
    let record = Record::Move {
        from: from.into(),
        to: to.into(),
    };
    let mut line = serde_json::to_vec(&record).unwrap_or_default();
    line.push(b'\n');
    line
}

/// The header line (with its newline).
pub(super) fn encode_header(header: &Header) -> Vec<u8> {
    let mut line = serde_json::to_vec(header).unwrap_or_default();
    line.push(b'\n');
    line
}

/// A parsed journal.
pub(super) struct Journal {
    pub header: Header,
    pub changes: Vec<StateChange>,
    /// The length of the intact prefix: everything up to the last complete line.
    pub intact_len: usize,
}

/// Parses journal bytes; `None` when nothing was recorded. `file` names the journal in errors
/// and warnings; records are decrypted for `encryption` (see [`super::encrypted`]).
pub(super) fn parse(
    bytes: &[u8],
    file: &str,
    encryption: Option<&TargetEncryption>,
) -> Result<Option<Journal>, StateError> {
    let corrupt = |line: usize, detail: String| StateError::CorruptJournal {
        file: file.into(),
        line,
        detail,
    };
    let mut lines = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|at| start + at + 1);
        let (line, complete) = match end {
            Some(end) => (&bytes[start..end - 1], true),
            None => (&bytes[start..], false),
        };
        lines.push((line, complete, end.unwrap_or(bytes.len())));
        start = end.unwrap_or(bytes.len());
    }
    let mut intact_len = 0;
    let mut header = None;
    let mut changes = Vec::new();
    for (index, (line, complete, end)) in lines.iter().enumerate() {
        let number = index + 1;
        let parsed = if header.is_none() {
            serde_json::from_slice::<Header>(line)
                .map(|h| header = Some(h))
                .map_err(|err| corrupt(number, err.to_string()))
        } else {
            encrypted::open_journal_line(encryption, line, file, number).and_then(|line| {
                serde_json::from_slice::<Record>(&line)
                    .map(|record| changes.push(record.into_change()))
                    .map_err(|err| corrupt(number, err.to_string()))
            })
        };
        match parsed {
            Ok(()) => intact_len = *end,
            Err(err) if !complete => {
                tracing::warn!(
                    "ignoring the torn last line {number} of {file} (an interrupted write): {err}"
                );
                break;
            }
            Err(err) => return Err(err),
        }
    }
    let Some(header) = header else {
        // Empty, or a crash while the header itself was being written: nothing was recorded.
        return Ok(None);
    };
    if header.journal != JOURNAL_FORMAT {
        return Err(corrupt(
            1,
            format!("unsupported journal format {}", header.journal),
        ));
    }
    Ok(Some(Journal {
        header,
        changes,
        intact_len,
    }))
}

/// Opens `path` for appending after truncating it to `intact_len` (dropping a torn tail).
pub(super) fn open_for_append(path: &Path, intact_len: usize) -> Result<File, StateError> {
    let file = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|err| StateError::io("open the journal", path, err))?;
    file.set_len(intact_len as u64)
        .map_err(|err| StateError::io("truncate the torn end of the journal", path, err))?;
    Ok(file)
}

/// Creates (or replaces) the journal at `path` holding only `header`, durably.
pub(super) fn create(path: &Path, header: &Header) -> Result<File, StateError> {
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(|err| StateError::io("create the journal", path, err))?;
    file.write_all(&encode_header(header))
        .and_then(|()| file.sync_data())
        .map_err(|err| StateError::io("write the journal", path, err))?;
    super::local::sync_parent_dir(path)?;
    drop(file);
    OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|err| StateError::io("open the journal", path, err))
}

/// Appends one line and waits until it is on disk.
pub(super) fn append(file: &mut File, line: &[u8], path: &Path) -> Result<(), StateError> {
    file.write_all(line)
        .and_then(|()| file.sync_data())
        .map_err(|err| StateError::io("append to the journal", path, err))
}
