//! Finding what expressions refer to. Terraform's reserved roots (`var`, `local`, `data`,
//! `module`, `path`, `terraform`, `count`, `each`, `self`) name their objects; any other root
//! `A.B` is the managed resource `A.B`. Names bound by `for` expressions, template `for`
//! directives and `dynamic` block iterators are not references.
//!
//! [`expression_traversals`] gives the same references as written, with the static part of
//! their traversal (`tenant.acme.id`, `module.t["a"].out`), for analyses that need to know
//! which attribute a reference reads.

use crate::lang::parse::is_shadowed_key;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::{Decorated, Span};
use tenantform_proto::value::PathStep;

use super::traversal::attr_name;
use super::{Reference, Subject};
use crate::addrs::ResourceAddr;
use crate::diags::{Diagnostic, Diagnostics, Sources};

/// Everything `expr` (in `file`) refers to. Unsupported reference forms are errors.
pub(crate) fn expression_references(
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Result<Vec<Reference>, Diagnostics> {
    references_of(file, sources, |walker| walker.expr(expr))
}

/// Everything the attributes and nested blocks of `body` refer to.
pub(crate) fn body_references(
    body: &Body,
    file: &str,
    sources: &Sources,
) -> Result<Vec<Reference>, Diagnostics> {
    references_of(file, sources, |walker| walker.body(body))
}

/// The references `walk` finds.
fn references_of(
    file: &str,
    sources: &Sources,
    walk: impl FnOnce(&mut Walker<'_>),
) -> Result<Vec<Reference>, Diagnostics> {
    let mut walker = Walker::new(file, sources);
    walk(&mut walker);
    walker.finish()
}

/// A reference as written: its root name and the static steps that follow it, up to the
/// first step that is not an attribute name or a literal index (as HCL's `Variables` cuts
/// traversals: `tenant.acme[count.index].id` is `tenant.acme`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ReferenceTraversal {
    pub root: String,
    pub steps: Vec<PathStep>,
}

/// Every reference `expr` makes, as a traversal; names bound by `for` expressions and
/// `dynamic` iterators are left out. Invalid references are included as written (the
/// caller decides what they mean), and nothing is diagnosed.
pub(crate) fn expression_traversals(
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Vec<ReferenceTraversal> {
    let mut walker = Walker::new(file, sources);
    walker.expr(expr);
    walker.traversals
}

/// Every reference the attributes and nested blocks of `body` make, as traversals.
pub(crate) fn body_traversals(
    body: &Body,
    file: &str,
    sources: &Sources,
) -> Vec<ReferenceTraversal> {
    let mut walker = Walker::new(file, sources);
    walker.body(body);
    walker.traversals
}

/// Every reference a nested block makes, as traversals; a `dynamic` block's iterator is
/// bound in its `labels` and `content`.
pub(crate) fn block_traversals(
    block: &hcl_edit::structure::Block,
    file: &str,
    sources: &Sources,
) -> Vec<ReferenceTraversal> {
    let mut walker = Walker::new(file, sources);
    match dynamic_iterator(block) {
        Some(iterator) => walker.dynamic_block(&block.body, iterator),
        None => walker.body(&block.body),
    }
    walker.traversals
}

/// The static steps of a traversal's operators: attribute names and literal indexes, up to
/// the first other operator.
fn static_steps(ops: &[Decorated<TraversalOperator>]) -> Vec<PathStep> {
    let mut steps = Vec::new();
    for op in ops {
        let step = match op.value() {
            TraversalOperator::GetAttr(name) => PathStep::Attribute(name.value().to_string()),
            TraversalOperator::LegacyIndex(index) => match i64::try_from(*index.value()) {
                Ok(index) => PathStep::IntKey(index),
                Err(_) => break,
            },
            TraversalOperator::Index(Expression::String(key)) => {
                PathStep::StringKey(key.value().clone())
            }
            TraversalOperator::Index(Expression::Number(number)) => match number.value().as_i64() {
                Some(index) => PathStep::IntKey(index),
                None => break,
            },
            _ => break,
        };
        steps.push(step);
    }
    steps
}

/// The iterator name a `dynamic "TYPE"` block binds (`iterator = NAME`, else `TYPE`); `None`
/// for any other block.
fn dynamic_iterator(block: &hcl_edit::structure::Block) -> Option<String> {
    if block.ident.as_str() != "dynamic" {
        return None;
    }
    if let Some(attr) = block.body.get_attribute("iterator")
        && let Expression::Variable(name) = &attr.value
    {
        return Some(name.value().to_string());
    }
    match block.labels.as_slice() {
        [label] => Some(label.as_str().to_string()),
        _ => None,
    }
}

struct Walker<'a> {
    file: &'a str,
    sources: &'a Sources,
    /// Names bound by enclosing `for` expressions.
    bound: Vec<String>,
    found: Vec<Reference>,
    /// The same references with their static traversal steps.
    traversals: Vec<ReferenceTraversal>,
    diags: Diagnostics,
}

impl<'a> Walker<'a> {
    fn new(file: &'a str, sources: &'a Sources) -> Self {
        Walker {
            file,
            sources,
            bound: Vec::new(),
            found: Vec::new(),
            traversals: Vec::new(),
            diags: Diagnostics::new(),
        }
    }

    fn finish(self) -> Result<Vec<Reference>, Diagnostics> {
        if self.diags.has_errors() {
            Err(self.diags)
        } else {
            Ok(self.found)
        }
    }

    fn body(&mut self, body: &Body) {
        for attr in body.attributes() {
            self.expr(&attr.value);
        }
        for block in body.blocks() {
            match dynamic_iterator(block) {
                Some(iterator) => self.dynamic_block(&block.body, iterator),
                None => self.body(&block.body),
            }
        }
    }

    /// A `dynamic` block: `for_each` sees the enclosing scope; `labels` and `content` also see
    /// the iterator, which is not a reference.
    fn dynamic_block(&mut self, body: &Body, iterator: String) {
        for attr in body.attributes() {
            match attr.key.as_str() {
                "iterator" => {}
                "for_each" => self.expr(&attr.value),
                _ => self.with_bound(vec![iterator.clone()], |walker| walker.expr(&attr.value)),
            }
        }
        self.with_bound(vec![iterator], |walker| {
            for block in body.blocks() {
                walker.body(&block.body);
            }
        });
    }

    /// Walks `visit` with `names` bound.
    fn with_bound(&mut self, names: Vec<String>, visit: impl FnOnce(&mut Self)) {
        let depth = self.bound.len();
        self.bound.extend(names);
        visit(self);
        self.bound.truncate(depth);
    }

    fn expr(&mut self, expr: &Expression) {
        match expr {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(array) => array.iter().for_each(|item| self.expr(item)),
            Expression::Object(object) => {
                for (key, value) in object {
                    if let Some(key_expr) = key.as_expr().filter(|_| !is_shadowed_key(key)) {
                        self.expr(key_expr);
                    }
                    self.expr(value.expr());
                }
            }
            Expression::StringTemplate(template) => self.template(template),
            Expression::HeredocTemplate(heredoc) => self.template(&heredoc.template),
            Expression::Parenthesis(inner) => self.expr(inner.inner()),
            Expression::Variable(name) => self.root(name, &[], expr),
            Expression::Traversal(traversal) => {
                match &traversal.expr {
                    Expression::Variable(name) => self.root(name, &traversal.operators, expr),
                    other => self.expr(other),
                }
                for op in &traversal.operators {
                    if let TraversalOperator::Index(index) = op.value() {
                        self.expr(index);
                    }
                }
            }
            Expression::Conditional(cond) => {
                self.expr(&cond.cond_expr);
                self.expr(&cond.true_expr);
                self.expr(&cond.false_expr);
            }
            Expression::FuncCall(call) => {
                // `convert(value, type)`: the type is a type expression, not references.
                let is_convert = call.name.name.value().as_str() == "convert"
                    && call
                        .name
                        .namespace
                        .iter()
                        .all(|part| part.value().as_str() == "core");
                let values = if is_convert { 1 } else { call.args.len() };
                call.args.iter().take(values).for_each(|arg| self.expr(arg));
            }
            Expression::UnaryOp(op) => self.expr(&op.expr),
            Expression::BinaryOp(op) => {
                self.expr(&op.lhs_expr);
                self.expr(&op.rhs_expr);
            }
            Expression::ForExpr(for_expr) => {
                let intro = &for_expr.intro;
                self.expr(&intro.collection_expr);
                let mut names = vec![intro.value_var.value().to_string()];
                names.extend(intro.key_var.as_ref().map(|k| k.value().to_string()));
                self.with_bound(names, |walker| {
                    if let Some(key_expr) = &for_expr.key_expr {
                        walker.expr(key_expr);
                    }
                    walker.expr(&for_expr.value_expr);
                    if let Some(cond) = &for_expr.cond {
                        walker.expr(&cond.expr);
                    }
                });
            }
        }
    }

    fn template(&mut self, template: &Template) {
        for element in template {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(interp) => self.expr(&interp.expr),
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(d) => {
                        self.expr(&d.if_expr.cond_expr);
                        self.template(&d.if_expr.template);
                        if let Some(else_expr) = &d.else_expr {
                            self.template(&else_expr.template);
                        }
                    }
                    Directive::For(d) => {
                        self.expr(&d.for_expr.collection_expr);
                        let mut names = vec![d.for_expr.value_var.value().to_string()];
                        names.extend(d.for_expr.key_var.as_ref().map(|k| k.value().to_string()));
                        self.with_bound(names, |walker| walker.template(&d.for_expr.template));
                    }
                },
            }
        }
    }

    /// Records the reference a traversal from the root variable `root` makes.
    fn root(
        &mut self,
        root: &Decorated<hcl_edit::Ident>,
        ops: &[Decorated<TraversalOperator>],
        whole: &Expression,
    ) {
        let name = root.value().as_str();
        if self.bound.iter().any(|bound| bound == name) {
            return;
        }
        self.traversals.push(ReferenceTraversal {
            root: name.to_string(),
            steps: static_steps(ops),
        });
        let range = whole.span().map(|span| self.sources.range(self.file, span));
        let first = attr_name(ops.first());
        let subject = match (name, first) {
            ("var", Some(var)) => Ok(Subject::Variable(var.to_string())),
            ("local", Some(local)) => Ok(Subject::Local(local.to_string())),
            ("path", Some("module" | "root" | "cwd")) => Ok(Subject::Path),
            ("path", Some(attr)) => Err((
                "Invalid \"path\" attribute",
                format!(
                    "The \"path\" object does not have an attribute named \"{attr}\". The \
                     supported attributes are path.cwd, path.module, and path.root."
                ),
            )),
            ("terraform", Some("workspace")) => Ok(Subject::Terraform),
            ("terraform", Some(attr)) => Err((
                "Invalid \"terraform\" attribute",
                format!(
                    "The \"terraform\" object does not have an attribute named \"{attr}\". The \
                     only supported attribute is terraform.workspace, the name of the currently \
                     selected workspace."
                ),
            )),
            ("count", Some("index")) => Ok(Subject::Count),
            ("count", _) => Err((
                "Invalid \"count\" attribute",
                "The \"count\" object does not have this attribute. The only supported \
                 attribute is count.index, which is the index of each instance of a resource \
                 block that has the \"count\" argument set."
                    .to_string(),
            )),
            ("each", Some("key" | "value")) => Ok(Subject::Each),
            ("each", _) => Err((
                "Invalid \"each\" attribute",
                "The \"each\" object does not have this attribute. The supported attributes are \
                 each.key and each.value, the current key and value pair of the \"for_each\" \
                 attribute set."
                    .to_string(),
            )),
            ("data", Some(type_name)) => match attr_name(ops.get(1)) {
                Some(res_name) => Ok(Subject::Resource(ResourceAddr::data(type_name, res_name))),
                None => Err((
                    "Invalid reference",
                    "A reference to a data source must be followed by at least one attribute \
                     access, specifying the resource name."
                        .to_string(),
                )),
            },
            ("module", Some(call)) => {
                let output = match ops.get(1).map(hcl_edit::Decorated::value) {
                    Some(TraversalOperator::GetAttr(name)) => Some(name.value().to_string()),
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => {
                        attr_name(ops.get(2)).map(str::to_string)
                    }
                    _ => None,
                };
                Ok(Subject::Module {
                    call: call.to_string(),
                    output,
                })
            }
            ("module", None) => Err((
                "Invalid reference",
                "The \"module\" object must be followed by a module call name.".to_string(),
            )),
            ("self", _) => Ok(Subject::SelfObject),
            ("var" | "local" | "path" | "terraform" | "data", None) => Err((
                "Invalid reference",
                format!("The \"{name}\" object must be followed by an attribute name."),
            )),
            (type_name, Some(res_name)) => Ok(Subject::Resource(ResourceAddr::managed(
                type_name, res_name,
            ))),
            (_, None) => Err((
                "Invalid reference",
                "A reference to a resource type must be followed by at least one attribute \
                 access, specifying the resource name."
                    .to_string(),
            )),
        };
        match subject {
            Ok(subject) => self.found.push(Reference {
                subject,
                range: range.unwrap_or_else(|| self.sources.range(self.file, 0..0)),
            }),
            Err((summary, detail)) => self
                .diags
                .push(Diagnostic::error(summary, detail).with_range(range)),
        }
    }
}
