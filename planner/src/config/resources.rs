//! Decoding of `resource` and `data` blocks and their meta-arguments: `count`, `for_each`,
//! `provider`, `depends_on`, `lifecycle` and `provisioner`.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use super::load::Loader;
use super::{DependsOn, Resource};
use crate::addrs::{ResourceAddr, ResourceMode};

/// Roots that never start a managed resource reference.
const RESERVED_ROOTS: &[&str] = &[
    "var",
    "local",
    "data",
    "module",
    "path",
    "terraform",
    "count",
    "each",
    "self",
];

impl Loader {
    pub(super) fn resource_block(&mut self, block: &Block, mode: ResourceMode) {
        if let Some(resource) = self.resource(block, mode, None) {
            self.config
                .resources
                .insert(resource.addr.clone(), resource);
        }
    }

    /// Decodes a `resource` or `data` block; `check` names the check block holding a scoped
    /// data source.
    pub(super) fn resource(
        &mut self,
        block: &Block,
        mode: ResourceMode,
        check: Option<&str>,
    ) -> Option<Resource> {
        let addr = self.resource_addr(block, mode)?;
        let header = Self::header_span(block);
        let mut body = block.body.clone();
        let (count, for_each) = self.repetition(&mut body);
        let provider_explicit = body.get_attribute("provider").is_some();
        let (provider, provider_alias) = self.resource_provider(&mut body, &addr);
        let depends_on = self.take_depends_on(&mut body);
        self.refuse_blocks(
            &body,
            "resource",
            &[(
                "_",
                "the meta-argument escaping block is not implemented; no provider schema \
                 served by tenantform has an argument named like a meta-argument.",
            )],
        );
        body.remove_blocks("_");
        let lifecycle = self.take_lifecycle(&mut body);
        let provisioners = match mode {
            ResourceMode::Managed => self.provisioners(&mut body),
            ResourceMode::Data => Vec::new(),
        };
        let lifecycle_rules = match &lifecycle {
            Some(body) => self.lifecycle(body, mode),
            None => super::Lifecycle::default(),
        };
        let resource = Resource {
            addr,
            provider,
            provider_alias,
            provider_explicit,
            body,
            lifecycle,
            lifecycle_rules,
            provisioners,
            depends_on: depends_on.resources,
            depends_on_modules: depends_on.modules,
            check: check.map(str::to_string),
            count,
            for_each,
            file: self.file.clone(),
            range: self.range_or_start(header),
        };
        Some(resource)
    }

    /// The address a `resource` or `data` block declares, when its labels are valid and no
    /// other block of the module declares it.
    fn resource_addr(&mut self, block: &Block, mode: ResourceMode) -> Option<ResourceAddr> {
        let labels = self.labels(block, &["type", "name"])?;
        let (type_name, name) = (labels[0].clone(), labels[1].clone());
        let kind = if mode == ResourceMode::Data {
            "data source"
        } else {
            "resource"
        };
        if !super::load::is_identifier(&type_name) {
            self.error(
                &format!("Invalid {kind} type name"),
                "A name must start with a letter or underscore and may contain only letters, \
                 digits, underscores, and dashes.",
                block.labels[0].span(),
            );
            return None;
        }
        if !self.valid_name(&name, kind, block, 1) {
            return None;
        }
        let addr = ResourceAddr {
            mode,
            type_name: type_name.clone(),
            name: name.clone(),
        };
        let Some(previous) = self.config.resources.get(&addr) else {
            return Some(addr);
        };
        let at = previous.range.short();
        let (summary, detail) = match mode {
            ResourceMode::Managed => (
                format!("Duplicate resource \"{type_name}\" configuration"),
                format!(
                    "A {type_name} resource named \"{name}\" was already declared at {at}. \
                     Resource names must be unique per type in each module."
                ),
            ),
            ResourceMode::Data => (
                format!("Duplicate data \"{type_name}\" configuration"),
                format!(
                    "A {type_name} data resource named \"{name}\" was already declared at \
                     {at}. Resource names must be unique per type in each module."
                ),
            ),
        };
        self.error(&summary, detail, Self::header_span(block));
        None
    }

    /// The provider configuration a resource's `provider` argument names (taken out of
    /// `body`), else the one its type implies.
    fn resource_provider(
        &mut self,
        body: &mut Body,
        addr: &ResourceAddr,
    ) -> (String, Option<String>) {
        let Some(attr) = body.remove_attribute("provider") else {
            return (addr.implied_provider().to_string(), None);
        };
        match provider_reference(&attr.value) {
            Some((name, Some(alias))) => {
                self.not_supported(
                    "A provider configuration alias",
                    &format!(
                        "\"{name}.{alias}\" names an alternate provider configuration, and \
                         only default configurations are implemented."
                    ),
                    attr.value.span(),
                );
                (name, Some(alias))
            }
            Some(reference) => reference,
            None => {
                self.error(
                    "Invalid provider reference",
                    "Provider argument requires a provider name followed by an optional \
                     alias, like \"tenant.secondary\".",
                    attr.value.span(),
                );
                (addr.implied_provider().to_string(), None)
            }
        }
    }

    /// The body of the one `lifecycle` block (taken out of `body`), reporting repeated ones.
    fn take_lifecycle(&mut self, body: &mut Body) -> Option<Body> {
        let mut lifecycles = body.remove_blocks("lifecycle");
        if lifecycles.len() > 1 {
            let first = self.range(lifecycles[0].ident.span()).map(|r| r.short());
            self.error(
                "Duplicate lifecycle block",
                format!(
                    "The lifecycle meta-block may appear only once per resource. Another was \
                     defined at {}.",
                    first.unwrap_or_default()
                ),
                lifecycles[1].ident.span(),
            );
        }
        (!lifecycles.is_empty()).then(|| lifecycles.swap_remove(0).body)
    }

    /// The `count` and `for_each` expressions (taken out of `body`), refusing both together.
    pub(super) fn repetition(
        &mut self,
        body: &mut Body,
    ) -> (Option<Expression>, Option<Expression>) {
        let count = body.remove_attribute("count").map(|a| a.value);
        let for_each = body.remove_attribute("for_each").map(|a| a.value);
        if let (Some(count_expr), Some(_)) = (&count, &for_each) {
            self.error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one \
                 should be used to be explicit about the number of resources to be created.",
                count_expr.span(),
            );
        }
        (count, for_each)
    }

    /// The `depends_on` list (taken out of `body`).
    pub(super) fn take_depends_on(&mut self, body: &mut Body) -> DependsOn {
        match body.remove_attribute("depends_on") {
            Some(attr) => self.depends_on(&attr.value),
            None => DependsOn::default(),
        }
    }

    /// The resources and module calls a `depends_on` list names.
    pub(super) fn depends_on(&mut self, expr: &Expression) -> DependsOn {
        let Expression::Array(items) = expr else {
            self.error(
                "Invalid expression",
                "A static list expression is required.",
                expr.span(),
            );
            return DependsOn::default();
        };
        let mut found = DependsOn::default();
        for item in items {
            if let Some(name) = module_reference(item) {
                found.modules.push((name, self.range_or_start(item.span())));
                continue;
            }
            match resource_reference(item) {
                Some(addr) => found
                    .resources
                    .push((addr, self.range_or_start(item.span()))),
                None => self.error(
                    "Invalid depends_on reference",
                    "References in depends_on must be to a whole resource, such as \
                     tenant.acme or data.tenants.all, not to an attribute of one or to other \
                     objects.",
                    item.span(),
                ),
            }
        }
        found
    }
}

/// The module call a whole-module reference (`module.NAME`) names.
fn module_reference(expr: &Expression) -> Option<String> {
    let Expression::Traversal(traversal) = expr else {
        return None;
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    match (root.value().as_str(), traversal.operators.as_slice()) {
        ("module", [op]) => match op.value() {
            TraversalOperator::GetAttr(name) => Some(name.value().to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `NAME` or `NAME.ALIAS` as written in a `provider` argument.
fn provider_reference(expr: &Expression) -> Option<(String, Option<String>)> {
    match expr {
        Expression::Variable(name) => Some((name.value().to_string(), None)),
        Expression::Traversal(traversal) => {
            let Expression::Variable(name) = &traversal.expr else {
                return None;
            };
            match traversal.operators.as_slice() {
                [op] => match op.value() {
                    TraversalOperator::GetAttr(alias) => {
                        Some((name.value().to_string(), Some(alias.value().to_string())))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The resource a whole-resource reference (`TYPE.NAME` or `data.TYPE.NAME`) names.
pub(super) fn resource_reference(expr: &Expression) -> Option<ResourceAddr> {
    let Expression::Traversal(traversal) = expr else {
        return None;
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let names: Vec<&str> = traversal
        .operators
        .iter()
        .map(|op| match op.value() {
            TraversalOperator::GetAttr(name) => Some(name.value().as_str()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match (root.value().as_str(), names.as_slice()) {
        ("data", [type_name, name]) => Some(ResourceAddr::data(type_name, name)),
        (root, [name]) if !RESERVED_ROOTS.contains(&root) => {
            Some(ResourceAddr::managed(root, name))
        }
        _ => None,
    }
}
