//! Per-tenant applies on one shared state: the instances one apply changes (its scope), the
//! partition each of them belongs to (what its lock covers), the digests that tell whether a
//! scope's stored objects moved since planning, and the merge of an apply's results into a
//! state that other applies change at the same time.
//!
//! The store side is [`TenantLocking`]: a shared lock on the whole state, exclusive locks on
//! partitions, and a write that merges instead of replacing (the `pg` store has them; see
//! docs/RELIABILITY.md, "Per-tenant locks").

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{InstanceState, State, StateError};
use crate::addrs::{InstanceAddr, ResourceMode};

/// The resource instances one apply changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ApplyScope {
    instances: BTreeSet<InstanceAddr>,
}

impl ApplyScope {
    pub(crate) fn new(instances: BTreeSet<InstanceAddr>) -> ApplyScope {
        ApplyScope { instances }
    }

    pub(crate) fn instances(&self) -> &BTreeSet<InstanceAddr> {
        &self.instances
    }

    /// The partitions the scope touches: each instance's tenant (the key of its outermost
    /// `for_each` module instance), else its whole address.
    pub(crate) fn partitions(&self) -> BTreeSet<String> {
        self.instances
            .iter()
            .map(crate::engine::sweep::partition_key)
            .collect()
    }
}

/// `stored` with the scope's instances (current and deposed objects) taken from `applied`,
/// removed where `applied` has none, and so the data source results of the scope's partitions
/// (read again by the apply's plan, under the partitions' locks); every other instance, and
/// the outputs, as stored.
pub(crate) fn merge(stored: &State, applied: &State, scope: &ApplyScope) -> State {
    let mut merged = stored.clone();
    let partitions = scope.partitions();
    let data_results: BTreeSet<&InstanceAddr> = stored
        .instances
        .keys()
        .chain(applied.instances.keys())
        .filter(|addr| addr.resource.mode == ResourceMode::Data)
        .filter(|addr| partitions.contains(&crate::engine::sweep::partition_key(addr)))
        .collect();
    for addr in data_results {
        match applied.instances.get(addr) {
            Some(object) => merged.instances.insert(addr.clone(), object.clone()),
            None => merged.instances.remove(addr),
        };
    }
    for addr in scope.instances() {
        match applied.instances.get(addr) {
            Some(object) => {
                merged.instances.insert(addr.clone(), object.clone());
            }
            None => {
                merged.instances.remove(addr);
            }
        }
        merged.deposed.retain(|(owner, _), _| owner != addr);
        for (key, object) in applied.deposed_of(addr) {
            merged
                .deposed
                .insert((addr.clone(), key.to_string()), object.clone());
        }
    }
    merged
}

/// Whether two states hold the same current and deposed objects (outputs aside).
pub(crate) fn same_objects(a: &State, b: &State) -> bool {
    a.instances == b.instances && a.deposed == b.deposed
}

/// A digest of what `state` stores for `addr`: its current object and deposed objects
/// (`absent` when it has none).
pub(crate) fn object_digest(state: Option<&State>, addr: &InstanceAddr) -> String {
    let current = state.and_then(|s| s.get(addr));
    let deposed: Vec<(&str, &InstanceState)> = state
        .map(|s| s.deposed_of(addr).collect())
        .unwrap_or_default();
    if current.is_none() && deposed.is_empty() {
        return "absent".to_string();
    }
    let encoded = serde_json::to_vec(&(current, deposed)).unwrap_or_default();
    hex::encode(Sha256::digest(&encoded))
}

/// The digest of every instance of the scope, by address.
pub(crate) fn scope_digests(state: Option<&State>, scope: &ApplyScope) -> BTreeMap<String, String> {
    scope
        .instances()
        .iter()
        .map(|addr| (addr.to_string(), object_digest(state, addr)))
        .collect()
}

/// The addresses whose stored objects differ from the digests taken when planning.
pub(crate) fn changed_since(
    planned: &BTreeMap<String, String>,
    scope: &ApplyScope,
    state: Option<&State>,
) -> Vec<String> {
    scope
        .instances()
        .iter()
        .filter(|addr| {
            let name = addr.to_string();
            planned.get(&name) != Some(&object_digest(state, addr))
        })
        .map(ToString::to_string)
        .collect()
}

/// A store's per-tenant locks and merging writes.
pub(crate) trait TenantLocking: Send + Sync {
    /// Takes the state's lock in shared mode for `operation`, retrying until `timeout`:
    /// other shared holders may apply beside it, an exclusive holder (Terraform, or any
    /// command that is not a per-tenant apply) excludes it. `None` when the state does not
    /// exist yet: its creation takes the exclusive lock.
    fn lock_shared(
        &self,
        operation: &str,
        timeout: Duration,
    ) -> Result<Option<Box<dyn PartitionLocks>>, StateError>;

    /// The stored state a merge starts from, read outside any transaction.
    fn merge_base(&self) -> Result<MergeBase, StateError>;

    /// Writes `merged` (built on `base`) as the next serial, in one transaction that holds
    /// the state's row lock; `None` (nothing written) when the stored state moved since
    /// `base` was read, so that the caller merges again.
    fn write_merged(&self, merged: &State, base: &MergeBase) -> Result<Option<u64>, StateError>;
}

/// The exclusive partition locks taken under a shared state lock; dropping it releases both.
pub(crate) trait PartitionLocks: Send + Sync {
    /// Takes every partition's lock, retrying until `timeout`; on failure holds none of them
    /// and names the holder.
    fn lock_partitions(
        &self,
        partitions: &BTreeSet<String>,
        timeout: Duration,
    ) -> Result<(), StateError>;
}

/// The stored state a merge starts from.
#[derive(Clone, Debug)]
pub(crate) struct MergeBase {
    pub state: State,
    /// Journal rows of finished runs folded into `state`, deleted by the write.
    pub folded: Vec<i64>,
}

#[cfg(test)]
mod tests;
