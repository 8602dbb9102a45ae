//! `moved` and `removed` blocks: decoding their addresses with Terraform's rules.
//!
//! A `moved` block's `from` and `to` are relative to the module holding the block. They
//! unify into one of four kinds, as Terraform's `UnifyMoveEndpoints` does: when either side
//! has an instance key both sides are resource instances (a side without a key is the
//! instance without a key); otherwise both are whole resources; module sides likewise
//! become module instances or whole module calls. A `removed` block names a resource or a
//! module call, never an instance.

use std::fmt;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Block;

use super::load::Loader;
use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode};
use crate::diags::SourceRange;

/// One side of a `moved` block, relative to the module holding the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MoveEndpoint {
    /// `module.a`, `module.a["x"]`, `module.a.module.b[1]`.
    Module(Vec<ModuleStep>),
    /// `tenant.a`, `tenant.a[0]`, `module.t["x"].tenant.a`.
    Resource(InstanceAddr),
}

/// What a `moved` statement moves, after unifying its two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MoveKind {
    /// Every instance of a module call (`module.a` -> `module.b`).
    ModuleCall,
    /// One module instance (`module.a` -> `module.b["x"]`).
    ModuleInstance,
    /// Every instance of a resource (`tenant.a` -> `tenant.b`).
    Resource,
    /// One resource instance (`tenant.a` -> `tenant.b[0]`).
    ResourceInstance,
}

/// A `moved` block.
#[derive(Clone, Debug)]
pub(crate) struct Moved {
    pub from: MoveEndpoint,
    pub to: MoveEndpoint,
    pub kind: MoveKind,
    /// The block's type keyword, `moved`.
    pub range: SourceRange,
}

/// What a `removed` block names, relative to the module holding the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RemoveTarget {
    /// A resource (no instance key) in a module below the block's module (static path).
    Resource {
        module: Vec<String>,
        resource: ResourceAddr,
    },
    /// A module call (static path, no instance keys).
    Module(Vec<String>),
}

/// A `removed` block.
#[derive(Clone, Debug)]
pub(crate) struct Removed {
    pub from: RemoveTarget,
    /// `lifecycle { destroy = ... }`; true unless set to false.
    pub destroy: bool,
    /// Destroy-time `local-exec` provisioners, run before the objects are destroyed.
    pub provisioners: Vec<super::Provisioner>,
}

impl fmt::Display for MoveEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoveEndpoint::Module(steps) => {
                write!(f, "{}", crate::addrs::module_instance_string(steps))
            }
            MoveEndpoint::Resource(addr) => write!(f, "{addr}"),
        }
    }
}

impl fmt::Display for RemoveTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoveTarget::Resource { module, resource } => write!(
                f,
                "{}",
                crate::addrs::config_resource_string(module, resource)
            ),
            RemoveTarget::Module(path) => write!(f, "{}", crate::addrs::module_path_string(path)),
        }
    }
}

impl MoveEndpoint {
    fn has_key(&self) -> bool {
        match self {
            MoveEndpoint::Module(steps) => steps.last().is_some_and(|s| s.key != InstanceKey::None),
            MoveEndpoint::Resource(addr) => addr.key != InstanceKey::None,
        }
    }
}

/// The kind both sides unify to, or `None` when one names a module and the other a resource.
pub(super) fn unify(from: &MoveEndpoint, to: &MoveEndpoint) -> Option<MoveKind> {
    let keyed = from.has_key() || to.has_key();
    match (from, to) {
        (MoveEndpoint::Resource(_), MoveEndpoint::Resource(_)) if keyed => {
            Some(MoveKind::ResourceInstance)
        }
        (MoveEndpoint::Resource(_), MoveEndpoint::Resource(_)) => Some(MoveKind::Resource),
        (MoveEndpoint::Module(_), MoveEndpoint::Module(_)) if keyed => {
            Some(MoveKind::ModuleInstance)
        }
        (MoveEndpoint::Module(_), MoveEndpoint::Module(_)) => Some(MoveKind::ModuleCall),
        _ => None,
    }
}

/// One step of an address traversal: a name and the key indexing it, if any.
type Step = (String, Option<InstanceKey>, Option<std::ops::Range<usize>>);

/// Why an address could not be read: summary, detail and where.
type AddrError = (&'static str, String, Option<std::ops::Range<usize>>);

const STATIC_REFERENCE: &str = "A single static variable reference is required: only attribute \
     access and indexing with constant keys. No calculations, function calls, template \
     expressions, etc are allowed here.";

/// The steps of a static traversal (`module.a["x"].tenant.b[0]`).
fn traversal_steps(expr: &Expression) -> Result<Vec<Step>, AddrError> {
    let invalid = || {
        (
            "Invalid expression",
            STATIC_REFERENCE.to_string(),
            expr.span(),
        )
    };
    let (root, ops) = match expr {
        Expression::Variable(name) => (name, &[][..]),
        Expression::Traversal(traversal) => match &traversal.expr {
            Expression::Variable(name) => (name, traversal.operators.as_slice()),
            _ => return Err(invalid()),
        },
        _ => return Err(invalid()),
    };
    let mut steps: Vec<Step> = vec![(root.value().to_string(), None, root.span())];
    for op in ops {
        let key = match op.value() {
            TraversalOperator::GetAttr(name) => {
                steps.push((name.value().to_string(), None, name.span()));
                continue;
            }
            TraversalOperator::Index(Expression::String(key)) => {
                InstanceKey::Str(key.value().clone())
            }
            TraversalOperator::Index(Expression::Number(n)) => match n.value().as_i64() {
                Some(i) => InstanceKey::Int(i),
                None => return Err(invalid()),
            },
            TraversalOperator::LegacyIndex(n) => match i64::try_from(*n.value()) {
                Ok(i) => InstanceKey::Int(i),
                Err(_) => return Err(invalid()),
            },
            _ => return Err(invalid()),
        };
        match steps.last_mut() {
            Some(last) if last.1.is_none() => last.1 = Some(key),
            _ => {
                return Err((
                    "Invalid address",
                    "Unexpected index: only one instance key may follow each name.".into(),
                    op.span(),
                ));
            }
        }
    }
    Ok(steps)
}

/// Splits leading `module.NAME[KEY]` steps from the rest.
fn module_prefix(steps: &[Step]) -> Result<(Vec<ModuleStep>, &[Step]), AddrError> {
    let mut module = Vec::new();
    let mut rest = steps;
    while let Some((first, tail)) = rest.split_first() {
        if first.0 != "module" {
            break;
        }
        let Some((call, tail)) = tail.split_first() else {
            return Err((
                "Invalid address",
                "Prefix \"module.\" must be followed by a module name.".into(),
                first.2.clone(),
            ));
        };
        if first.1.is_some() {
            return Err((
                "Invalid address",
                "Prefix \"module.\" must be followed by a module name.".into(),
                first.2.clone(),
            ));
        }
        module.push(ModuleStep {
            name: call.0.clone(),
            key: call.1.clone().unwrap_or(InstanceKey::None),
        });
        rest = tail;
    }
    Ok((module, rest))
}

/// The resource part of an address: `TYPE.NAME[KEY]` or `data.TYPE.NAME[KEY]`.
fn resource_part(steps: &[Step]) -> Result<(ResourceAddr, InstanceKey), AddrError> {
    let fail = |detail: &str, span| Err(("Invalid address", detail.to_string(), span));
    let (mode, steps) = match steps.split_first() {
        Some((first, rest)) if first.0 == "data" && first.1.is_none() => (ResourceMode::Data, rest),
        _ => (ResourceMode::Managed, steps),
    };
    match steps {
        [(type_name, None, _), (name, key, _)] => Ok((
            ResourceAddr {
                mode,
                type_name: type_name.clone(),
                name: name.clone(),
            },
            key.clone().unwrap_or(InstanceKey::None),
        )),
        [(_, Some(_), span), ..] => {
            fail("Resource type may not have an instance key.", span.clone())
        }
        [_, _, (_, _, span), ..] => fail(
            "Resource instance key must be given in square brackets.",
            span.clone(),
        ),
        _ => fail(
            "Resource specification must include a resource type and name.",
            steps.first().and_then(|s| s.2.clone()),
        ),
    }
}

fn move_endpoint(expr: &Expression) -> Result<MoveEndpoint, AddrError> {
    let steps = traversal_steps(expr)?;
    let (module, rest) = module_prefix(&steps)?;
    if rest.is_empty() {
        return Ok(MoveEndpoint::Module(module));
    }
    let (resource, key) = resource_part(rest)?;
    Ok(MoveEndpoint::Resource(InstanceAddr {
        module,
        resource,
        key,
    }))
}

fn remove_target(expr: &Expression) -> Result<RemoveTarget, AddrError> {
    let steps = traversal_steps(expr)?;
    let (module, rest) = module_prefix(&steps)?;
    if module.iter().any(|step| step.key != InstanceKey::None) {
        return Err((
            "Module instance keys not allowed",
            "Module address must be a module (e.g. \"module.foo\"), not a module instance \
             (e.g. \"module.foo[1]\")."
                .into(),
            expr.span(),
        ));
    }
    let path: Vec<String> = module.into_iter().map(|step| step.name).collect();
    if rest.is_empty() {
        return Ok(RemoveTarget::Module(path));
    }
    let (resource, key) = resource_part(rest)?;
    if key != InstanceKey::None {
        return Err((
            "Resource instance keys not allowed",
            "Resource address must be a resource (e.g. \"test_instance.foo\"), not a resource \
             instance (e.g. \"test_instance.foo[1]\")."
                .into(),
            expr.span(),
        ));
    }
    if resource.mode == ResourceMode::Data {
        return Err((
            "Data source address not allowed",
            "Data sources are never destroyed, so they are not valid targets of removed \
             blocks. To remove the data source from state, remove the data source block from \
             configuration."
                .into(),
            expr.span(),
        ));
    }
    Ok(RemoveTarget::Resource {
        module: path,
        resource,
    })
}

impl Loader {
    /// `moved { from = ADDR  to = ADDR }`.
    pub(super) fn moved_block(&mut self, block: &Block) {
        if self.labels(block, &[]).is_none() {
            return;
        }
        self.check_arguments(&block.body, &["from", "to"], &[]);
        let from = self.endpoint_argument(block, "from", move_endpoint);
        let to = self.endpoint_argument(block, "to", move_endpoint);
        let (Some(from), Some(to)) = (from, to) else {
            return;
        };
        let Some(kind) = unify(&from, &to) else {
            self.error(
                "Invalid \"moved\" addresses",
                "The \"from\" and \"to\" addresses must either both refer to resources or both \
                 refer to modules.",
                block.ident.span(),
            );
            return;
        };
        let range = self.range_or_start(block.ident.span());
        self.config.moved.push(Moved {
            from,
            to,
            kind,
            range,
        });
    }

    /// `removed { from = ADDR  lifecycle { destroy = BOOL } }`.
    pub(super) fn removed_block(&mut self, block: &Block) {
        if self.labels(block, &[]).is_none() {
            return;
        }
        self.check_arguments(
            &block.body,
            &["from"],
            &["lifecycle", "connection", "provisioner"],
        );
        let from = self.endpoint_argument(block, "from", remove_target);
        let destroy = self.removed_destroy(block);
        let Some(from) = from else {
            return;
        };
        let provisioners = self.removed_provisioners(block, &from);
        self.config.removed.push(Removed {
            from,
            destroy: destroy.unwrap_or(true),
            provisioners,
        });
    }

    /// The destroy-time provisioners of a `removed` block naming a managed resource.
    fn removed_provisioners(
        &mut self,
        block: &Block,
        from: &RemoveTarget,
    ) -> Vec<super::Provisioner> {
        let mut provisioners = Vec::new();
        for nested in block.body.blocks() {
            let span = Self::header_span(nested);
            match (nested.ident.value().as_str(), from) {
                ("connection", _) => self.error(
                    "Unsupported block type",
                    "connection blocks are not supported by tenantform: they serve the \
                     remote-exec and file provisioners, which tenantform does not run.",
                    span,
                ),
                ("provisioner", RemoveTarget::Module(_)) => self.error(
                    "Invalid provisioner block",
                    "Provisioners are valid only when a removed block targets a managed resource.",
                    span,
                ),
                ("provisioner", RemoveTarget::Resource { .. }) => {
                    let Some(provisioner) = self.provisioner(nested) else {
                        continue;
                    };
                    if provisioner.when != super::ProvisionerWhen::Destroy {
                        self.error(
                            "Invalid provisioner block",
                            "Only destroy-time provisioners are valid in \"removed\" blocks. \
                             To declare a destroy-time provisioner, use:\n    when = destroy",
                            span,
                        );
                        continue;
                    }
                    provisioners.push(provisioner);
                }
                _ => {}
            }
        }
        provisioners
    }

    /// The `destroy` argument of a `removed` block's `lifecycle` block.
    fn removed_destroy(&mut self, block: &Block) -> Option<bool> {
        let mut destroy = None;
        for lifecycle in block
            .body
            .blocks()
            .filter(|b| b.ident.value().as_str() == "lifecycle")
        {
            self.check_arguments(&lifecycle.body, &["destroy"], &[]);
            if let Some(attr) = lifecycle.body.get_attribute("destroy") {
                destroy = self.constant_bool(&attr.value, "destroy");
            }
        }
        destroy
    }

    /// Reads a required address argument with `parse`, reporting what is wrong.
    fn endpoint_argument<T>(
        &mut self,
        block: &Block,
        name: &str,
        parse: fn(&Expression) -> Result<T, AddrError>,
    ) -> Option<T> {
        let attr = self.required_attribute(&block.body, name, Self::header_span(block))?;
        match parse(&attr.value) {
            Ok(value) => Some(value),
            Err((summary, detail, span)) => {
                self.error(summary, detail, span.or_else(|| attr.value.span()));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
