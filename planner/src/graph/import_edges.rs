//! The edges `import` blocks make: what an import's `id` and `for_each` refer to must be
//! evaluated before the resource it imports to is planned. A target inside a module waits
//! for the root module call that leads to it (which comes before everything in the module).

use crate::config::Import;
use crate::lang::{self, Reference, Subject};

use super::{Builder, Node, undeclared};

impl Builder<'_> {
    /// Adds the edges of every `import` block of the root module.
    pub(super) fn add_import_edges(&mut self) {
        let root = self.config;
        for import in &root.imports {
            let Some(target) = import_node(self, import) else {
                // No configuration for the target: planned after the walk, if at all.
                continue;
            };
            for reference in import_references(self, import) {
                self.add_import_reference(&target, &reference);
            }
        }
    }

    fn add_import_reference(&mut self, target: &Node, reference: &Reference) {
        let root = self.config;
        let dependency = match &reference.subject {
            Subject::Variable(name) => Node::Variable(name.clone()),
            Subject::Local(name) => Node::Local(name.clone()),
            Subject::Resource(addr) => Node::Resource(addr.clone()),
            Subject::Module { call, output } => {
                self.add_module_reference(root, target, call, output.as_deref(), reference);
                return;
            }
            _ => return,
        };
        if !self.index.contains_key(&(Vec::new(), dependency.clone())) {
            self.diags
                .push(undeclared(&dependency, reference.range.clone()));
            return;
        }
        self.add_edge_between(&[], &dependency, &[], target);
    }
}

/// The root module node an import waits on: its resource, or the first module call of its
/// path; `None` when the configuration has no such node.
fn import_node(builder: &Builder<'_>, import: &Import) -> Option<Node> {
    let node = match import.to.modules.first() {
        Some((call, _)) => Node::ModuleCall(call.clone()),
        None => Node::Resource(import.to.resource.clone()),
    };
    builder
        .index
        .contains_key(&(Vec::new(), node.clone()))
        .then_some(node)
}

/// What the import's `id` and `for_each` refer to (problems are reported at evaluation).
fn import_references(builder: &Builder<'_>, import: &Import) -> Vec<Reference> {
    let sources = &builder.config.sources;
    let mut references = Vec::new();
    for expr in std::iter::once(&import.id).chain(import.for_each.iter()) {
        if let Ok(found) = lang::expression_references(expr, &import.file, sources) {
            references.extend(found);
        }
    }
    references
}
