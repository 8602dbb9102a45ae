//! The instances of each module as a walk learns them, by static module path, and the
//! module instances the walk visits no node of (a change-scoped plan that is only shown
//! skips the tenants it leaves out whole). Lists are shared, not copied, with each node
//! visit that iterates them: a fleet's module has ten thousand instances and dozens of
//! nodes.

use std::sync::Arc;

use super::fast_map::{FastMap, FastSet};
use super::scope::ModuleInstance;
use crate::addrs::ModuleStep;

/// Module instances by static path (`["tenant"]` for `module.tenant["a"]`).
#[derive(Debug)]
pub(super) struct ModuleInstances {
    all: FastMap<Vec<String>, Arc<Vec<ModuleInstance>>>,
    /// Module instances no node visit evaluates anything in.
    skipped: FastSet<ModuleInstance>,
    /// The instances of a path less the skipped ones, made when first asked for after a
    /// change.
    walked: FastMap<Vec<String>, Arc<Vec<ModuleInstance>>>,
}

impl ModuleInstances {
    /// The root module's one instance, nothing else yet.
    pub(super) fn new() -> ModuleInstances {
        ModuleInstances {
            all: FastMap::from_iter([(Vec::new(), Arc::new(vec![Vec::new()]))]),
            skipped: FastSet::default(),
            walked: FastMap::default(),
        }
    }

    /// Every instance of the module at `path` known so far.
    pub(super) fn all(&self, path: &[String]) -> Arc<Vec<ModuleInstance>> {
        self.all.get(path).cloned().unwrap_or_default()
    }

    /// The instances of the module at `path` node visits evaluate in: all but the skipped.
    pub(super) fn walked(&mut self, path: &[String]) -> Arc<Vec<ModuleInstance>> {
        if self.skipped.is_empty() {
            return self.all(path);
        }
        if let Some(walked) = self.walked.get(path) {
            return walked.clone();
        }
        let walked: Vec<ModuleInstance> = self
            .all(path)
            .iter()
            .filter(|instance| !self.skipped.contains(*instance))
            .cloned()
            .collect();
        let walked = Arc::new(walked);
        self.walked.insert(path.to_vec(), walked.clone());
        walked
    }

    /// Adds new instances of the module at `path`.
    pub(super) fn extend(&mut self, path: &[String], instances: Vec<ModuleInstance>) {
        self.walked.remove(path);
        match self.all.get_mut(path) {
            Some(known) => Arc::make_mut(known).extend(instances),
            None => {
                self.all.insert(path.to_vec(), Arc::new(instances));
            }
        }
    }

    /// From now on no node visit evaluates anything in `instance`.
    pub(super) fn skip(&mut self, instance: &[ModuleStep]) {
        let path: Vec<String> = instance.iter().map(|step| step.name.clone()).collect();
        self.walked.remove(&path);
        self.skipped.insert(instance.to_vec());
    }

    /// Whether node visits evaluate nothing in `instance`.
    pub(super) fn is_skipped(&self, instance: &[ModuleStep]) -> bool {
        !self.skipped.is_empty() && self.skipped.contains(instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addrs::InstanceKey;

    fn tenant(key: &str) -> ModuleInstance {
        vec![ModuleStep {
            name: "tenant".into(),
            key: InstanceKey::Str(key.into()),
        }]
    }

    #[test]
    fn skipped_instances_are_left_out_of_the_walked_list_only() {
        let mut instances = ModuleInstances::new();
        let path = vec!["tenant".to_string()];
        instances.extend(&path, vec![tenant("a"), tenant("b")]);
        assert_eq!(instances.walked(&path).len(), 2);
        instances.skip(&tenant("a"));
        assert_eq!(*instances.walked(&path), vec![tenant("b")]);
        assert_eq!(instances.all(&path).len(), 2);
        assert!(instances.is_skipped(&tenant("a")));
        assert!(!instances.is_skipped(&tenant("b")));
        instances.extend(&path, vec![tenant("c")]);
        assert_eq!(*instances.walked(&path), vec![tenant("b"), tenant("c")]);
        assert_eq!(*instances.all(&[]), vec![Vec::new()]);
        assert!(instances.all(&["other".to_string()]).is_empty());
    }
}
