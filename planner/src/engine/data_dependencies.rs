//! When a data source must wait for apply although its configuration is known: Terraform
//! reads it during apply when a managed resource it depends on has a change planned. Its
//! dependencies are the managed resources its configuration refers to directly, everything
//! upstream of what its `depends_on` names, and, when it has pre- or postconditions,
//! everything upstream of it at all.

use std::collections::BTreeSet;

use crate::addrs::{ConfigResourceAddr, ResourceMode, static_module_path};
use crate::config::Resource;
use crate::graph::NodeId;
use crate::graph::{ConfigGraph, Node};

use super::plan::Planner;
use super::plan_instance::Subject;

impl Planner<'_> {
    /// True when a managed resource the data source depends on has a change planned in the
    /// data source's own module instance (or, outside its module, in any instance).
    pub(super) fn data_dependencies_pending(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
    ) -> bool {
        let graph = self.scope.graph;
        let module = static_module_path(&subject.addr.module);
        let Some(id) = graph.id_in(&module, &Node::Resource(resource.addr.clone())) else {
            return false;
        };
        let dependencies = data_dependencies(graph, id, resource);
        let accumulated = self.accumulated();
        dependencies.into_iter().any(|dependency| {
            let Node::Resource(addr) = graph.node(dependency) else {
                return false;
            };
            if graph.module(dependency) == module.as_slice() {
                let in_module = (subject.addr.module.clone(), addr.clone());
                accumulated.changed_in_module.contains(&in_module)
            } else {
                let anywhere = ConfigResourceAddr::new(graph.module(dependency), addr);
                accumulated.changed_resources.contains(&anywhere)
            }
        })
    }
}

/// The managed resource nodes a data source node depends on, by Terraform's rules.
fn data_dependencies(graph: &ConfigGraph, id: NodeId, resource: &Resource) -> BTreeSet<NodeId> {
    let direct: Vec<NodeId> = graph.dependencies(id).collect();
    let mut found: BTreeSet<NodeId> = direct
        .iter()
        .copied()
        .filter(|d| is_managed(graph, *d))
        .collect();
    let has_conditions = !resource.lifecycle_rules.preconditions.is_empty()
        || !resource.lifecycle_rules.postconditions.is_empty();
    let explicit = !resource.depends_on.is_empty() || !resource.depends_on_modules.is_empty();
    if has_conditions || explicit {
        // Terraform cannot tell which upstream resource an explicit dependency (or a
        // condition) is about, so it waits for all of them.
        let mut stack = direct;
        let mut seen = BTreeSet::new();
        while let Some(next) = stack.pop() {
            if !seen.insert(next) {
                continue;
            }
            if is_managed(graph, next) {
                found.insert(next);
            }
            stack.extend(graph.dependencies(next));
        }
    }
    found
}

fn is_managed(graph: &ConfigGraph, id: NodeId) -> bool {
    matches!(graph.node(id), Node::Resource(addr) if addr.mode == ResourceMode::Managed)
}
