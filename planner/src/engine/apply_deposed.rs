//! Deposed objects during apply, Terraform's way of never losing an object in a
//! create-before-destroy: before the create the current object is deposed under a fresh key
//! (durably), the new object becomes the current one, and the deposed object's record is
//! removed only once its deletion succeeded. A create that produced nothing restores the
//! deposed object as the current one. Deposed objects left by an earlier run are deleted by
//! their own planned changes.

use crate::addrs::InstanceAddr;
use crate::diags::Diagnostics;
use crate::plan::{Action, ResourceChange};
use crate::state::{DeposedChange, new_deposed_key};

use super::applier::InstanceApplier;

impl InstanceApplier<'_> {
    /// Deposes the current object of `addr` before a create-before-destroy creates its
    /// replacement; returns the deposed key (`None` when there is no current object).
    pub(super) fn depose_current(
        &self,
        addr: &InstanceAddr,
    ) -> Result<Option<String>, Diagnostics> {
        let key = {
            let objects = self.objects();
            if !objects.instances.contains_key(addr) {
                return Ok(None);
            }
            new_deposed_key(|key| {
                objects
                    .deposed
                    .contains_key(&(addr.clone(), key.to_string()))
            })
        };
        let change = DeposedChange::Depose {
            addr: addr.clone(),
            key: key.clone(),
        };
        if !self.record_deposed(&change) {
            return Err(Diagnostics::new());
        }
        self.objects()
            .deposed_keys
            .insert(addr.clone(), key.clone());
        Ok(Some(key))
    }

    /// Makes the deposed object `key` the current one again after a create-before-destroy
    /// whose create produced no object. Failures are reported (and halt the apply).
    pub(super) fn restore_deposed(&self, addr: &InstanceAddr, key: Option<&str>) {
        let Some(key) = key else { return };
        self.objects().deposed_keys.remove(addr);
        self.record_deposed(&DeposedChange::Restore {
            addr: addr.clone(),
            key: key.to_string(),
        });
    }

    /// The deposed key a destroy step deletes: the planned one for a deposed object left by
    /// an earlier run, the one deposed by this run's create for a create-before-destroy.
    pub(super) fn deposed_key_of(&self, change: &ResourceChange) -> Option<String> {
        if change.deposed.is_some() {
            return change.deposed.clone();
        }
        if change.action != Action::CreateThenDelete {
            return None;
        }
        self.objects().deposed_keys.get(&change.addr).cloned()
    }

    /// Records that the deposed object `key` of `addr` is gone.
    pub(super) fn forget_deposed(&self, addr: &InstanceAddr, key: &str) -> bool {
        self.record_deposed(&DeposedChange::Remove {
            addr: addr.clone(),
            key: key.to_string(),
        })
    }
}
