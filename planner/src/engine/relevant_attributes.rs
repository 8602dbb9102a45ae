//! The resource attributes a plan's changes depend on (Terraform's `relevant_attributes`):
//! the references of every resource instance and output that changes, followed through
//! local values, module input variables, module outputs and `count`/`for_each` expressions
//! down to the resource attributes they read, with Terraform's `globalref` rules. Plans show
//! only the drift in these attributes.

use std::collections::{BTreeSet, HashSet};

use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::{AttributePath, PathStep, Type};

use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, static_module_path};
use crate::config::Config;
use crate::lang::references::{
    ReferenceTraversal, block_traversals, body_traversals, expression_traversals,
};
use crate::plan::render::Schemas;
use crate::plan::{Action, OutputChange, RelevantAttribute, ResourceChange};

/// What a plan changes, as far as relevant attributes go.
pub(crate) struct Changed<'a> {
    pub resources: &'a [ResourceChange],
    /// Root module outputs.
    pub outputs: &'a [OutputChange],
    /// The outputs of module instances the plan records as changing, by module instance.
    pub module_outputs: &'a [(Vec<ModuleStep>, String)],
}

/// The attributes the changing resource instances and outputs refer to, directly or
/// indirectly, sorted by resource and path.
pub(crate) fn relevant_attributes(
    config: &Config,
    schemas: &Schemas,
    changed: &Changed<'_>,
) -> Vec<RelevantAttribute> {
    let analyzer = Analyzer { config, schemas };
    let mut pending = Vec::new();
    for change in changed
        .resources
        .iter()
        .filter(|c| c.action != Action::NoOp)
    {
        let resource = GlobalRef::resource(&change.addr.module, &change.addr.resource);
        pending.extend(analyzer.meta_references(&resource));
    }
    let root_outputs = changed
        .outputs
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .map(|o| (&[][..], o.name.as_str()));
    let module_outputs = changed
        .module_outputs
        .iter()
        .map(|(module, name)| (module.as_slice(), name.as_str()));
    for (module_addr, name) in root_outputs.chain(module_outputs) {
        let declared = analyzer
            .module(module_addr)
            .and_then(|module| module.outputs.get(name));
        if let Some(declared) = declared {
            let found = expression_traversals(&declared.expr, &declared.file, &config.sources);
            pending.extend(GlobalRef::all(module_addr, None, found));
        }
    }
    analyzer.contributing_attributes(pending)
}

/// A reference and the module instance it is made in; `repeated` names the resource whose
/// `count` or `for_each` a `count.*` or `each.*` reference reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GlobalRef {
    module: Vec<ModuleStep>,
    repeated: Option<ResourceAddr>,
    traversal: ReferenceTraversal,
}

impl GlobalRef {
    fn all(
        module: &[ModuleStep],
        resource: Option<&ResourceAddr>,
        found: Vec<ReferenceTraversal>,
    ) -> Vec<GlobalRef> {
        found
            .into_iter()
            .map(|traversal| GlobalRef {
                module: module.to_vec(),
                repeated: matches!(traversal.root.as_str(), "count" | "each")
                    .then(|| resource.cloned())
                    .flatten(),
                traversal,
            })
            .collect()
    }

    /// A reference to a whole resource (all of its configuration).
    fn resource(module: &[ModuleStep], addr: &ResourceAddr) -> GlobalRef {
        let mut steps = Vec::new();
        let root = match addr.mode {
            crate::addrs::ResourceMode::Managed => addr.type_name.clone(),
            crate::addrs::ResourceMode::Data => {
                steps.push(PathStep::Attribute(addr.type_name.clone()));
                "data".to_string()
            }
        };
        steps.push(PathStep::Attribute(addr.name.clone()));
        GlobalRef {
            module: module.to_vec(),
            repeated: None,
            traversal: ReferenceTraversal { root, steps },
        }
    }
}

/// What a reference names, as Terraform's reference parser reads it.
#[derive(Debug, PartialEq)]
enum Target<'a> {
    Variable(&'a str),
    Local(&'a str),
    /// `module.NAME[KEY].OUTPUT`; no output for the whole module object.
    ModuleOutputs {
        call: &'a str,
        key: InstanceKey,
        output: Option<&'a str>,
    },
    /// `count.index`, `each.key`, `each.value`.
    Repetition,
    Resource {
        addr: ResourceAddr,
        key: InstanceKey,
        rest: &'a [PathStep],
    },
    /// `path.*`, `terraform.*`, `self` and invalid references: nothing to follow.
    Other,
}

fn attr(step: Option<&PathStep>) -> Option<&str> {
    match step {
        Some(PathStep::Attribute(name)) => Some(name),
        _ => None,
    }
}

/// The instance key an index step selects, if the step is an index.
fn index_key(step: Option<&PathStep>) -> Option<InstanceKey> {
    match step {
        Some(PathStep::IntKey(index)) => Some(InstanceKey::Int(*index)),
        Some(PathStep::StringKey(key)) => Some(InstanceKey::Str(key.clone())),
        _ => None,
    }
}

fn target(traversal: &ReferenceTraversal) -> Target<'_> {
    let steps = traversal.steps.as_slice();
    let first = attr(steps.first());
    match (traversal.root.as_str(), first) {
        ("var", Some(name)) => Target::Variable(name),
        ("local", Some(name)) => Target::Local(name),
        ("count", Some("index")) | ("each", Some("key" | "value")) => Target::Repetition,
        ("module", Some(call)) => {
            let (key, after) = match index_key(steps.get(1)) {
                Some(key) => (key, 2),
                None => (InstanceKey::None, 1),
            };
            Target::ModuleOutputs {
                call,
                key,
                output: attr(steps.get(after)),
            }
        }
        ("data", Some(type_name)) => match attr(steps.get(1)) {
            Some(name) => resource_target(ResourceAddr::data(type_name, name), &steps[2..]),
            None => Target::Other,
        },
        ("var" | "local" | "count" | "each" | "path" | "terraform" | "self", _) => Target::Other,
        (type_name, Some(name)) => {
            resource_target(ResourceAddr::managed(type_name, name), &steps[1..])
        }
        (_, None) => Target::Other,
    }
}

/// A resource reference: a leading index selects an instance, the rest reads into it.
fn resource_target(addr: ResourceAddr, after_name: &[PathStep]) -> Target<'_> {
    match index_key(after_name.first()) {
        Some(key) => Target::Resource {
            addr,
            key,
            rest: &after_name[1..],
        },
        None => Target::Resource {
            addr,
            key: InstanceKey::None,
            rest: after_name,
        },
    }
}

struct Analyzer<'a> {
    config: &'a Config,
    schemas: &'a Schemas,
}

impl Analyzer<'_> {
    /// Follows `pending` through everything they refer to, collecting each resource
    /// attribute met on the way.
    fn contributing_attributes(&self, mut pending: Vec<GlobalRef>) -> Vec<RelevantAttribute> {
        let mut found = BTreeSet::new();
        let mut visited = HashSet::new();
        while let Some(reference) = pending.pop() {
            if !visited.insert(reference.clone()) {
                continue;
            }
            if let Some(attribute) = self.resource_attribute(&reference) {
                found.insert(attribute);
            }
            pending.extend(self.meta_references(&reference));
        }
        found
            .into_iter()
            .map(|(resource, attribute)| RelevantAttribute {
                resource,
                attribute,
            })
            .collect()
    }

    fn module(&self, module: &[ModuleStep]) -> Option<&Config> {
        self.config.descendant(&static_module_path(module))
    }

    fn schema(&self, module: &Config, addr: &ResourceAddr) -> Option<&Block> {
        let resource = module.resource(addr)?;
        let provider = self.schemas.get(&resource.provider)?;
        let types = match addr.mode {
            crate::addrs::ResourceMode::Managed => &provider.resources,
            crate::addrs::ResourceMode::Data => &provider.data_sources,
        };
        types.get(&addr.type_name).map(|schema| &schema.block)
    }

    /// The resource instance and attribute path a resource reference reads, the path cut
    /// where the schema ends (Terraform's `validateRef`).
    fn resource_attribute(&self, reference: &GlobalRef) -> Option<(InstanceAddr, AttributePath)> {
        let Target::Resource { addr, key, rest } = target(&reference.traversal) else {
            return None;
        };
        let block = self.schema(self.module(&reference.module)?, &addr)?;
        let path = AttributePath(walk_block(block, rest));
        let instance = InstanceAddr {
            module: reference.module.clone(),
            resource: addr,
            key,
        };
        Some((instance, path))
    }

    /// The references made by the configuration of the object `reference` names (only the
    /// direct ones), each in the module it is written in.
    fn meta_references(&self, reference: &GlobalRef) -> Vec<GlobalRef> {
        let module_addr = reference.module.as_slice();
        let Some(module) = self.module(module_addr) else {
            return Vec::new();
        };
        let sources = &self.config.sources;
        match target(&reference.traversal) {
            Target::Variable(name) => self.variable_references(module_addr, name),
            Target::Local(name) => match module.locals.get(name) {
                Some(local) => GlobalRef::all(
                    module_addr,
                    None,
                    expression_traversals(&local.expr, &local.file, sources),
                ),
                None => Vec::new(),
            },
            Target::ModuleOutputs { call, key, output } => {
                self.output_references(module_addr, call, key, output)
            }
            Target::Repetition => {
                let Some(resource) = reference.repeated.as_ref().and_then(|r| module.resource(r))
                else {
                    return Vec::new();
                };
                let exprs = resource.count.iter().chain(resource.for_each.iter());
                let found = exprs
                    .flat_map(|expr| expression_traversals(expr, &resource.file, sources))
                    .collect();
                GlobalRef::all(module_addr, None, found)
            }
            Target::Resource { addr, rest, .. } => {
                self.resource_references(module, module_addr, &addr, rest)
            }
            Target::Other => Vec::new(),
        }
    }

    /// A module input variable: the argument of the module call that sets it, in the
    /// calling module. Root module variables refer to nothing.
    fn variable_references(&self, module_addr: &[ModuleStep], name: &str) -> Vec<GlobalRef> {
        let Some((call, caller_addr)) = module_addr.split_last() else {
            return Vec::new();
        };
        let Some(call) = self
            .module(caller_addr)
            .and_then(|caller| caller.module_calls.get(&call.name))
        else {
            return Vec::new();
        };
        match call.inputs.get_attribute(name) {
            Some(argument) => GlobalRef::all(
                caller_addr,
                None,
                expression_traversals(&argument.value, &call.file, &self.config.sources),
            ),
            None => Vec::new(),
        }
    }

    /// A module output (or, with no output named, all of the module's outputs): the output's
    /// value expression, in the called module.
    fn output_references(
        &self,
        module_addr: &[ModuleStep],
        call: &str,
        key: InstanceKey,
        output: Option<&str>,
    ) -> Vec<GlobalRef> {
        let mut callee_addr = module_addr.to_vec();
        callee_addr.push(ModuleStep {
            name: call.to_string(),
            key,
        });
        let Some(callee) = self.module(&callee_addr) else {
            return Vec::new();
        };
        let found = callee
            .outputs
            .values()
            .filter(|declared| output.is_none_or(|name| name == declared.name))
            .flat_map(|declared| {
                expression_traversals(&declared.expr, &declared.file, &self.config.sources)
            })
            .collect();
        GlobalRef::all(&callee_addr, None, found)
    }

    /// A resource: the expression of the attribute `rest` starts with, the nested blocks of
    /// the block type it names, or the whole configuration when it names nothing.
    fn resource_references(
        &self,
        module: &Config,
        module_addr: &[ModuleStep],
        addr: &ResourceAddr,
        rest: &[PathStep],
    ) -> Vec<GlobalRef> {
        let (Some(resource), Some(block)) = (module.resource(addr), self.schema(module, addr))
        else {
            return Vec::new();
        };
        let sources = &self.config.sources;
        let file = resource.file.as_str();
        let found = match rest.first().and_then(step_name) {
            None => body_traversals(&resource.body, file, sources),
            Some(name) if block.attributes.contains_key(name) => {
                match resource.body.get_attribute(name) {
                    Some(argument) => expression_traversals(&argument.value, file, sources),
                    None => Vec::new(),
                }
            }
            Some(name) if block.block_types.contains_key(name) => resource
                .body
                .blocks()
                .filter(|nested| nested_block_named(nested, name))
                .flat_map(|nested| block_traversals(nested, file, sources))
                .collect(),
            Some(_) => Vec::new(),
        };
        GlobalRef::all(module_addr, Some(addr), found)
    }
}

/// The attribute name a step selects within a block (`.name` or `["name"]`).
fn step_name(step: &PathStep) -> Option<&str> {
    match step {
        PathStep::Attribute(name) | PathStep::StringKey(name) => Some(name),
        PathStep::IntKey(_) => None,
    }
}

/// A block of type `name`, written directly or as `dynamic "name"`.
fn nested_block_named(block: &hcl_edit::structure::Block, name: &str) -> bool {
    let ident = block.ident.as_str();
    ident == name
        || (ident == "dynamic"
            && matches!(block.labels.as_slice(), [label] if label.as_str() == name))
}

/// The part of `steps` the schema block has, as Terraform's `walkBlock` keeps it.
fn walk_block(block: &Block, steps: &[PathStep]) -> Vec<PathStep> {
    let Some(name) = steps.first().and_then(step_name) else {
        return Vec::new();
    };
    let mut path = vec![PathStep::Attribute(name.to_string())];
    if let Some(attribute) = block.attributes.get(name) {
        path.extend(walk_type(&attribute.ty, &steps[1..]));
    } else if let Some(nested) = block.block_types.get(name) {
        path.extend(walk_nested_block(nested, &steps[1..]));
    } else {
        return Vec::new();
    }
    path
}

fn walk_nested_block(
    nested: &tenantform_proto::schema::NestedBlock,
    steps: &[PathStep],
) -> Vec<PathStep> {
    let index = match nested.nesting {
        Nesting::Single | Nesting::Group => return walk_block(&nested.block, steps),
        Nesting::List => integer_index(steps.first()),
        Nesting::Map => string_index(steps.first()),
        Nesting::Set => None,
    };
    let Some(index) = index else {
        return Vec::new();
    };
    let mut path = vec![index];
    path.extend(walk_block(&nested.block, &steps[1..]));
    path
}

/// The part of `steps` a value of type `ty` has.
fn walk_type(ty: &Type, steps: &[PathStep]) -> Vec<PathStep> {
    let (step, inner) = match ty {
        Type::List(element) => (integer_index(steps.first()), Some(element.as_ref())),
        Type::Map(element) => (string_index(steps.first()), Some(element.as_ref())),
        Type::Object(attributes) => match steps.first().and_then(step_name) {
            Some(name) => (
                Some(PathStep::Attribute(name.to_string())),
                attributes.get(name),
            ),
            None => (None, None),
        },
        Type::Tuple(elements) => match integer_index(steps.first()) {
            Some(PathStep::IntKey(index)) => (
                Some(PathStep::IntKey(index)),
                usize::try_from(index).ok().and_then(|i| elements.get(i)),
            ),
            _ => (None, None),
        },
        _ => (None, None),
    };
    match (step, inner) {
        (Some(step), Some(inner)) => {
            let mut path = vec![step];
            path.extend(walk_type(inner, &steps[1..]));
            path
        }
        _ => Vec::new(),
    }
}

/// A step as a list index (`[0]`, or a name or key that reads as a number).
fn integer_index(step: Option<&PathStep>) -> Option<PathStep> {
    match step? {
        PathStep::IntKey(index) => Some(PathStep::IntKey(*index)),
        PathStep::Attribute(text) | PathStep::StringKey(text) => {
            text.parse().ok().map(PathStep::IntKey)
        }
    }
}

/// A step as a map key.
fn string_index(step: Option<&PathStep>) -> Option<PathStep> {
    match step? {
        PathStep::IntKey(index) => Some(PathStep::StringKey(index.to_string())),
        PathStep::Attribute(text) | PathStep::StringKey(text) => {
            Some(PathStep::StringKey(text.clone()))
        }
    }
}

#[cfg(test)]
mod tests;
