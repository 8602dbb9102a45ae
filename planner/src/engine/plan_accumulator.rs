//! What a plan walk accumulates while its visits run in parallel: the planned changes, the
//! drift and untouched instances it reports, and the facts later visits ask about (which
//! stored instances are handled, which resources change, how each instance was planned).
//! The planner keeps it behind one lock, never held across an `.await`.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use tenantform_proto::value::Value;

use crate::addrs::{ConfigResourceAddr, InstanceAddr, ModuleStep, ResourceAddr};
use crate::lang::Sensitivity;
use crate::plan::{Action, ResourceChange};

use super::fast_map::{FastMap, FastSet};

/// What a planned instance looked like, for `replace_triggered_by`.
#[derive(Clone, Debug)]
pub(super) struct Outcome {
    pub action: Action,
    pub prior: Arc<Value>,
    pub planned: Arc<Value>,
}

#[derive(Default)]
pub(super) struct PlanAccumulator {
    /// The planned changes, in no particular order.
    pub changes: Vec<ResourceChange>,
    /// Stored instances a targeted plan leaves out.
    pub untouched: Vec<ResourceChange>,
    /// Current objects the refresh found changed or deleted outside of tenantform.
    pub drift: Vec<ResourceChange>,
    /// Stored instances the resource visits took care of.
    pub handled: FastSet<InstanceAddr>,
    /// Root module call instances a change-scoped plan leaves out whole without a change
    /// per instance: their stored instances are taken care of too.
    pub left_out_modules: FastSet<ModuleStep>,
    /// Planned instances, kept only when some resource has `replace_triggered_by`.
    pub outcomes: FastMap<InstanceAddr, Outcome>,
    keep_outcomes: bool,
    /// Configuration addresses of resources with a planned change.
    pub changed_resources: HashSet<ConfigResourceAddr>,
    /// The same, by module instance: `(module instance, resource)`.
    pub changed_in_module: HashSet<(Vec<ModuleStep>, ResourceAddr)>,
    /// Resource instances the configuration declares (noted only when there are moves).
    pub declared: BTreeSet<InstanceAddr>,
    /// The marks of the planned objects the walk refers to, each kept once: a fleet's
    /// instances of one type are marked alike.
    marks: HashSet<Arc<Sensitivity>>,
}

impl PlanAccumulator {
    /// An empty accumulator; `keep_outcomes` when some resource has `replace_triggered_by`.
    /// Room is made for `stored` changes, one per stored instance (what a plan without
    /// additions has), so that a fleet's changes are not copied as the list grows.
    pub(super) fn new(keep_outcomes: bool, stored: usize) -> PlanAccumulator {
        PlanAccumulator {
            keep_outcomes,
            changes: Vec::with_capacity(stored),
            ..PlanAccumulator::default()
        }
    }

    /// The marks `marks`, shared with every planned object marked alike.
    pub(super) fn shared_marks(&mut self, marks: Sensitivity) -> Arc<Sensitivity> {
        if let Some(shared) = self.marks.get(&marks) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(marks);
        self.marks.insert(Arc::clone(&shared));
        shared
    }

    /// Records a planned change of a configured instance. A no-op keeps no configuration:
    /// nothing reads it (apply changes nothing for it), and a fleet's no-ops would otherwise
    /// hold a copy of every object's configuration.
    pub(super) fn add_change(&mut self, mut change: ResourceChange) {
        if change.action == Action::NoOp {
            change.config = Value::Null;
        } else {
            self.changed_resources.insert(change.addr.config_resource());
            self.changed_in_module
                .insert((change.addr.module.clone(), change.addr.resource.clone()));
        }
        if self.keep_outcomes {
            self.outcomes.insert(
                change.addr.clone(),
                Outcome {
                    action: change.action,
                    prior: Arc::clone(&change.prior),
                    planned: Arc::clone(&change.planned),
                },
            );
        }
        self.changes.push(change);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::resource_change;

    #[test]
    fn a_no_op_keeps_no_configuration_and_a_change_keeps_its_own() {
        let object = |name: &str| Value::Object([("name".to_string(), Value::string(name))].into());
        let mut accumulator = PlanAccumulator::new(false, 2);
        accumulator.add_change(resource_change(
            "tenant.same",
            Action::NoOp,
            object("a"),
            object("a"),
        ));
        accumulator.add_change(resource_change(
            "tenant.renamed",
            Action::Update,
            object("a"),
            object("b"),
        ));
        assert_eq!(accumulator.changes[0].config, Value::Null);
        assert_eq!(accumulator.changes[1].config, object("b"));
        let changed: Vec<String> = accumulator
            .changed_resources
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(changed, ["tenant.renamed"]);
    }

    #[test]
    fn objects_marked_alike_share_their_marks() {
        let mut accumulator = PlanAccumulator::default();
        let password =
            || Sensitivity::attributes([("password".to_string(), Sensitivity::Whole)].into());
        let first = accumulator.shared_marks(password());
        let second = accumulator.shared_marks(password());
        let other = accumulator.shared_marks(Sensitivity::None);
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(*first, password());
    }
}
