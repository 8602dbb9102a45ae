//! The audit log's model, shared by every backend: one entry per change, each sealed with a
//! SHA-256 hash that covers the previous entry's hash, so that editing, inserting or deleting
//! any row breaks the chain from that row on. Records are serialized with their secrets
//! skipped (see the `Serialize` impls of the records), so no entry ever holds a secret.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::BackendError;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "";
const DEFAULT_ACTOR: &str = "terraform-provider-tenant";

/// What happened to a resource. Stored as its string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// An existing object taken under management (import or discovery).
    Adopt,
    /// An API key made unusable.
    Revoke,
    /// Logins turned off and keys suspended, nothing deleted.
    Suspend,
    /// The reverse of [`Action::Suspend`].
    Resume,
    /// Data exported to the archive directory and its checksum verified.
    Archive,
    /// A tenant record kept, marked deleted, until its retention ends.
    Tombstone,
    /// A tombstone removed after its retention ended.
    Purge,
}

impl Action {
    /// [`Action::Suspend`] when `suspended`, else [`Action::Resume`].
    pub fn of_suspension(suspended: bool) -> Action {
        if suspended {
            Action::Suspend
        } else {
            Action::Resume
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Adopt => "adopt",
            Action::Revoke => "revoke",
            Action::Suspend => "suspend",
            Action::Resume => "resume",
            Action::Archive => "archive",
            Action::Tombstone => "tombstone",
            Action::Purge => "purge",
        }
    }
}

/// Who makes the change: `TENANT_ACTOR`, else the OS user, else the provider's name.
pub fn actor() -> String {
    std::env::var("TENANT_ACTOR")
        .ok()
        .filter(|value| !value.is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|value| !value.is_empty()))
        .unwrap_or_else(|| DEFAULT_ACTOR.to_string())
}

/// A record as the JSON an entry stores (secrets are skipped by the records' serializers).
pub fn to_json<T: Serialize>(value: Option<&T>) -> Result<Option<String>, BackendError> {
    value
        .map(|v| serde_json::to_string(v).map_err(|e| BackendError::Corrupt(e.to_string())))
        .transpose()
}

/// One stored entry of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the log, from 1; assigned by the backend.
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    /// The resource type, e.g. `tenant_user`.
    pub resource: String,
    pub resource_id: String,
    pub action: String,
    /// The record before the change as JSON; `None` on create.
    pub before: Option<String>,
    /// The record after the change as JSON; `None` on delete.
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// A new entry following `prev_hash`, stamped now with the current actor and sealed.
    /// `seq` is left 0 for the backend to assign.
    pub fn seal(
        prev_hash: &str,
        resource: &str,
        resource_id: &str,
        action: Action,
        before: Option<String>,
        after: Option<String>,
    ) -> AuditEntry {
        let mut entry = AuditEntry {
            seq: 0,
            at: super::now_rfc3339(),
            actor: actor(),
            resource: resource.to_string(),
            resource_id: resource_id.to_string(),
            action: action.as_str().to_string(),
            before,
            after,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        entry.hash = entry.expected_hash();
        entry
    }

    /// The hash of every field but `seq` and `hash` itself, each length-prefixed.
    pub fn expected_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [
            self.prev_hash.as_str(),
            self.at.as_str(),
            self.actor.as_str(),
            self.resource.as_str(),
            self.resource_id.as_str(),
            self.action.as_str(),
            self.before.as_deref().unwrap_or("null"),
            self.after.as_deref().unwrap_or("null"),
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditVerification {
    /// Every entry's hash matches and links to the one before.
    Intact { entries: usize },
    /// The first entry that does not match, and why.
    Broken { seq: i64, reason: String },
}

/// Recomputes the chain over `entries`, in log order.
pub fn verify(entries: impl IntoIterator<Item = AuditEntry>) -> AuditVerification {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut count = 0;
    let mut expected_seq = None;
    for entry in entries {
        if let Some(seq) = expected_seq
            && entry.seq != seq
        {
            return AuditVerification::Broken {
                seq: entry.seq,
                reason: format!("entry {seq} is missing: the log jumps to {}", entry.seq),
            };
        }
        if entry.prev_hash != expected_prev {
            return AuditVerification::Broken {
                seq: entry.seq,
                reason: "its prev_hash does not match the hash of the entry before it".into(),
            };
        }
        if entry.expected_hash() != entry.hash {
            return AuditVerification::Broken {
                seq: entry.seq,
                reason: "its contents do not match its hash (the row was altered)".into(),
            };
        }
        expected_prev = entry.hash;
        expected_seq = Some(entry.seq + 1);
        count += 1;
    }
    AuditVerification::Intact { entries: count }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(length: usize) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for seq in 1..=length {
            let prev = entries.last().map_or(GENESIS_HASH, |e| e.hash.as_str());
            let mut entry = AuditEntry::seal(
                prev,
                "tenant",
                &format!("id-{seq}"),
                Action::Create,
                None,
                Some(format!("{{\"n\":{seq}}}")),
            );
            entry.seq = seq as i64;
            entries.push(entry);
        }
        entries
    }

    /// The entry [`verify`] names as the first broken one, if any.
    fn broken_at(entries: Vec<AuditEntry>) -> Option<i64> {
        match verify(entries) {
            AuditVerification::Broken { seq, .. } => Some(seq),
            AuditVerification::Intact { .. } => None,
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(chain(3)), AuditVerification::Intact { entries: 3 });
        assert_eq!(verify(Vec::new()), AuditVerification::Intact { entries: 0 });
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut entries = chain(3);
        entries[1].after = Some("{\"n\":99}".into());
        assert_eq!(broken_at(entries), Some(2));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut entries = chain(3);
        entries.remove(1);
        assert_eq!(broken_at(entries), Some(3));
    }

    #[test]
    fn a_resealed_entry_breaks_the_link_after_it() {
        let mut entries = chain(3);
        let seq = entries[1].seq;
        entries[1] = AuditEntry::seal(
            &entries[0].hash,
            "tenant",
            "forged",
            Action::Delete,
            None,
            None,
        );
        entries[1].seq = seq;
        assert_eq!(broken_at(entries), Some(3));
    }
}
