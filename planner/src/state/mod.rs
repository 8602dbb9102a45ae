//! State: what exists, as the last apply left it.
//!
//! - [`State`] is the in-memory model: outputs and resource instances keyed by address.
//! - [`format_v4`] is the on-disk format, Terraform's state version 4 JSON, so Terraform and
//!   tenantform read each other's state files.
//! - [`StateStore`] is how the planner core reaches stored state; [`LocalStore`] keeps
//!   `terraform.tfstate` in the working directory (with a lock and an append-only journal that
//!   makes every instance change durable at a cost linear in the work), [`PgStore`] keeps it
//!   in PostgreSQL as Terraform's `pg` backend does (advisory locks, plus a journal table),
//!   one row per workspace; [`LocalWorkspaces`] places the local backend's workspaces,
//!   [`MemoryStore`] is the in-process fake for tests.
//! - Deposed objects: a create-before-destroy first moves the current object aside under a
//!   deposed key ([`DeposedChange::Depose`]), so that it stays tracked until its deletion is
//!   recorded; each such step is one durable change.

mod encrypted;
pub(crate) mod format_v4;
mod journal;
mod json_digest;
mod local;
mod local_digest;
mod local_workspaces;
mod lock;
#[cfg(test)]
mod memory;
mod postgres;
mod postgres_conn;
mod postgres_lock;
mod postgres_lock_guard;
mod postgres_pooling;
mod postgres_tenant_lock;
mod pretty_writer;

pub(crate) mod scope_record;
pub(crate) mod sensitive;
mod snapshot;
mod stored_json;
pub(crate) mod tenant_scope;
mod typed_decode;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::addrs::InstanceAddr;

pub(crate) use encrypted::EncryptionChoice;
pub(crate) use local::{DEFAULT_STATE_FILE, LocalStore};
pub(crate) use local_workspaces::LocalWorkspaces;
pub(crate) use lock::{LockInfo, StateLock};
#[cfg(test)]
pub(crate) use memory::MemoryStore;
pub(crate) use postgres::{DEFAULT_WORKSPACE, PgStore};
pub(crate) use postgres_conn::PgSettings;
pub(crate) use tenant_scope::{ApplyScope, PartitionLocks, TenantLocking};

pub(crate) use scope_record::ScopeRecord;
pub(crate) use stored_json::StoredJson;

/// The in-memory state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    /// Increases with every persisted change; see [`StateStore::write`].
    pub serial: u64,
    /// A UUID naming this state's history; it never changes once created.
    pub lineage: String,
    /// The version of the program that wrote the state, as found in the file.
    pub terraform_version: String,
    /// Root module outputs.
    pub outputs: BTreeMap<String, OutputState>,
    /// The current object of every resource instance.
    pub instances: BTreeMap<InstanceAddr, InstanceState>,
    /// Deposed objects (left behind by a failed create-before-destroy), keyed by instance
    /// and deposed key. Kept so that no object in a state file is ever lost.
    pub deposed: BTreeMap<(InstanceAddr, String), InstanceState>,
    /// Terraform's `check_results`, kept as found (usually `null`).
    pub check_results: serde_json::Value,
}

/// A root module output.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OutputState {
    /// The value as cty JSON, kept as text like the instances' attributes.
    pub value: StoredJson,
    /// The value's cty type as JSON (`"string"`, `["list","string"]`).
    pub ty: serde_json::Value,
    pub sensitive: bool,
}

/// One resource instance object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct InstanceState {
    /// Fully qualified provider source address, e.g. `registry.terraform.io/tenantform/tenant`.
    pub provider: String,
    /// The provider configuration's alias, when not the default configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_alias: Option<String>,
    /// The module holding the provider configuration (`module.a`), empty for the root module.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider_module: String,
    pub schema_version: u64,
    /// The attributes as a JSON object, exactly as in the state file, kept as text and
    /// decoded when used.
    pub attributes: StoredJson,
    /// Paths of sensitive attributes, in Terraform's JSON form (see [`sensitive`]), kept as
    /// text like the attributes.
    pub sensitive_attributes: StoredJson,
    /// The provider's private data.
    #[serde(
        default,
        with = "base64_bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub private: Option<Vec<u8>>,
    /// Addresses of the resources this one depends on (`tenant.acme`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub create_before_destroy: bool,
    #[serde(default)]
    pub tainted: bool,
    /// Instance fields this program does not interpret (e.g. `identity`), kept verbatim.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub unknown_fields: serde_json::Map<String, serde_json::Value>,
}

/// Errors reading, writing or locking state. Reading never modifies a file it cannot parse.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StateError {
    #[error("state file {file} is not valid JSON at line {line} column {column}: {message}")]
    InvalidJson {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file} is not a Terraform state file: {reason}")]
    NotAStateFile { file: String, reason: String },
    #[error(
        "{file}: state file version {version} is newer than this program supports \
         (it reads version 4); use a newer tenantform"
    )]
    TooNew { file: String, version: u64 },
    #[error(
        "{file}: state file version {version} is older than this program supports \
         (it reads version 4); upgrade it by running Terraform 0.12 or later on it once"
    )]
    TooOld { file: String, version: u64 },
    #[error("state file {file} is invalid: {detail}")]
    Invalid { file: String, detail: String },
    #[error(
        "state file {file} belongs to another state history (lineage {found}, expected \
         {expected}); refusing to overwrite it"
    )]
    LineageMismatch {
        file: String,
        found: String,
        expected: String,
    },
    #[error("state journal {file} is corrupt at line {line}: {detail}")]
    CorruptJournal {
        file: String,
        line: usize,
        detail: String,
    },
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A failure of a remote state backend (`pg`); `detail` never holds credentials.
    #[error("could not {action}: {detail}")]
    Backend {
        action: &'static str,
        detail: String,
    },
    /// Encrypted state that cannot be read (no key, a key that does not decrypt it, an
    /// unencrypted file where encryption is required) or written.
    #[error("could not {action} the state {file}: {detail}")]
    Encryption {
        action: &'static str,
        file: String,
        detail: String,
    },
    #[error("{0}")]
    EncryptionConfig(crate::encryption::ConfigError),
    #[error("{}", lock::locked_message(holder, reason))]
    Locked {
        holder: Box<LockInfo>,
        reason: String,
    },
}

impl StateError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        StateError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// One durable change to a deposed object. Moves between current and deposed are single
/// changes, so that a crash never leaves an object tracked twice or not at all.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DeposedChange {
    /// The instance's current object becomes the deposed object `key`; the instance has no
    /// current object afterwards.
    Depose { addr: InstanceAddr, key: String },
    /// The deposed object `key` becomes the instance's current object again (when it has
    /// none), as after a create-before-destroy whose create produced nothing.
    Restore { addr: InstanceAddr, key: String },
    /// The deposed object `key` is gone.
    Remove { addr: InstanceAddr, key: String },
}

impl DeposedChange {
    pub(crate) fn addr(&self) -> &InstanceAddr {
        match self {
            DeposedChange::Depose { addr, .. }
            | DeposedChange::Restore { addr, .. }
            | DeposedChange::Remove { addr, .. } => addr,
        }
    }

    pub(crate) fn key(&self) -> &str {
        match self {
            DeposedChange::Depose { key, .. }
            | DeposedChange::Restore { key, .. }
            | DeposedChange::Remove { key, .. } => key,
        }
    }
}

impl DeposedChange {
    /// Applies the change to a state's current and deposed objects.
    pub(crate) fn apply_to(
        &self,
        instances: &mut BTreeMap<InstanceAddr, InstanceState>,
        deposed: &mut BTreeMap<(InstanceAddr, String), InstanceState>,
    ) {
        let slot = (self.addr().clone(), self.key().to_string());
        match self {
            DeposedChange::Depose { addr, .. } => {
                if let Some(current) = instances.remove(addr) {
                    deposed.insert(slot, current);
                }
            }
            DeposedChange::Restore { addr, .. } => {
                if !instances.contains_key(addr)
                    && let Some(object) = deposed.remove(&slot)
                {
                    instances.insert(addr.clone(), object);
                }
            }
            DeposedChange::Remove { .. } => {
                deposed.remove(&slot);
            }
        }
    }
}

/// One change to record, borrowed from the caller.
#[derive(Clone, Copy, Debug)]
pub(crate) enum JournalEntry<'a> {
    /// An instance's current object set (`Some`) or removed (`None`).
    Instance(&'a InstanceAddr, Option<&'a InstanceState>),
    Deposed(&'a DeposedChange),
    /// An instance's current and deposed objects moved to another address.
    Moved {
        from: &'a InstanceAddr,
        to: &'a InstanceAddr,
    },
}

impl JournalEntry<'_> {
    /// The change as a journal replays it.
    #[cfg(test)]
    pub(crate) fn to_change(self) -> StateChange {
        match self {
            JournalEntry::Instance(addr, instance) => {
                StateChange::Instance(addr.clone(), instance.cloned().map(Box::new))
            }
            JournalEntry::Deposed(change) => StateChange::Deposed(change.clone()),
            JournalEntry::Moved { from, to } => StateChange::Moved {
                from: from.clone(),
                to: to.clone(),
            },
        }
    }
}

/// One recorded change, as a journal replays it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StateChange {
    /// An instance's current object set (`Some`) or removed (`None`).
    Instance(InstanceAddr, Option<Box<InstanceState>>),
    Deposed(DeposedChange),
    /// An instance's current and deposed objects moved to another address (a `moved`
    /// block), as one change so that a crash never leaves an object tracked twice.
    Moved {
        from: InstanceAddr,
        to: InstanceAddr,
    },
}

/// A fresh deposed key: eight lowercase hexadecimal characters, as Terraform writes them,
/// for which `taken` is false.
pub(crate) fn new_deposed_key(taken: impl Fn(&str) -> bool) -> String {
    loop {
        let key = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
        if !taken(&key) {
            return key;
        }
    }
}

/// Where the planner core keeps state. Implementations: [`LocalStore`], [`PgStore`],
/// [`MemoryStore`].
///
/// The usual run: `lock`, `read`, then during apply `record` after every completed instance
/// change, and finally `compact` with the resulting state.
/// A state as read, with the record of change-scoped planning beside it.
pub(crate) type ReadWithRecord = (
    Result<Option<State>, StateError>,
    Result<Option<ScopeRecord>, StateError>,
);

pub(crate) trait StateStore: Send + Sync {
    /// The stored state with any journaled changes applied; `None` when there is none yet.
    fn read(&self) -> Result<Option<State>, StateError>;

    /// Persists a whole snapshot. The store owns the serial: when the content differs from
    /// what is stored it writes `max(state.serial, stored serial + 1)`, otherwise it writes
    /// nothing. Returns the serial now stored, which the caller should adopt.
    fn write(&self, state: &State) -> Result<u64, StateError>;

    /// Durably records one change before returning.
    fn record_entry(&self, entry: JournalEntry<'_>) -> Result<(), StateError>;

    /// Durably records one completed instance change (`None` = removed) before returning.
    fn record(
        &self,
        addr: &InstanceAddr,
        instance: Option<&InstanceState>,
    ) -> Result<(), StateError> {
        self.record_entry(JournalEntry::Instance(addr, instance))
    }

    /// Durably records one change to a deposed object before returning.
    fn record_deposed(&self, change: &DeposedChange) -> Result<(), StateError> {
        self.record_entry(JournalEntry::Deposed(change))
    }

    /// Durably records that an instance's objects moved from `from` to `to` (a `moved`
    /// block) before returning.
    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), StateError> {
        self.record_entry(JournalEntry::Moved { from, to })
    }

    /// Persists `state` (which includes every recorded change) and discards the journal.
    fn compact(&self, state: &State) -> Result<u64, StateError>;

    /// Takes the state lock, retrying until `timeout` (zero: try once). The lock is released
    /// when the returned guard drops, or when the process ends.
    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, StateError>;

    /// The record of change-scoped planning kept beside the state ([`ScopeRecord`]); `None`
    /// when there is none, it cannot be read, or the state is encrypted (the record is then
    /// never written).
    fn read_scope_record(&self) -> Result<Option<ScopeRecord>, StateError>;

    /// [`StateStore::read`] and then [`StateStore::read_scope_record`], as one step a store
    /// may take faster (a local store reads its sidecar while it parses the state).
    fn read_with_scope_record(&self) -> ReadWithRecord {
        let state = self.read();
        let record = self.read_scope_record();
        (state, record)
    }

    /// Replaces the record of change-scoped planning, atomically (nothing for an encrypted
    /// state: digests of its plaintext beside it would let a guess be confirmed).
    fn write_scope_record(&self, record: &ScopeRecord) -> Result<(), StateError>;

    /// The file holding the state when the store is a local file (for backups beside it).
    fn local_path(&self) -> Option<&std::path::Path> {
        None
    }

    /// Replaces the stored state with exactly `state`, its lineage and serial included
    /// (`state push`); the caller has checked that it may. As Terraform's `state push`, no
    /// backup of the replaced state is kept.
    fn replace(&self, state: &State) -> Result<(), StateError> {
        let _ = state;
        Err(StateError::Backend {
            action: "replace the state",
            detail: "this state store cannot be replaced wholesale".into(),
        })
    }

    /// Releases a lock another process holds (`force-unlock`), named by the ID its lock
    /// error showed. Stores whose locks only their holder can release refuse.
    /// Per-tenant locks and merging writes, where the store has them (the `pg` store).
    fn tenant_locking(&self) -> Option<&dyn TenantLocking> {
        None
    }

    fn force_unlock(&self, lock_id: &str) -> Result<(), StateError> {
        let _ = lock_id;
        Err(StateError::Backend {
            action: "unlock the state",
            detail: "this state store's lock can only be released by the process holding it".into(),
        })
    }
}

impl<T: StateStore + ?Sized> StateStore for Box<T> {
    fn read(&self) -> Result<Option<State>, StateError> {
        (**self).read()
    }

    fn write(&self, state: &State) -> Result<u64, StateError> {
        (**self).write(state)
    }

    fn record_entry(&self, entry: JournalEntry<'_>) -> Result<(), StateError> {
        (**self).record_entry(entry)
    }

    fn compact(&self, state: &State) -> Result<u64, StateError> {
        (**self).compact(state)
    }

    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, StateError> {
        (**self).lock(operation, timeout)
    }

    fn local_path(&self) -> Option<&std::path::Path> {
        (**self).local_path()
    }

    fn force_unlock(&self, lock_id: &str) -> Result<(), StateError> {
        (**self).force_unlock(lock_id)
    }

    fn replace(&self, state: &State) -> Result<(), StateError> {
        (**self).replace(state)
    }

    fn tenant_locking(&self) -> Option<&dyn TenantLocking> {
        (**self).tenant_locking()
    }

    fn read_scope_record(&self) -> Result<Option<ScopeRecord>, StateError> {
        (**self).read_scope_record()
    }

    fn read_with_scope_record(&self) -> ReadWithRecord {
        (**self).read_with_scope_record()
    }

    fn write_scope_record(&self, record: &ScopeRecord) -> Result<(), StateError> {
        (**self).write_scope_record(record)
    }
}

/// The `terraform_version` this program writes into new states.
pub(crate) const PROGRAM_VERSION: &str = env!("CARGO_PKG_VERSION");

impl State {
    /// An empty state with a fresh lineage and serial 0.
    pub(crate) fn new() -> State {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            terraform_version: PROGRAM_VERSION.to_string(),
            outputs: BTreeMap::new(),
            instances: BTreeMap::new(),
            deposed: BTreeMap::new(),
            check_results: serde_json::Value::Null,
        }
    }

    /// Sets an instance's current object, returning the previous one.
    #[cfg(test)]
    pub(crate) fn set_instance(
        &mut self,
        addr: InstanceAddr,
        instance: InstanceState,
    ) -> Option<InstanceState> {
        self.instances.insert(addr, instance)
    }

    /// Removes an instance's current object, returning it.
    pub(crate) fn remove_instance(&mut self, addr: &InstanceAddr) -> Option<InstanceState> {
        self.instances.remove(addr)
    }

    pub(crate) fn get(&self, addr: &InstanceAddr) -> Option<&InstanceState> {
        self.instances.get(addr)
    }

    /// Every instance's current object, in address order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&InstanceAddr, &InstanceState)> {
        self.instances.iter()
    }

    /// The state without its serial is the same as `other`'s.
    pub(crate) fn same_content(&self, other: &State) -> bool {
        snapshot::content_digest(self) == snapshot::content_digest(other)
    }

    /// The hex SHA-256 of everything in the state but its serial.
    pub(crate) fn content_sha256(&self) -> String {
        hex::encode(snapshot::content_digest(self))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.instances.is_empty() && self.deposed.is_empty() && self.outputs.is_empty()
    }

    /// Applies one recorded change (`None` = removed).
    pub(crate) fn apply_change(&mut self, addr: &InstanceAddr, instance: Option<InstanceState>) {
        match instance {
            Some(instance) => {
                self.instances.insert(addr.clone(), instance);
            }
            None => {
                self.instances.remove(addr);
            }
        }
    }

    /// Applies one recorded change to a deposed object.
    pub(crate) fn apply_deposed_change(&mut self, change: &DeposedChange) {
        change.apply_to(&mut self.instances, &mut self.deposed);
    }

    /// Applies one recorded change of either kind.
    pub(crate) fn apply_state_change(&mut self, change: StateChange) {
        match change {
            StateChange::Instance(addr, instance) => self.apply_change(&addr, instance.map(|i| *i)),
            StateChange::Deposed(change) => self.apply_deposed_change(&change),
            StateChange::Moved { from, to } => self.move_instance(&from, &to),
        }
    }

    /// Moves an instance's current object and its deposed objects from `from` to `to`.
    /// Nothing already at `to` is overwritten: the planner never moves onto an occupied
    /// address, and a replayed journal must not lose an object either.
    pub(crate) fn move_instance(&mut self, from: &InstanceAddr, to: &InstanceAddr) {
        if from == to || self.instances.contains_key(to) {
            return;
        }
        if let Some(current) = self.instances.remove(from) {
            self.instances.insert(to.clone(), current);
        }
        let keys: Vec<String> = self
            .deposed_of(from)
            .map(|(key, _)| key.to_string())
            .collect();
        for key in keys {
            if let Some(object) = self.deposed.remove(&(from.clone(), key.clone())) {
                self.deposed.insert((to.clone(), key), object);
            }
        }
    }

    /// The deposed objects of one instance, in key order.
    pub(crate) fn deposed_of<'s>(
        &'s self,
        addr: &'s InstanceAddr,
    ) -> impl Iterator<Item = (&'s str, &'s InstanceState)> + 's {
        self.deposed
            .range((addr.clone(), String::new())..)
            .take_while(move |((a, _), _)| a == addr)
            .map(|((_, key), object)| (key.as_str(), object))
    }
}

impl Default for State {
    fn default() -> State {
        State::new()
    }
}

/// Serde for `Option<Vec<u8>>` as standard base64, as Go encodes `[]byte`.
mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => s.serialize_str(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| STANDARD.decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}
