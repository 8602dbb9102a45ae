//! Decoding of `import` blocks: `to` (a resource instance address whose keys may use
//! `each.key` / `each.value`), `id`, `for_each` and `provider`, with Terraform's load-time
//! errors (root module only, duplicate targets, data sources). `identity` and provider
//! aliases are refused, as tenantform does not support them yet.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Block;

use super::load::Loader;
use tenantform_proto::value::Value;

use crate::addrs::{InstanceKey, ResourceAddr, module_path_string};
use crate::diags::SourceRange;
use crate::lang::EvalContext;

/// An `import` block of the root module.
#[derive(Clone, Debug)]
pub(crate) struct Import {
    pub to: ImportTo,
    pub id: Expression,
    pub for_each: Option<Expression>,
    pub file: String,
    /// The `import` keyword (Terraform's declaration range).
    pub range: SourceRange,
    /// The `to` expression.
    pub to_range: SourceRange,
    /// The `id` expression.
    pub id_range: SourceRange,
    /// The `provider` argument's range, when it is set (always the default provider).
    pub provider_range: Option<SourceRange>,
}

/// The `to` address: module calls and the resource, each with its key expression.
#[derive(Clone, Debug)]
pub(crate) struct ImportTo {
    pub modules: Vec<(String, Option<KeyExpr>)>,
    pub resource: ResourceAddr,
    pub key: Option<KeyExpr>,
}

/// An index in a `to` address: `[0]`, `.0`, `["acme"]` or `[each.key]`.
#[derive(Clone, Debug)]
pub(crate) enum KeyExpr {
    Legacy(u64),
    Expr(Expression),
}

impl ImportTo {
    /// The static module path of the target.
    pub(crate) fn module_path(&self) -> Vec<String> {
        self.modules.iter().map(|(name, _)| name.clone()).collect()
    }

    /// The configuration address (`module.t.tenant.this`), as Terraform names it in messages.
    pub(crate) fn config_string(&self) -> String {
        crate::addrs::config_resource_string(&self.module_path(), &self.resource)
    }
}

/// One segment of a `to` traversal.
enum Segment {
    Name(String),
    Key(KeyExpr),
}

impl Loader {
    pub(super) fn import_block(&mut self, block: &Block) {
        if !self.config.path.is_empty() {
            self.refuse_import_in_module(block);
            return;
        }
        if self.labels(block, &[]).is_none() {
            return;
        }
        let body = &block.body;
        self.check_arguments(body, &["provider", "for_each", "id", "to", "identity"], &[]);
        let attr = |name: &str| body.get_attribute(name).map(|a| a.value.clone());
        if let Some(identity) = body.get_attribute("identity") {
            self.error(
                "Unsupported import identity",
                "An import block's \"identity\" argument imports by resource identity; resource \
                 identity is not supported by tenantform yet. Use \"id\" instead.",
                identity.key.span(),
            );
            return;
        }
        let Some(to_expr) = self.required_attribute(body, "to", block.ident.span()) else {
            return;
        };
        let to_expr = to_expr.value.clone();
        let Some(id) = attr("id") else {
            self.error(
                "Invalid import block",
                "At least one of 'id' or 'identity' must be specified.",
                block.ident.span(),
            );
            return;
        };
        let Some(to) = self.import_to(&to_expr) else {
            return;
        };
        let provider = body.get_attribute("provider");
        if let Some(provider) = provider {
            self.import_provider(&to, &provider.value);
        }
        let import = Import {
            provider_range: provider.map(|p| self.range_or_start(p.span())),
            range: self.range_or_start(block.ident.span()),
            to_range: self.range_or_start(to_expr.span()),
            id_range: self.range_or_start(id.span()),
            to,
            id,
            for_each: attr("for_each"),
            file: self.file.clone(),
        };
        self.check_duplicate_import(&import);
        self.config.imports.push(import);
    }

    /// Terraform's error for import blocks outside the root module, once per module.
    fn refuse_import_in_module(&mut self, block: &Block) {
        let reported = self
            .diags
            .0
            .iter()
            .any(|d| d.summary == "Invalid import configuration");
        if !reported {
            self.error(
                "Invalid import configuration",
                format!(
                    "An import block was detected in {:?}. Import blocks are only allowed in the \
                     root module.",
                    module_path_string(&self.config.path)
                ),
                block.ident.span(),
            );
        }
    }

    /// Parses `to`; reports what is not a managed resource instance address.
    fn import_to(&mut self, expr: &Expression) -> Option<ImportTo> {
        let invalid = |loader: &mut Loader, detail: &str| {
            loader.error("Invalid address", detail.to_string(), expr.span());
            None
        };
        let Some(segments) = segments(expr) else {
            return invalid(self, "A resource instance address is required here.");
        };
        let mut rest = segments.into_iter().peekable();
        let mut modules = Vec::new();
        while matches!(rest.peek(), Some(Segment::Name(n)) if n == "module") {
            rest.next();
            let Some(Segment::Name(call)) = rest.next() else {
                return invalid(
                    self,
                    "Prefix \"module.\" must be followed by a module name.",
                );
            };
            let key = match rest.peek() {
                Some(Segment::Key(_)) => match rest.next() {
                    Some(Segment::Key(key)) => Some(key),
                    _ => None,
                },
                _ => None,
            };
            modules.push((call, key));
        }
        if matches!(rest.peek(), Some(Segment::Name(n)) if n == "data") {
            self.error(
                "Invalid import address",
                "Only managed resources can be imported.",
                expr.span(),
            );
            return None;
        }
        let (Some(Segment::Name(type_name)), Some(Segment::Name(name))) =
            (rest.next(), rest.next())
        else {
            return invalid(self, "A resource instance address is required here.");
        };
        let key = match rest.next() {
            None => None,
            Some(Segment::Key(key)) => Some(key),
            Some(Segment::Name(_)) => {
                return invalid(
                    self,
                    "Resource instance key must be given in square brackets.",
                );
            }
        };
        if rest.next().is_some() {
            return invalid(self, "Unexpected extra operators after address.");
        }
        Some(ImportTo {
            modules,
            resource: ResourceAddr::managed(&type_name, &name),
            key,
        })
    }

    /// `provider = NAME` naming the default configuration of the resource's provider is
    /// accepted; aliases and other providers are refused.
    fn import_provider(&mut self, to: &ImportTo, expr: &Expression) {
        if !to.modules.is_empty() {
            self.error(
                "Invalid import provider argument",
                "The provider argument can only be specified in import blocks that will \
                 generate configuration.\n\nUse the providers argument within the module block \
                 to configure providers for all resources within a module, including imported \
                 resources.",
                expr.span(),
            );
            return;
        }
        let implied = to.resource.implied_provider().to_string();
        match segments(expr).as_deref() {
            Some([Segment::Name(name)]) if *name == implied => {}
            Some([Segment::Name(name), Segment::Name(alias)]) => self.error(
                "Unsupported provider alias",
                format!(
                    "The import block names the provider configuration \"{name}.{alias}\"; \
                     provider aliases are not supported by tenantform yet."
                ),
                expr.span(),
            ),
            _ => self.error(
                "Unsupported import provider",
                format!(
                    "The import block names a provider other than \"{implied}\", the default \
                     provider of {}; choosing another provider for an import is not supported \
                     by tenantform yet.",
                    to.resource
                ),
                expr.span(),
            ),
        }
    }

    /// Terraform's check for two blocks importing to the same statically known instance.
    fn check_duplicate_import(&mut self, import: &Import) {
        let Some(addr) = static_target(import) else {
            return;
        };
        let earlier = self
            .config
            .imports
            .iter()
            .find(|other| static_target(other).as_deref() == Some(addr.as_str()));
        if let Some(earlier) = earlier {
            let detail = format!(
                "An import block for the resource {:?} was already declared at {}. A resource \
                 can have only one import block.",
                import.to.config_string(),
                earlier.range.short()
            );
            self.diags.push(
                crate::diags::Diagnostic::error(
                    format!(
                        "Duplicate import configuration for {:?}",
                        import.to.config_string()
                    ),
                    detail,
                )
                .with_range(Some(import.to_range.clone())),
            );
        }
    }
}

/// The instance address of an import block whose `to` needs no evaluation (no `for_each`,
/// literal keys).
fn static_target(import: &Import) -> Option<String> {
    if import.for_each.is_some() {
        return None;
    }
    let key_text = |key: &Option<KeyExpr>| -> Option<String> {
        match key {
            None => Some(String::new()),
            Some(KeyExpr::Legacy(n)) => Some(format!("[{n}]")),
            Some(KeyExpr::Expr(expr)) => {
                let sources = crate::diags::Sources::default();
                let value =
                    crate::lang::evaluate(expr, &EvalContext::default(), "", &sources).ok()?;
                Some(format!("[{}]", instance_key(&value).ok()?))
            }
        }
    };
    let mut text = String::new();
    for (name, key) in &import.to.modules {
        text.push_str(&format!("module.{name}{}.", key_text(key)?));
    }
    text.push_str(&format!(
        "{}{}",
        import.to.resource,
        key_text(&import.to.key)?
    ));
    Some(text)
}

/// The instance key an evaluated index value names: a whole number or a string.
pub(crate) fn instance_key(value: &Value) -> Result<InstanceKey, String> {
    match value {
        Value::String(s) => Ok(InstanceKey::Str(s.clone())),
        Value::Number(n) => n
            .as_i64()
            .filter(|_| n.is_integer())
            .map(InstanceKey::Int)
            .ok_or_else(|| "an instance key must be a whole number or a string".to_string()),
        Value::Unknown => Err("the instance key is not known".to_string()),
        Value::Null => Err("an instance key must not be null".to_string()),
        _ => Err("an instance key must be a whole number or a string".to_string()),
    }
}

/// The segments of a traversal expression (`a.b["k"].c`), or `None` for other expressions.
fn segments(expr: &Expression) -> Option<Vec<Segment>> {
    match expr {
        Expression::Variable(name) => Some(vec![Segment::Name(name.value().to_string())]),
        Expression::Traversal(traversal) => {
            let Expression::Variable(root) = &traversal.expr else {
                return None;
            };
            let mut out = vec![Segment::Name(root.value().to_string())];
            for op in &traversal.operators {
                out.push(match op.value() {
                    TraversalOperator::GetAttr(name) => Segment::Name(name.value().to_string()),
                    TraversalOperator::Index(index) => Segment::Key(KeyExpr::Expr(index.clone())),
                    TraversalOperator::LegacyIndex(n) => Segment::Key(KeyExpr::Legacy(*n.value())),
                    _ => return None,
                });
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
