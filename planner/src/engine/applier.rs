//! What one apply shares across its steps: the scope, the recorder and progress hooks, the
//! state's objects as the steps change them (behind one lock), and whether the apply is
//! stopping. Every result goes to the recorder before it is kept.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::addrs::InstanceAddr;
use crate::diags::Diagnostic;
use crate::state::{DeposedChange, InstanceState, State};

use super::scope::Scope;
use super::{ApplyHooks, ApplyOptions, ApplyRecorder};

pub(crate) struct InstanceApplier<'a> {
    pub scope: Scope<'a>,
    pub recorder: &'a dyn ApplyRecorder,
    pub hooks: &'a dyn ApplyHooks,
    pub provisioners: &'a dyn crate::provisioners::ProvisionerRunner,
    /// The state's objects as they are now. Never held across an `.await`.
    objects: Mutex<LiveObjects>,
    /// Set when a result could not be recorded: nothing new may start.
    pub halted: AtomicBool,
    /// Flips to true on an interrupt: instances not yet started are left alone.
    pub cancel: tokio::sync::watch::Receiver<bool>,
    /// Instance changes left alone because the apply was stopping.
    pub skipped: AtomicUsize,
}

/// The state's objects as the apply changes them.
pub(super) struct LiveObjects {
    /// The current object of each instance.
    pub instances: BTreeMap<InstanceAddr, InstanceState>,
    /// The deposed objects.
    pub deposed: BTreeMap<(InstanceAddr, String), InstanceState>,
    /// The keys this run deposed current objects under, by instance (create-before-destroy).
    pub deposed_keys: HashMap<InstanceAddr, String>,
}

impl<'a> InstanceApplier<'a> {
    /// An applier starting from `state`'s objects.
    pub(super) fn new(scope: Scope<'a>, options: &ApplyOptions<'a>, state: &State) -> Self {
        InstanceApplier {
            scope,
            recorder: options.recorder,
            hooks: options.hooks,
            provisioners: options.provisioners,
            objects: Mutex::new(LiveObjects {
                instances: state.instances.clone(),
                deposed: state.deposed.clone(),
                deposed_keys: HashMap::new(),
            }),
            halted: AtomicBool::new(false),
            cancel: options.cancel.clone(),
            skipped: AtomicUsize::new(0),
        }
    }

    /// The current and deposed objects once the apply is over.
    pub(super) fn into_objects(
        self,
    ) -> (
        BTreeMap<InstanceAddr, InstanceState>,
        BTreeMap<(InstanceAddr, String), InstanceState>,
    ) {
        let objects =
            (self.objects.into_inner()).unwrap_or_else(std::sync::PoisonError::into_inner);
        (objects.instances, objects.deposed)
    }

    /// Whether nothing new may start: interrupted, or a result could not be recorded.
    pub(super) fn stopping(&self) -> bool {
        *self.cancel.borrow() || self.halted.load(Ordering::SeqCst)
    }

    /// Counts an instance change left alone because the apply is stopping.
    pub(super) fn skip(&self) {
        self.skipped.fetch_add(1, Ordering::SeqCst);
    }

    /// The state's objects, locked; the guard must be dropped before any `.await`.
    pub(super) fn objects(&self) -> MutexGuard<'_, LiveObjects> {
        crate::sync::locked(&self.objects)
    }

    /// The current object of `addr`, as it is now.
    pub(super) fn stored(&self, addr: &InstanceAddr) -> Option<InstanceState> {
        self.objects().instances.get(addr).cloned()
    }

    /// Hands a result to the recorder and keeps it; on failure halts the apply.
    pub(super) fn record(&self, addr: &InstanceAddr, instance: Option<InstanceState>) -> bool {
        let result = self.recorder.record(addr, instance.as_ref());
        {
            let instances = &mut self.objects().instances;
            match instance {
                Some(instance) => instances.insert(addr.clone(), instance),
                None => instances.remove(addr),
            };
        }
        self.recorded(result, || addr.to_string())
    }

    /// Hands a deposed change to the recorder and applies it to the kept state; on failure
    /// halts the apply.
    pub(super) fn record_deposed(&self, change: &DeposedChange) -> bool {
        let result = self.recorder.record_deposed(change);
        {
            let objects = &mut *self.objects();
            change.apply_to(&mut objects.instances, &mut objects.deposed);
        }
        self.recorded(result, || {
            format!("{} (deposed object {})", change.addr(), change.key())
        })
    }

    /// True when the recorder saved a result; otherwise reports it and halts the apply.
    fn recorded(&self, result: Result<(), String>, subject: impl FnOnce() -> String) -> bool {
        let Err(message) = result else {
            return true;
        };
        self.halted.store(true, Ordering::SeqCst);
        self.scope.report_one(Diagnostic::error(
            "Failed to record the result of an apply step",
            format!("The result for {} could not be saved: {message}", subject()),
        ));
        false
    }
}
