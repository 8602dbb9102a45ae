//! The dependency graph of a configuration: one node per variable, local value, provider
//! configuration, resource block, output, module call and check block of every module (by
//! static module path), with an edge from every object to each object that refers to it
//! (through expressions or `depends_on`). A module call comes before everything in the
//! module it calls (it decides the module's instances and input values); provider
//! configurations live in the root module and serve every module.
//!
//! The graph is built once per operation in time linear in the size of the configuration;
//! [`walk`] runs work over it in dependency order, in parallel.

pub(crate) mod dot;
mod import_edges;
mod module_edges;
mod provisioner_edges;
pub(crate) mod walk;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use petgraph::Direction;
use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::addrs::{ConfigResourceAddr, ResourceAddr, module_path_string};
use crate::config::{Condition, Config, ModuleCall, Resource};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::lang::{self, Reference, Subject};

pub(crate) use walk::{Dag, Outcome, walk};

/// One object of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Node {
    Variable(String),
    Local(String),
    /// A provider configuration, by local name.
    Provider(String),
    Resource(ResourceAddr),
    Output(String),
    /// A `module` block of the node's module.
    ModuleCall(String),
    /// A `check` block.
    Check(String),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Variable(name) => write!(f, "var.{name}"),
            Node::Local(name) => write!(f, "local.{name}"),
            Node::Provider(name) => write!(f, "provider.{name}"),
            Node::Resource(addr) => write!(f, "{addr}"),
            Node::Output(name) => write!(f, "output.{name}"),
            Node::ModuleCall(name) => write!(f, "module.{name}"),
            Node::Check(name) => write!(f, "check.{name}"),
        }
    }
}

/// A node of a [`ConfigGraph`]: a dense index (`0..len()`), so callers can keep per-node data
/// in vectors, and the node's index in the graph's [`Dag`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NodeId(usize);

impl NodeId {
    /// The node of index `index` of a graph's [`Dag`] (which numbers nodes as the graph does).
    pub(crate) fn from_index(index: usize) -> NodeId {
        NodeId(index)
    }

    /// The node's index, in `0..len()`.
    pub(crate) fn index(self) -> usize {
        self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The graph of one configuration, its nodes named by [`NodeId`].
#[derive(Debug)]
pub(crate) struct ConfigGraph {
    graph: DiGraph<Node, ()>,
    index: HashMap<(Vec<String>, Node), NodeIndex>,
    /// The static module path of each node, by node id.
    modules: Vec<Vec<String>>,
    /// What each node's expressions refer to (deduplicated), by node id.
    references: Vec<Vec<Subject>>,
}

impl ConfigGraph {
    /// Builds the graph, reporting references to undeclared objects and cycles.
    pub(crate) fn build(config: &Config) -> Result<ConfigGraph, Diagnostics> {
        let mut builder = Builder::new(config);
        builder.add_nodes();
        builder.add_edges();
        builder.finish()
    }

    pub(crate) fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Every node id, in index order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.len()).map(NodeId)
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.graph[NodeIndex::new(id.0)]
    }

    /// A root module node's id.
    pub(crate) fn id(&self, node: &Node) -> Option<NodeId> {
        self.id_in(&[], node)
    }

    /// The id of a node of the module at static path `module`.
    pub(crate) fn id_in(&self, module: &[String], node: &Node) -> Option<NodeId> {
        self.index
            .get(&(module.to_vec(), node.clone()))
            .map(|i| NodeId(i.index()))
    }

    /// The static module path of node `id`.
    pub(crate) fn module(&self, id: NodeId) -> &[String] {
        &self.modules[id.0]
    }

    /// The node's name with its module path (`module.t.tenant.x`).
    pub(crate) fn display(&self, id: NodeId) -> String {
        display_node(&self.modules[id.0], self.node(id))
    }

    /// Node ids in dependency order: every node after all of its dependencies.
    #[cfg(test)]
    pub(crate) fn order(&self) -> Vec<NodeId> {
        toposort(&self.graph, None)
            .map(|order| order.into_iter().map(|n| NodeId(n.index())).collect())
            .unwrap_or_default()
    }

    /// What the node's expressions refer to.
    pub(crate) fn references(&self, id: NodeId) -> &[Subject] {
        &self.references[id.0]
    }

    /// The nodes `id` depends on directly.
    pub(crate) fn dependencies(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.graph
            .neighbors_directed(NodeIndex::new(id.0), Direction::Incoming)
            .map(|n| NodeId(n.index()))
    }

    /// Every resource node `id` depends on, directly or through variables, locals, module
    /// calls, outputs, provider configurations and other resources, as configuration
    /// addresses (`module.t.tenant.x`): what Terraform records as an instance's
    /// `dependencies` (all the resources among the node's ancestors).
    pub(crate) fn resource_dependencies(&self, id: NodeId) -> BTreeSet<ConfigResourceAddr> {
        let mut found = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut stack: Vec<NodeId> = self.dependencies(id).collect();
        while let Some(next) = stack.pop() {
            if !seen.insert(next) {
                continue;
            }
            match self.node(next) {
                Node::Resource(addr) => {
                    found.insert(ConfigResourceAddr::new(&self.modules[next.0], addr));
                    stack.extend(self.dependencies(next));
                }
                _ => stack.extend(self.dependencies(next)),
            }
        }
        found
    }

    /// The graph as a [`Dag`] for [`walk`].
    pub(crate) fn dag(&self) -> Dag {
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
    index: HashMap<(Vec<String>, Node), NodeIndex>,
    modules: Vec<Vec<String>>,
    /// The nodes of each module, by static path.
    by_module: HashMap<Vec<String>, Vec<Node>>,
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
            modules: Vec::new(),
            by_module: HashMap::new(),
            edges: HashSet::new(),
            ranges: Vec::new(),
            references: Vec::new(),
            diags: Diagnostics::new(),
        }
    }

    fn add_node(&mut self, path: &[String], node: Node, range: Option<SourceRange>) {
        let key = (path.to_vec(), node);
        if self.index.contains_key(&key) {
            return;
        }
        let idx = self.graph.add_node(key.1.clone());
        self.by_module
            .entry(key.0.clone())
            .or_default()
            .push(key.1.clone());
        self.index.insert(key, idx);
        self.modules.push(path.to_vec());
        self.ranges.push(range);
        self.references.push(Vec::new());
    }

    fn add_nodes(&mut self) {
        let root = self.config;
        self.add_module_nodes(root);
    }

    fn add_module_nodes(&mut self, config: &'a Config) {
        let path = &config.path;
        self.add_named(path, Node::Variable, &config.variables, |v| &v.range);
        self.add_named(path, Node::Local, &config.locals, |l| &l.range);
        if path.is_empty() {
            self.add_named(&[], Node::Provider, &config.providers, |p| &p.range);
        }
        let scoped = config.checks.values().flat_map(|c| c.data.iter());
        for resource in config.resources.values().chain(scoped) {
            self.add_node(&[], Node::Provider(resource.provider.clone()), None);
            self.add_node(
                path,
                Node::Resource(resource.addr.clone()),
                Some(resource.range.clone()),
            );
        }
        self.add_named(path, Node::Output, &config.outputs, |o| &o.range);
        self.add_named(path, Node::ModuleCall, &config.module_calls, |c| &c.range);
        self.add_named(path, Node::Check, &config.checks, |c| &c.range);
        for child in config.children.values() {
            self.add_module_nodes(child);
        }
    }

    /// Adds a node for each named block of the module at static path `path`.
    fn add_named<'c, T: 'c>(
        &mut self,
        path: &[String],
        node: fn(String) -> Node,
        blocks: impl IntoIterator<Item = (&'c String, &'c T)>,
        range: fn(&T) -> &SourceRange,
    ) {
        for (name, block) in blocks {
            self.add_node(path, node(name.clone()), Some(range(block).clone()));
        }
    }

    fn add_edges(&mut self) {
        let root = self.config;
        self.add_module_edges(root);
        self.add_import_edges();
    }

    fn add_module_edges(&mut self, config: &'a Config) {
        let path = config.path.clone();
        let sources = &config.sources;
        for (name, local) in &config.locals {
            let refs = lang::expression_references(&local.expr, &local.file, sources);
            self.add_references(config, Node::Local(name.clone()), refs);
        }
        if path.is_empty() {
            for (name, provider) in &config.providers {
                let refs = lang::body_references(&provider.body, &provider.file, sources);
                self.add_references(config, Node::Provider(name.clone()), refs);
            }
        }
        let scoped = config.checks.values().flat_map(|c| c.data.iter());
        for resource in config.resources.values().chain(scoped) {
            self.add_resource_edges(config, resource);
        }
        for (name, output) in &config.outputs {
            let refs = lang::expression_references(&output.expr, &output.file, sources);
            self.add_references(config, Node::Output(name.clone()), refs);
            let depends_on = &output.depends_on;
            self.add_depends_on(
                config,
                &Node::Output(name.clone()),
                &depends_on.resources,
                &depends_on.modules,
            );
        }
        for (name, check) in &config.checks {
            let refs = check
                .asserts
                .iter()
                .flat_map(|condition| condition_references(condition, sources))
                .collect();
            self.add_references(config, Node::Check(name.clone()), merge(refs));
        }
        for (name, call) in &config.module_calls {
            self.add_module_call_edges(config, name, call);
        }
        if !path.is_empty() {
            self.add_validation_edges(config);
        }
        for child in config.children.values() {
            self.add_module_edges(child);
        }
    }

    /// A module's variable whose validation rules read other variables of the module is
    /// evaluated after them (the root module's are all known before planning starts).
    fn add_validation_edges(&mut self, config: &'a Config) {
        let path = &config.path;
        for (name, variable) in &config.variables {
            for rule in &variable.validations {
                for expr in [&rule.condition, &rule.error_message] {
                    let Ok(refs) =
                        lang::expression_references(expr, &variable.file, &config.sources)
                    else {
                        continue;
                    };
                    for reference in refs {
                        if let Subject::Variable(other) = &reference.subject
                            && other != name
                            && config.variables.contains_key(other)
                        {
                            let target = Node::Variable(name.clone());
                            self.add_edge_between(
                                path,
                                &Node::Variable(other.clone()),
                                path,
                                &target,
                            );
                        }
                    }
                }
            }
        }
    }

    /// The edges into a resource: from what its expressions, conditions and provisioners
    /// refer to, from its provider configuration and from its `depends_on`.
    fn add_resource_edges(&mut self, config: &'a Config, resource: &'a Resource) {
        let sources = &config.sources;
        let node = Node::Resource(resource.addr.clone());
        let file = &resource.file;
        let mut refs = vec![lang::body_references(&resource.body, file, sources)];
        for expr in resource.count.iter().chain(resource.for_each.iter()) {
            refs.push(lang::expression_references(expr, file, sources));
        }
        let rules = &resource.lifecycle_rules;
        for expr in &rules.replace_triggered_by {
            refs.push(lang::expression_references(expr, file, sources));
        }
        for condition in rules.preconditions.iter().chain(&rules.postconditions) {
            refs.extend(condition_references(condition, sources));
        }
        refs.extend(self.provisioner_references(resource, sources));
        self.add_references(config, node.clone(), merge(refs));
        self.add_edge_between(
            &[],
            &Node::Provider(resource.provider.clone()),
            &config.path,
            &node,
        );
        self.add_depends_on(
            config,
            &node,
            &resource.depends_on,
            &resource.depends_on_modules,
        );
    }

    /// The edges into a module call (from its arguments and `depends_on`) and from it to
    /// everything in the module it calls.
    fn add_module_call_edges(&mut self, config: &'a Config, name: &str, call: &'a ModuleCall) {
        let sources = &config.sources;
        let path = &config.path;
        let node = Node::ModuleCall(name.to_string());
        let mut refs = vec![lang::body_references(&call.inputs, &call.file, sources)];
        for expr in call.count.iter().chain(call.for_each.iter()) {
            refs.push(lang::expression_references(expr, &call.file, sources));
        }
        self.add_references(config, node.clone(), merge(refs));
        let depends_on = &call.depends_on;
        self.add_depends_on(config, &node, &depends_on.resources, &depends_on.modules);
        let mut child_path = path.clone();
        child_path.push(name.to_string());
        let child_nodes = self.by_module.get(&child_path).cloned().unwrap_or_default();
        for child in child_nodes {
            self.add_edge_between(path, &node, &child_path, &child);
        }
    }

    fn add_references(
        &mut self,
        config: &Config,
        node: Node,
        refs: Result<Vec<Reference>, Diagnostics>,
    ) {
        let path = &config.path;
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
                Subject::Module { call, output } => {
                    if self.add_module_reference(config, &node, call, output.as_deref(), &reference)
                    {
                        subjects.insert(reference.subject);
                    }
                    continue;
                }
                _ => {
                    subjects.insert(reference.subject);
                    continue;
                }
            };
            if !self.index.contains_key(&(path.clone(), target.clone())) {
                self.diags.push(undeclared(&target, reference.range));
                continue;
            }
            self.add_edge_between(path, &target, path, &node);
            subjects.insert(reference.subject);
        }
        let id = self.index[&(path.clone(), node)].index();
        self.references[id] = subjects.into_iter().collect();
    }

    fn add_edge_between(
        &mut self,
        dependency_path: &[String],
        dependency: &Node,
        dependent_path: &[String],
        dependent: &Node,
    ) {
        let from = self.index[&(dependency_path.to_vec(), dependency.clone())];
        let to = self.index[&(dependent_path.to_vec(), dependent.clone())];
        // A self-reference is a cycle of one; its edge stays so the cycle is reported.
        if self.edges.insert((from, to)) {
            self.graph.add_edge(from, to, ());
        }
    }

    fn finish(mut self) -> Result<ConfigGraph, Diagnostics> {
        if self.diags.has_errors() {
            return Err(self.diags);
        }
        if let Err(cycle) = toposort(&self.graph, None) {
            let path = cycle_path(&self.graph, cycle.node_id());
            let names: Vec<String> = path
                .iter()
                .map(|n| display_node(&self.modules[n.index()], &self.graph[*n]))
                .collect();
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
        Ok(ConfigGraph {
            graph: self.graph,
            index: self.index,
            modules: self.modules,
            references: self.references,
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

/// A node's name with its module path.
fn display_node(module: &[String], node: &Node) -> String {
    if module.is_empty() {
        node.to_string()
    } else {
        format!("{}.{node}", module_path_string(module))
    }
}

/// What a condition's expressions refer to.
fn condition_references(
    condition: &Condition,
    sources: &crate::diags::Sources,
) -> Vec<Result<Vec<Reference>, Diagnostics>> {
    vec![
        lang::expression_references(&condition.condition, &condition.file, sources),
        lang::expression_references(&condition.error_message, &condition.file, sources),
    ]
}

/// All references of several lookups, or all their errors.
fn merge(results: Vec<Result<Vec<Reference>, Diagnostics>>) -> Result<Vec<Reference>, Diagnostics> {
    let mut found = Vec::new();
    let mut diags = Diagnostics::new();
    for result in results {
        match result {
            Ok(refs) => found.extend(refs),
            Err(errors) => diags.extend(errors),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(found)
    }
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
