//! The dependency graph in the DOT language, as `terraform graph` prints it: by default the
//! resources only (Terraform 1.7+ style: one cluster per module, an edge from each resource
//! to the nearest resources it depends on), and with `-type=plan` the whole operation graph with
//! variables, locals, outputs, module calls and provider configurations, transitively
//! reduced, in Terraform's `[root] ADDR (expand)` naming.

use std::collections::{BTreeMap, BTreeSet};

use super::{ConfigGraph, Node, NodeId};
use crate::addrs::{ConfigResourceAddr, config_resource_string, module_path_string};

/// The resources-only graph.
pub(crate) fn resources_dot(graph: &ConfigGraph) -> String {
    let mut resources: Vec<(String, String, String, NodeId)> = graph
        .ids()
        .filter_map(|id| match graph.node(id) {
            Node::Resource(addr) => Some((
                module_path_string(graph.module(id)),
                addr.to_string(),
                config_resource_string(graph.module(id), addr),
                id,
            )),
            _ => None,
        })
        .collect();
    resources.sort();
    let mut out = String::from(
        "digraph G {\n  rankdir = \"RL\";\n  node [shape = rect, fontname = \"sans-serif\"];\n",
    );
    let mut current_module = String::new();
    for (module, local, full, _) in &resources {
        if *module != current_module {
            if !current_module.is_empty() {
                out.push_str("  }\n");
            }
            current_module = module.clone();
            out.push_str(&format!(
                "  subgraph {} {{\n    label = {}\n    fontname = \"sans-serif\"\n",
                quote(&format!("cluster_{module}")),
                quote(module)
            ));
        }
        let indent = if module.is_empty() { "  " } else { "    " };
        out.push_str(&format!(
            "{indent}{} [label={}];\n",
            quote(full),
            quote(local)
        ));
    }
    if !current_module.is_empty() {
        out.push_str("  }\n");
    }
    // A resource depends on the nearest resources on each path; those already reached
    // through another of them are left out, as in Terraform's reduced graph.
    let edges: BTreeMap<String, BTreeSet<String>> = resources
        .iter()
        .map(|(_, _, full, id)| {
            let dependencies = graph.resource_dependencies(*id);
            let names = dependencies
                .into_iter()
                .map(ConfigResourceAddr::into_string);
            (full.clone(), names.collect())
        })
        .collect();
    let reduced = transitive_reduction(&edges);
    for (_, _, full, _) in &resources {
        for dependency in reduced.get(full).into_iter().flatten() {
            out.push_str(&format!("  {} -> {};\n", quote(full), quote(dependency)));
        }
    }
    out.push_str("}\n");
    out
}

/// The operation graph of a plan; `provider_source` gives a provider's fully qualified
/// source address by local name.
pub(crate) fn plan_dot(graph: &ConfigGraph, provider_source: &dyn Fn(&str) -> String) -> String {
    let names = PlanNames {
        graph,
        provider_source,
    };
    let reduced = transitive_reduction(&plan_edges(&names));
    let mut out = String::from(
        "digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tsubgraph \"root\" {\n",
    );
    for (node, label, shape) in declared_nodes(&names) {
        out.push_str(&format!(
            "\t\t{} [label = {}, shape = \"{shape}\"]\n",
            quote(&node),
            quote(&label)
        ));
    }
    for (from, targets) in &reduced {
        for to in targets {
            out.push_str(&format!("\t\t{} -> {}\n", quote(from), quote(to)));
        }
    }
    out.push_str("\t}\n}\n");
    out
}

/// Names nodes as Terraform's plan graph does.
struct PlanNames<'g> {
    graph: &'g ConfigGraph,
    provider_source: &'g dyn Fn(&str) -> String,
}

impl PlanNames<'_> {
    fn name(&self, id: NodeId) -> String {
        let graph = self.graph;
        match graph.node(id) {
            Node::Provider(local) => self.provider(local),
            Node::Variable(_) if graph.module(id).is_empty() => {
                format!("[root] {}", graph.display(id))
            }
            _ => format!("[root] {} (expand)", graph.display(id)),
        }
    }

    fn provider(&self, local: &str) -> String {
        provider_name(&(self.provider_source)(local))
    }
}

/// Every edge of the plan graph, before reduction: each node's dependencies, each provider's
/// close node after what it serves, and the module close nodes after their outputs.
fn plan_edges(names: &PlanNames<'_>) -> BTreeMap<String, BTreeSet<String>> {
    let graph = names.graph;
    let name = |id| names.name(id);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for id in graph.ids() {
        let from = name(id);
        let targets = edges.entry(from).or_default();
        targets.extend(graph.dependencies(id).map(name));
    }
    let root = "[root] root".to_string();
    for id in graph.ids() {
        match graph.node(id) {
            Node::Provider(local) => {
                let close = format!("{} (close)", names.provider(local));
                let served: BTreeSet<String> = graph
                    .ids()
                    .filter(|&other| graph.dependencies(other).any(|d| d == id))
                    .map(name)
                    .collect();
                edges.entry(close.clone()).or_default().extend(served);
                edges.entry(root.clone()).or_default().insert(close);
            }
            Node::Output(_) if graph.module(id).is_empty() => {
                edges.entry(root.clone()).or_default().insert(name(id));
            }
            Node::Output(_) => {
                let module = graph.module(id);
                let close = format!("[root] {} (close)", module_path_string(module));
                edges.entry(close.clone()).or_default().insert(name(id));
                let parent = match module.len() {
                    1 => root.clone(),
                    len => format!("[root] {} (close)", module_path_string(&module[..len - 1])),
                };
                edges.entry(parent).or_default().insert(close);
            }
            _ => {}
        }
    }
    edges
}

/// The nodes the plan graph declares with a label and shape (providers, resources, root
/// variables), sorted by name.
fn declared_nodes(names: &PlanNames<'_>) -> Vec<(String, String, &'static str)> {
    let graph = names.graph;
    let mut declared: Vec<(String, String, &str)> = graph
        .ids()
        .filter_map(|id| {
            let shape = match graph.node(id) {
                Node::Provider(_) => "diamond",
                Node::Resource(_) => "box",
                Node::Variable(_) if graph.module(id).is_empty() => "note",
                _ => return None,
            };
            let label = match graph.node(id) {
                Node::Provider(local) => names
                    .provider(local)
                    .trim_start_matches("[root] ")
                    .to_string(),
                _ => graph.display(id),
            };
            Some((names.name(id), label, shape))
        })
        .collect();
    declared.sort();
    declared
}

fn provider_name(source: &str) -> String {
    format!("[root] provider[{}]", quote(source))
}

/// A DOT string literal.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Drops every edge `a -> c` for which another path from `a` to `c` exists.
fn transitive_reduction(
    edges: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut reduced = BTreeMap::new();
    for (from, targets) in edges {
        let mut reachable_indirectly = BTreeSet::new();
        for target in targets {
            let mut stack: Vec<&String> = edges
                .get(target)
                .map(|next| next.iter().collect())
                .unwrap_or_default();
            while let Some(node) = stack.pop() {
                if reachable_indirectly.insert(node.clone())
                    && let Some(next) = edges.get(node)
                {
                    stack.extend(next.iter());
                }
            }
        }
        let kept: BTreeSet<String> = targets
            .iter()
            .filter(|t| !reachable_indirectly.contains(*t))
            .cloned()
            .collect();
        if !kept.is_empty() {
            reduced.insert(from.clone(), kept);
        }
    }
    reduced
}

#[cfg(test)]
mod tests;
