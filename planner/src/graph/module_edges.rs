//! The edges a module call makes: from a call to what `depends_on` names, and from the
//! outputs of a called module to each object that refers to `module.CALL[.OUTPUT]`.

use crate::addrs::ResourceAddr;
use crate::config::Config;
use crate::diags::{Diagnostic, SourceRange};
use crate::lang::Reference;

use super::{Builder, Node, undeclared_resource};

impl Builder<'_> {
    /// Adds the edges of a `depends_on` list: on each named resource, and on everything a
    /// named module call's module declares.
    pub(super) fn add_depends_on(
        &mut self,
        config: &Config,
        node: &Node,
        resources: &[(ResourceAddr, SourceRange)],
        modules: &[(String, SourceRange)],
    ) {
        let path = &config.path;
        for (target, range) in resources {
            if config.resource(target).is_some() {
                self.add_edge_between(path, &Node::Resource(target.clone()), path, node);
            } else {
                self.diags.push(undeclared_resource(target, range.clone()));
            }
        }
        for (call, range) in modules {
            let Some(child) = config.children.get(call) else {
                self.diags.push(undeclared_module(call, range.clone()));
                continue;
            };
            let mut nodes: Vec<Node> = child.outputs.keys().cloned().map(Node::Output).collect();
            nodes.extend(child.resources.keys().cloned().map(Node::Resource));
            for dependency in nodes {
                self.add_edge_between(&child.path, &dependency, path, node);
            }
            self.add_edge_between(path, &Node::ModuleCall(call.clone()), path, node);
        }
    }

    /// Adds the edges a reference to `module.CALL[.OUTPUT]` makes; false when it names
    /// nothing declared (reported).
    pub(super) fn add_module_reference(
        &mut self,
        config: &Config,
        node: &Node,
        call: &str,
        output: Option<&str>,
        reference: &Reference,
    ) -> bool {
        let Some(child) = config.children.get(call) else {
            self.diags
                .push(undeclared_module(call, reference.range.clone()));
            return false;
        };
        let outputs: Vec<String> = match output {
            Some(name) if child.outputs.contains_key(name) => vec![name.to_string()],
            Some(name) => {
                self.diags.push(
                    Diagnostic::error(
                        "Unsupported attribute",
                        format!(
                            "This object does not have an attribute named \"{name}\": module \
                             \"{call}\" declares no such output."
                        ),
                    )
                    .with_range(Some(reference.range.clone())),
                );
                return false;
            }
            None => child.outputs.keys().cloned().collect(),
        };
        for name in outputs {
            self.add_edge_between(&child.path, &Node::Output(name), &config.path, node);
        }
        // The module's instances (its keys) are known once the call is visited.
        self.add_edge_between(
            &config.path,
            &Node::ModuleCall(call.to_string()),
            &config.path,
            node,
        );
        true
    }
}

pub(super) fn undeclared_module(call: &str, range: SourceRange) -> Diagnostic {
    Diagnostic::error(
        "Reference to undeclared module",
        format!("No module call named \"{call}\" is declared in this module."),
    )
    .with_range(Some(range))
}
