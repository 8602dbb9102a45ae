//! `-target=ADDR`: which resources a plan covers. A target names a resource, a resource
//! instance, a module call or a module instance; the plan covers what it names and every
//! resource those depend on.

use std::collections::HashSet;

use crate::addrs::InstanceAddr;
use crate::graph::{ConfigGraph, Node};

/// The targets of a plan, resolved against the graph.
pub(crate) struct Targeting {
    targets: Vec<String>,
    /// Resource nodes a target names.
    named: HashSet<usize>,
    /// Nodes a named node depends on (directly or not).
    needed: HashSet<usize>,
}

/// What the plan does with the instances of one resource node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coverage {
    /// Plan every instance.
    All,
    /// Plan only the instances a target names.
    Named,
    /// Plan nothing.
    None,
}

impl Targeting {
    /// `None` when there are no targets (the plan covers everything).
    pub fn new(graph: &ConfigGraph, targets: &[String]) -> Option<Targeting> {
        if targets.is_empty() {
            return None;
        }
        let configs: Vec<String> = targets.iter().map(|t| without_keys(t)).collect();
        let mut named = HashSet::new();
        for id in 0..graph.len() {
            if !matches!(graph.node(id), Node::Resource(_)) {
                continue;
            }
            let name = graph.display(id);
            if configs.iter().any(|t| covers(t, &name)) {
                named.insert(id);
            }
        }
        let mut needed = HashSet::new();
        let mut stack: Vec<usize> = named.iter().copied().collect();
        while let Some(id) = stack.pop() {
            for dependency in graph.dependencies(id) {
                if needed.insert(dependency) {
                    stack.push(dependency);
                }
            }
        }
        Some(Targeting {
            targets: targets.to_vec(),
            named,
            needed,
        })
    }

    pub fn coverage(&self, id: usize) -> Coverage {
        if self.needed.contains(&id) {
            Coverage::All
        } else if self.named.contains(&id) {
            Coverage::Named
        } else {
            Coverage::None
        }
    }

    /// True when a target names this instance (or its resource or module).
    pub fn names(&self, addr: &InstanceAddr) -> bool {
        let text = addr.to_string();
        self.targets.iter().any(|t| covers(t, &text))
    }
}

/// True when `target` is `text` or a prefix of it ending at a step or key boundary.
fn covers(target: &str, text: &str) -> bool {
    text.strip_prefix(target)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// An address with its instance keys removed (`module.t["a"].x.y[0]` -> `module.t.x.y`).
fn without_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut in_string = false;
    for c in text.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_cover_their_instances_and_modules() {
        assert!(covers("tenant.x", "tenant.x[0]"));
        assert!(covers("module.t", "module.t[\"a\"].tenant.x"));
        assert!(!covers("tenant.x", "tenant.xy"));
        assert_eq!(without_keys("module.t[\"a]\"].x.y[0]"), "module.t.x.y");
    }
}
