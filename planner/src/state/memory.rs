//! An in-memory [`StateStore`] for tests of the planner core: the same contract as the local
//! store (serial ownership, journal semantics, one lock holder at a time) without files.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{
    JournalEntry, LockInfo, ScopeRecord, State, StateChange, StateError, StateLock, StateStore,
};

/// A state store held in memory. Clones share the same stored state and lock.
#[derive(Clone, Default)]
pub(crate) struct MemoryStore {
    shared: Arc<Mutex<Shared>>,
}

#[derive(Default)]
struct Shared {
    /// The last snapshot written.
    snapshot: Option<State>,
    /// Changes recorded since the last snapshot, in order.
    journal: Vec<StateChange>,
    /// The current lock holder.
    lock_holder: Option<LockInfo>,
    /// How many snapshots were written (for tests asserting write counts).
    writes: u64,
    /// The change-scoped planning record.
    scope_record: Option<ScopeRecord>,
}

impl MemoryStore {
    pub(crate) fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store that already holds `state`.
    pub(crate) fn with_state(state: State) -> MemoryStore {
        let store = MemoryStore::new();
        store.shared().snapshot = Some(state);
        store
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The changes recorded since the last snapshot.
    pub(crate) fn journal(&self) -> Vec<StateChange> {
        self.shared().journal.clone()
    }

    /// How many snapshots were written.
    pub(crate) fn write_count(&self) -> u64 {
        self.shared().writes
    }
}

/// Releases a memory lock when dropped.
struct MemoryLockGuard {
    shared: Arc<Mutex<Shared>>,
}

impl Drop for MemoryLockGuard {
    fn drop(&mut self) {
        let mut shared = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        shared.lock_holder = None;
    }
}

impl StateStore for MemoryStore {
    fn read(&self) -> Result<Option<State>, StateError> {
        let shared = self.shared();
        let mut state = shared.snapshot.clone();
        if !shared.journal.is_empty() {
            let replayed = state.get_or_insert_with(State::new);
            for change in &shared.journal {
                replayed.apply_state_change(change.clone());
            }
        }
        Ok(state)
    }

    fn write(&self, state: &State) -> Result<u64, StateError> {
        let mut shared = self.shared();
        shared.journal.clear();
        let serial = match &shared.snapshot {
            Some(stored) if stored.lineage != state.lineage => {
                return Err(StateError::LineageMismatch {
                    file: "memory".into(),
                    found: stored.lineage.clone(),
                    expected: state.lineage.clone(),
                });
            }
            Some(stored) => {
                let unchanged = State {
                    serial: stored.serial,
                    ..state.clone()
                } == *stored;
                if unchanged && state.serial <= stored.serial {
                    return Ok(stored.serial);
                }
                state.serial.max(stored.serial + 1)
            }
            None => state.serial.max(1),
        };
        shared.snapshot = Some(State {
            serial,
            ..state.clone()
        });
        shared.writes += 1;
        Ok(serial)
    }

    fn record_entry(&self, entry: JournalEntry<'_>) -> Result<(), StateError> {
        self.shared().journal.push(entry.to_change());
        Ok(())
    }

    fn compact(&self, state: &State) -> Result<u64, StateError> {
        self.write(state)
    }

    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, StateError> {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let mut shared = self.shared();
                match &shared.lock_holder {
                    None => {
                        let info = LockInfo::for_this_process(operation, "memory");
                        shared.lock_holder = Some(info.clone());
                        let guard = MemoryLockGuard {
                            shared: Arc::clone(&self.shared),
                        };
                        return Ok(StateLock::new(info, Box::new(guard)));
                    }
                    Some(holder) if Instant::now() >= deadline => {
                        return Err(StateError::Locked {
                            holder: Box::new(holder.clone()),
                            reason: "the state lock is held by another run".into(),
                        });
                    }
                    Some(_) => {}
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn read_scope_record(&self) -> Result<Option<ScopeRecord>, StateError> {
        Ok(self.shared().scope_record.clone())
    }

    fn write_scope_record(&self, record: &ScopeRecord) -> Result<(), StateError> {
        self.shared().scope_record = Some(record.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addrs::InstanceAddr;
    use crate::state::{DeposedChange, InstanceState};

    fn object(id: &str) -> InstanceState {
        InstanceState {
            provider: "registry.terraform.io/tenantform/tenant".into(),
            attributes: crate::state::StoredJson::from_json(&serde_json::json!({ "id": id })),
            ..InstanceState::default()
        }
    }

    #[test]
    fn journal_replays_until_compacted() {
        let store = MemoryStore::new();
        assert!(store.read().unwrap().is_none());
        let addr: InstanceAddr = "tenant.acme".parse().unwrap();
        store.record(&addr, Some(&object("t-1"))).unwrap();
        let mut state = store.read().unwrap().unwrap();
        assert_eq!(state.get(&addr), Some(&object("t-1")));
        state.serial = store.compact(&state).unwrap();
        assert_eq!(state.serial, 1);
        assert!(store.journal().is_empty());
        assert_eq!(
            store.write(&state).unwrap(),
            1,
            "unchanged content keeps the serial"
        );
        state.remove_instance(&addr);
        assert_eq!(store.write(&state).unwrap(), 2);
        assert_eq!(store.write_count(), 2);
    }

    #[test]
    fn deposed_changes_replay_in_order() {
        let addr: InstanceAddr = "tenant.acme".parse().unwrap();
        let mut state = State::new();
        state.set_instance(addr.clone(), object("t-1"));
        let store = MemoryStore::with_state(state);
        let key = "0a1b2c3d".to_string();
        store
            .record_deposed(&DeposedChange::Depose {
                addr: addr.clone(),
                key: key.clone(),
            })
            .unwrap();
        store.record(&addr, Some(&object("t-2"))).unwrap();
        let replayed = store.read().unwrap().unwrap();
        assert_eq!(replayed.get(&addr), Some(&object("t-2")));
        assert_eq!(
            replayed.deposed[&(addr.clone(), key.clone())],
            object("t-1")
        );
        store
            .record_deposed(&DeposedChange::Remove { addr, key })
            .unwrap();
        assert!(store.read().unwrap().unwrap().deposed.is_empty());
        assert_eq!(store.journal().len(), 3);
    }

    #[test]
    fn one_lock_holder_at_a_time() {
        let store = MemoryStore::new();
        let held = store.lock("OperationTypeApply", Duration::ZERO).unwrap();
        let err = store
            .clone()
            .lock("OperationTypePlan", Duration::from_millis(30))
            .unwrap_err();
        assert!(err.to_string().contains("OperationTypeApply"), "{err}");
        drop(held);
        assert!(store.lock("OperationTypePlan", Duration::ZERO).is_ok());
    }
}
