//! The dependency graph of a configuration: one node per variable, local value, provider
//! configuration, resource block and output, with an edge from every object to each object
//! that refers to it (through expressions or `depends_on`).
//!
//! The graph is built once per operation in time linear in the size of the configuration;
//! [`walk`] runs work over it in dependency order, in parallel.

pub mod walk;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use petgraph::Direction;
use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::addrs::ResourceAddr;
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::lang::{self, Reference, Subject};

pub use walk::{Dag, Outcome, walk};

/// One object of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Variable(String),
    Local(String),
    /// A provider configuration, by local name.
    Provider(String),
    Resource(ResourceAddr),
    Output(String),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Variable(name) => write!(f, "var.{name}"),
            Node::Local(name) => write!(f, "local.{name}"),
            Node::Provider(name) => write!(f, "provider.{name}"),
            Node::Resource(addr) => write!(f, "{addr}"),
            Node::Output(name) => write!(f, "output.{name}"),
        }
    }
}

/// The graph of one configuration. Node ids are dense indices (`0..len()`), so callers can
/// keep per-node data in vectors.
#[derive(Debug)]
pub struct ConfigGraph {
    graph: DiGraph<Node, ()>,
    index: HashMap<Node, NodeIndex>,
    /// What each node's expressions refer to (deduplicated), by node id.
    references: Vec<Vec<Subject>>,
    /// Node ids, every node after all of its dependencies.
    order: Vec<usize>,
}

impl ConfigGraph {
    /// Builds the graph, reporting references to undeclared objects and cycles.
    pub fn build(config: &Config) -> Result<ConfigGraph, Diagnostics> {
        let mut builder = Builder::new(config);
        builder.add_nodes();
        builder.add_edges();
        builder.finish()
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn node(&self, id: usize) -> &Node {
        &self.graph[NodeIndex::new(id)]
    }

    pub fn id(&self, node: &Node) -> Option<usize> {
        self.index.get(node).map(|i| i.index())
    }

    /// Node ids in dependency order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// What the node's expressions refer to.
    pub fn references(&self, id: usize) -> &[Subject] {
        &self.references[id]
    }

    /// The nodes `id` depends on directly.
    pub fn dependencies(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        self.graph
            .neighbors_directed(NodeIndex::new(id), Direction::Incoming)
            .map(|n| n.index())
    }

    /// The resources node `id` depends on, looking through variables, locals and provider
    /// configurations but stopping at the first resource on each path.
    pub fn resource_dependencies(&self, id: usize) -> BTreeSet<ResourceAddr> {
        let mut found = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = self.dependencies(id).collect();
        while let Some(next) = stack.pop() {
            if !seen.insert(next) {
                continue;
            }
            match self.node(next) {
                Node::Resource(addr) => {
                    found.insert(addr.clone());
                }
                _ => stack.extend(self.dependencies(next)),
            }
        }
        found
    }

    /// The graph as a [`Dag`] for [`walk`].
    pub fn dag(&self) -> Dag {
        let mut dag = Dag::new(self.len());
        for edge in self.graph.raw_edges() {
            dag.add_edge(edge.source().index(), edge.target().index());
        }
        dag
    }
}

struct Builder<'a> {
    config: &'a Config,
    graph: DiGraph<Node, ()>,
    index: HashMap<Node, NodeIndex>,
    /// The edges added so far (a provider has an edge to each of its resources, so asking
    /// the graph would cost the provider's degree per edge).
    edges: HashSet<(NodeIndex, NodeIndex)>,
    ranges: Vec<Option<SourceRange>>,
    references: Vec<Vec<Subject>>,
    diags: Diagnostics,
}

impl<'a> Builder<'a> {
    fn new(config: &'a Config) -> Builder<'a> {
        Builder {
            config,
            graph: DiGraph::new(),
            index: HashMap::new(),
            edges: HashSet::new(),
            ranges: Vec::new(),
            references: Vec::new(),
            diags: Diagnostics::new(),
        }
    }

    fn add_node(&mut self, node: Node, range: Option<SourceRange>) {
        if self.index.contains_key(&node) {
            return;
        }
        let idx = self.graph.add_node(node.clone());
        self.index.insert(node, idx);
        self.ranges.push(range);
        self.references.push(Vec::new());
    }

    fn add_nodes(&mut self) {
        let config = self.config;
        for (name, variable) in &config.variables {
            self.add_node(Node::Variable(name.clone()), Some(variable.range.clone()));
        }
        for (name, local) in &config.locals {
            self.add_node(Node::Local(name.clone()), Some(local.range.clone()));
        }
        for (name, provider) in &config.providers {
            self.add_node(Node::Provider(name.clone()), Some(provider.range.clone()));
        }
        for (addr, resource) in &config.resources {
            self.add_node(Node::Provider(resource.provider.clone()), None);
            self.add_node(Node::Resource(addr.clone()), Some(resource.range.clone()));
        }
        for (name, output) in &config.outputs {
            self.add_node(Node::Output(name.clone()), Some(output.range.clone()));
        }
    }

    fn add_edges(&mut self) {
        let config = self.config;
        let sources = &config.sources;
        for (name, local) in &config.locals {
            let refs = lang::expression_references(&local.expr, &local.file, sources);
            self.add_references(Node::Local(name.clone()), refs);
        }
        for (name, provider) in &config.providers {
            let refs = lang::body_references(&provider.body, &provider.file, sources);
            self.add_references(Node::Provider(name.clone()), refs);
        }
        for (addr, resource) in &config.resources {
            let node = Node::Resource(addr.clone());
            let mut refs = lang::body_references(&resource.body, &resource.file, sources);
            for expr in resource.count.iter().chain(resource.for_each.iter()) {
                let more = lang::expression_references(expr, &resource.file, sources);
                refs = match (refs, more) {
                    (Ok(mut a), Ok(b)) => {
                        a.extend(b);
                        Ok(a)
                    }
                    (Err(mut a), Err(b)) => {
                        a.extend(b);
                        Err(a)
                    }
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
            }
            self.add_references(node.clone(), refs);
            self.add_edge_to(&Node::Provider(resource.provider.clone()), &node);
            for (target, range) in &resource.depends_on {
                if config.resources.contains_key(target) {
                    self.add_edge_to(&Node::Resource(target.clone()), &node);
                } else {
                    self.diags.push(undeclared_resource(target, range.clone()));
                }
            }
        }
        for (name, output) in &config.outputs {
            let refs = lang::expression_references(&output.expr, &output.file, sources);
            self.add_references(Node::Output(name.clone()), refs);
        }
    }

    fn add_references(&mut self, node: Node, refs: Result<Vec<Reference>, Diagnostics>) {
        let refs = match refs {
            Ok(refs) => refs,
            Err(diags) => {
                self.diags.extend(diags);
                return;
            }
        };
        let mut subjects = BTreeSet::new();
        for reference in refs {
            let target = match &reference.subject {
                Subject::Variable(name) => Node::Variable(name.clone()),
                Subject::Local(name) => Node::Local(name.clone()),
                Subject::Resource(addr) => Node::Resource(addr.clone()),
                _ => {
                    subjects.insert(reference.subject);
                    continue;
                }
            };
            if !self.index.contains_key(&target) {
                self.diags.push(undeclared(&target, reference.range));
                continue;
            }
            self.add_edge_to(&target, &node);
            subjects.insert(reference.subject);
        }
        let id = self.index[&node].index();
        self.references[id] = subjects.into_iter().collect();
    }

    fn add_edge_to(&mut self, dependency: &Node, dependent: &Node) {
        let from = self.index[dependency];
        let to = self.index[dependent];
        // A self-reference is a cycle of one; its edge stays so the cycle is reported.
        if self.edges.insert((from, to)) {
            self.graph.add_edge(from, to, ());
        }
    }

    fn finish(mut self) -> Result<ConfigGraph, Diagnostics> {
        if self.diags.has_errors() {
            return Err(self.diags);
        }
        let order = match toposort(&self.graph, None) {
            Ok(order) => order.into_iter().map(|n| n.index()).collect(),
            Err(cycle) => {
                let path = cycle_path(&self.graph, cycle.node_id());
                let names: Vec<String> = path.iter().map(|n| self.graph[*n].to_string()).collect();
                let range = path.iter().find_map(|n| self.ranges[n.index()].clone());
                self.diags.push(
                    Diagnostic::error(
                        format!("Cycle: {}", names.join(", ")),
                        "Each object in this list refers to the next one, so there is no order \
                         in which they can be evaluated. Remove one of the references.",
                    )
                    .with_range(range),
                );
                return Err(self.diags);
            }
        };
        Ok(ConfigGraph {
            graph: self.graph,
            index: self.index,
            references: self.references,
            order,
        })
    }
}

/// A cycle through `start`, as the list of nodes from `start` back to `start`, each node
/// followed by one it refers to.
fn cycle_path(graph: &DiGraph<Node, ()>, start: NodeIndex) -> Vec<NodeIndex> {
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(current) = queue.pop_front() {
        for next in graph.neighbors_directed(current, Direction::Incoming) {
            if next == start {
                let mut path = vec![start];
                let mut at = current;
                let mut reversed = Vec::new();
                while at != start {
                    reversed.push(at);
                    at = parent[&at];
                }
                path.extend(reversed.into_iter().rev());
                path.push(start);
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = parent.entry(next) {
                slot.insert(current);
                queue.push_back(next);
            }
        }
    }
    vec![start, start]
}

fn undeclared(target: &Node, range: SourceRange) -> Diagnostic {
    let (summary, detail) = match target {
        Node::Variable(name) => (
            "Reference to undeclared input variable",
            format!("An input variable with the name {name:?} has not been declared."),
        ),
        Node::Local(name) => (
            "Reference to undeclared local value",
            format!("A local value with the name {name:?} has not been declared."),
        ),
        Node::Resource(addr) => return undeclared_resource(addr, range),
        other => (
            "Reference to undeclared object",
            format!("{other} has not been declared."),
        ),
    };
    Diagnostic::error(summary, detail).with_range(Some(range))
}

fn undeclared_resource(addr: &ResourceAddr, range: SourceRange) -> Diagnostic {
    Diagnostic::error(
        "Reference to undeclared resource",
        format!(
            "A managed resource {:?} {:?} has not been declared in the root module.",
            addr.type_name, addr.name
        ),
    )
    .with_range(Some(range))
}

#[cfg(test)]
mod tests;
