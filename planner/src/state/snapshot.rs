//! What a state store holds, in summary, and the rules every store applies with it: the
//! serial a write gets (the store owns the serial, see [`super::StateStore::write`]) and the
//! replay of a journal over the stored state.

use super::journal::Journal;
use super::{State, format_v4};

/// What a store holds, in summary.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Snapshot {
    Absent,
    Present {
        lineage: String,
        serial: u64,
        content_digest: [u8; 32],
    },
    /// A state was read at this lineage and serial, its content not digested (a read that
    /// may never write spares the re-encoding of the whole state; a store digests the stored
    /// content before its first write).
    Read {
        lineage: String,
        serial: u64,
    },
}

/// The serial a write of a state gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WriteSerial {
    /// The content is what is stored already: nothing is written, the stored serial stands.
    Unchanged(u64),
    /// The content is new: it is written under this serial.
    New(u64),
}

impl Snapshot {
    pub(super) fn of(state: Option<&State>) -> Snapshot {
        match state {
            None => Snapshot::Absent,
            Some(state) => Snapshot::Present {
                lineage: state.lineage.clone(),
                serial: state.serial,
                content_digest: content_digest(state),
            },
        }
    }

    /// The lineage and serial of `state`, its content not digested.
    pub(super) fn of_read(state: Option<&State>) -> Snapshot {
        match state {
            None => Snapshot::Absent,
            Some(state) => Snapshot::Read {
                lineage: state.lineage.clone(),
                serial: state.serial,
            },
        }
    }

    /// The lineage and serial a journal written over this snapshot names as its base.
    pub(super) fn base(&self) -> (Option<&str>, u64) {
        match self {
            Snapshot::Absent => (None, 0),
            Snapshot::Present {
                lineage, serial, ..
            }
            | Snapshot::Read { lineage, serial } => (Some(lineage), *serial),
        }
    }

    /// The serial for writing `state` (whose content digest is `digest`) over this snapshot:
    /// unchanged content keeps the stored serial unless the caller's is newer; new content
    /// gets at least one more than the stored serial.
    pub(super) fn serial_for(&self, state: &State, digest: &[u8; 32]) -> WriteSerial {
        match self {
            Snapshot::Present {
                serial,
                content_digest,
                ..
            } if content_digest == digest && state.serial <= *serial => {
                WriteSerial::Unchanged(*serial)
            }
            // Content not digested counts as other content: a new serial.
            Snapshot::Present { serial, .. } | Snapshot::Read { serial, .. } => {
                WriteSerial::New(state.serial.max(serial + 1))
            }
            Snapshot::Absent => WriteSerial::New(state.serial.max(1)),
        }
    }
}

/// A digest of everything in the state except its serial.
pub(super) fn content_digest(state: &State) -> [u8; 32] {
    let mut v4 = format_v4::to_v4(state);
    v4.serial = 0;
    super::json_digest::json_sha256(&v4)
}

/// Applies the journal's changes over `state`, starting a state of the journal's lineage
/// when there is none.
pub(super) fn replay(state: &mut Option<State>, journal: Journal) {
    let replayed = state.get_or_insert_with(|| {
        let mut fresh = State::new();
        if let Some(lineage) = &journal.header.lineage {
            fresh.lineage = lineage.clone();
        }
        fresh
    });
    for change in journal.changes {
        replayed.apply_state_change(change);
    }
}
