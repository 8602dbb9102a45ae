//! Frees, during a plan's walk, the values of local values and input variables that nothing
//! left to visit refers to: once every node that depends on one has been visited, no
//! expression reads it again (the walk evaluates an expression only in the visit of the node
//! it belongs to, which depends on all it refers to). A fleet's inventory, read into a local
//! value and passed to a module call, is so held only until the call's arguments are
//! evaluated, and each module instance's variables only until the module's blocks are
//! planned.
//!
//! Outputs, resources, module calls and provider configurations are kept (the plan reads
//! outputs after the walk), and nothing is freed when the configuration has `import` blocks
//! (those whose target has no configuration are evaluated after the walk).

use std::sync::Mutex;

use crate::graph::{ConfigGraph, Node, NodeId};

/// How many not yet visited dependents each node has, for the nodes whose value may be freed.
pub(super) struct ValueRelease {
    /// By node index; `None` for a node whose value is kept.
    remaining: Mutex<Vec<Option<usize>>>,
}

impl ValueRelease {
    /// The counts for `graph`; `enabled` false keeps every value.
    pub(super) fn new(graph: &ConfigGraph, enabled: bool) -> ValueRelease {
        let mut remaining: Vec<Option<usize>> = (0..graph.len())
            .map(|index| {
                let releasable = matches!(
                    graph.node(NodeId::from_index(index)),
                    Node::Local(_) | Node::Variable(_)
                );
                (enabled && releasable).then_some(0)
            })
            .collect();
        for index in 0..graph.len() {
            for dependency in graph.dependencies(NodeId::from_index(index)) {
                if let Some(count) = &mut remaining[dependency.index()] {
                    *count += 1;
                }
            }
        }
        ValueRelease {
            remaining: Mutex::new(remaining),
        }
    }

    /// Notes that `id` was visited; returns its dependencies it was the last dependent of,
    /// whose values may now be freed.
    pub(super) fn visited(&self, id: NodeId, graph: &ConfigGraph) -> Vec<NodeId> {
        let mut remaining = crate::sync::locked(&self.remaining);
        let mut released = Vec::new();
        for dependency in graph.dependencies(id) {
            if let Some(count) = &mut remaining[dependency.index()] {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    released.push(dependency);
                }
            }
        }
        released
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::config::load_sources;

    const FLEET: &str = r#"
variable "environment" {
  default = "production"
}

locals {
  inventory = { a = "A", b = "B" }
  tenants   = local.inventory
  label     = var.environment
}

resource "fake_thing" "t" {
  for_each = local.tenants
  name     = "${each.value}-${local.label}"
}

resource "fake_child" "c" {
  parent_id = local.label
}

output "names" {
  value = [for t in fake_thing.t : t.name]
}
"#;

    fn node(graph: &ConfigGraph, node: Node) -> NodeId {
        graph.id_in(&[], &node).expect("declared")
    }

    fn fleet_graph() -> ConfigGraph {
        let files = BTreeMap::from([("main.tf".to_string(), FLEET.to_string())]);
        let config = load_sources(Path::new("."), files).expect("valid");
        ConfigGraph::build(&config).expect("graph")
    }

    #[test]
    fn a_local_is_released_after_its_last_dependent_and_outputs_never() {
        let graph = fleet_graph();
        let release = ValueRelease::new(&graph, true);
        let local = |name: &str| node(&graph, Node::Local(name.into()));
        let resource = |text: &str| node(&graph, Node::Resource(text.parse().expect("address")));
        assert_eq!(
            release.visited(local("tenants"), &graph),
            [local("inventory")]
        );
        assert_eq!(
            release.visited(local("label"), &graph),
            [node(&graph, Node::Variable("environment".into()))]
        );
        assert_eq!(
            release.visited(resource("fake_thing.t"), &graph),
            [local("tenants")]
        );
        // `local.label` has a second dependent still to visit.
        let released = release.visited(resource("fake_child.c"), &graph);
        assert!(released.contains(&local("label")), "{released:?}");
        let after_output = release.visited(node(&graph, Node::Output("names".into())), &graph);
        assert!(
            after_output.is_empty(),
            "resources are kept: {after_output:?}"
        );
    }

    #[test]
    fn nothing_is_released_when_disabled() {
        let graph = fleet_graph();
        let release = ValueRelease::new(&graph, false);
        for index in 0..graph.len() {
            assert!(
                release
                    .visited(NodeId::from_index(index), &graph)
                    .is_empty()
            );
        }
    }
}
