//! Unevaluated expressions in the JSON plan's `configuration`, as Terraform writes them: an
//! expression object holds `constant_value` when it evaluates to a known value without any
//! context (no references, no function calls), and `references` when it refers to objects,
//! each reference repeated for every significant prefix of its traversal
//! (`tenant_database.db.id`, then `tenant_database.db`).

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use hcl_edit::template::{Directive, Element, Template};
use serde_json::{Map, Value as Json};
use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::PathStep;

use super::known_json;
use crate::diags::Sources;
use crate::lang::references::{ReferenceTraversal, expression_traversals};
use crate::lang::{EvalContext, evaluate};

/// Where an expression was written: its file, within the configuration's sources.
#[derive(Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub file: &'a str,
    pub sources: &'a Sources,
}

/// Terraform's expression object for `expr`: `{constant_value}`, `{references}` or `{}`.
pub(crate) fn expression_json(expr: &Expression, origin: Origin<'_>) -> Json {
    let mut object = Map::new();
    let traversals = expression_traversals(expr, origin.file, origin.sources);
    if traversals.is_empty()
        && !calls_function(expr)
        && let Ok(value) = evaluate(expr, &EvalContext::default(), origin.file, origin.sources)
        && value.is_wholly_known()
        && let Some(constant) = known_json(&value)
    {
        object.insert("constant_value".into(), constant);
    }
    let references: Vec<Json> = traversals
        .iter()
        .flat_map(reference_strings)
        .map(Json::String)
        .collect();
    if !references.is_empty() {
        object.insert("references".into(), Json::Array(references));
    }
    Json::Object(object)
}

/// The expression object of an optional expression; `None` when there is nothing to say
/// (Terraform leaves `count_expression` and `for_each_expression` out then).
pub(crate) fn optional_expression_json(
    expr: Option<&Expression>,
    origin: Origin<'_>,
) -> Option<Json> {
    let object = expression_json(expr?, origin);
    object
        .as_object()
        .is_some_and(|o| !o.is_empty())
        .then_some(object)
}

/// The expressions of a block body, decoded one level with `schema`: attributes the schema
/// declares become expression objects, nested blocks nested expression maps (a list for list
/// and set nesting, a map by label for map nesting). What the schema does not declare (such
/// as `dynamic` blocks) is left out, as in Terraform.
pub(crate) fn body_expressions(
    body: &Body,
    schema: &Block,
    origin: Origin<'_>,
) -> Map<String, Json> {
    let mut expressions = Map::new();
    for attr in body.attributes() {
        let name = attr.key.as_str();
        if schema.attributes.contains_key(name) {
            expressions.insert(name.to_string(), expression_json(&attr.value, origin));
        }
    }
    for block in body.blocks() {
        let name = block.ident.as_str();
        let Some(nested) = schema.block_types.get(name) else {
            continue;
        };
        let inner = Json::Object(body_expressions(&block.body, &nested.block, origin));
        match nested.nesting {
            Nesting::Single | Nesting::Group => {
                expressions.insert(name.to_string(), inner);
            }
            Nesting::List | Nesting::Set => {
                let entry = expressions
                    .entry(name.to_string())
                    .or_insert_with(|| Json::Array(Vec::new()));
                if let Json::Array(items) = entry {
                    items.push(inner);
                }
            }
            Nesting::Map => {
                let Some(label) = block.labels.first() else {
                    continue;
                };
                let entry = expressions
                    .entry(name.to_string())
                    .or_insert_with(|| Json::Object(Map::new()));
                if let Json::Object(items) = entry {
                    items.insert(label.as_str().to_string(), inner);
                }
            }
        }
    }
    expressions
}

/// The expressions of a body whose attributes are the given names (a module call's inputs).
pub(crate) fn named_attribute_expressions<'n>(
    body: &Body,
    names: impl Iterator<Item = &'n str>,
    origin: Origin<'_>,
) -> Map<String, Json> {
    let names: Vec<&str> = names.collect();
    body.attributes()
        .filter(|attr| names.contains(&attr.key.as_str()))
        .map(|attr| {
            (
                attr.key.as_str().to_string(),
                expression_json(&attr.value, origin),
            )
        })
        .collect()
}

/// The strings Terraform lists for one reference: the subject with each prefix of what
/// follows it (longest first), the subject, then the resource or module call without its
/// instance key. Traversals that are not valid references give nothing.
pub(crate) fn reference_strings(traversal: &ReferenceTraversal) -> Vec<String> {
    let Some(reference) = ParsedReference::parse(traversal) else {
        return Vec::new();
    };
    let mut strings = Vec::new();
    for len in (1..=reference.remaining.len()).rev() {
        strings.push(format!(
            "{}{}",
            reference.subject,
            steps_text(&reference.remaining[..len])
        ));
    }
    strings.push(reference.subject);
    strings.extend(reference.without_key);
    strings
}

/// A traversal split as Terraform's `addrs.ParseRef` splits it.
struct ParsedReference<'a> {
    subject: String,
    remaining: &'a [PathStep],
    /// The resource or module call address without its key, when the subject has one.
    without_key: Option<String>,
}

impl<'a> ParsedReference<'a> {
    fn parse(traversal: &'a ReferenceTraversal) -> Option<Self> {
        let steps = traversal.steps.as_slice();
        let root = traversal.root.as_str();
        match root {
            "count" | "each" | "local" | "path" | "terraform" | "var" => {
                let (name, remaining) = attribute_then_rest(steps)?;
                Some(ParsedReference {
                    subject: format!("{root}.{name}"),
                    remaining,
                    without_key: None,
                })
            }
            "self" => Some(ParsedReference {
                subject: "self".into(),
                remaining: steps,
                without_key: None,
            }),
            "module" => Self::module(steps),
            "data" | "ephemeral" | "list" | "resource" => {
                let (type_name, rest) = attribute_then_rest(steps)?;
                let prefix = if root == "resource" { "" } else { root };
                Self::resource(prefix, type_name, rest)
            }
            "template" | "lazy" | "arg" | "caller" | "action" => None,
            "string" | "number" | "bool" | "any" if steps.is_empty() => None,
            _ => Self::resource("", root, steps),
        }
    }

    /// `TYPE.NAME`, `TYPE.NAME[KEY]`, and what follows (`steps` start at `NAME`), with the
    /// mode's prefix (`data`) before it.
    fn resource(
        prefix: &str,
        type_name: &str,
        steps: &'a [PathStep],
    ) -> Option<ParsedReference<'a>> {
        let (name, rest) = attribute_then_rest(steps)?;
        let resource = match prefix {
            "" => format!("{type_name}.{name}"),
            mode => format!("{mode}.{type_name}.{name}"),
        };
        Some(match rest.first().and_then(key_text) {
            Some(key) => ParsedReference {
                subject: format!("{resource}{key}"),
                remaining: &rest[1..],
                without_key: Some(resource),
            },
            None => ParsedReference {
                subject: resource,
                remaining: rest,
                without_key: None,
            },
        })
    }

    /// `module.NAME`, `module.NAME[KEY]`, `module.NAME[KEY].OUTPUT` and what follows.
    fn module(steps: &'a [PathStep]) -> Option<ParsedReference<'a>> {
        let (name, mut rest) = attribute_then_rest(steps)?;
        let call = format!("module.{name}");
        let mut instance = call.clone();
        let mut keyed = false;
        if let Some(key) = rest.first().and_then(key_text) {
            instance = format!("{call}{key}");
            keyed = true;
            rest = &rest[1..];
        }
        match rest.first() {
            None => Some(ParsedReference {
                subject: instance,
                remaining: rest,
                without_key: keyed.then_some(call),
            }),
            Some(PathStep::Attribute(output)) => Some(ParsedReference {
                subject: format!("{instance}.{output}"),
                remaining: &rest[1..],
                without_key: Some(instance),
            }),
            Some(_) => None,
        }
    }
}

/// The first step as an attribute name, and the steps after it.
fn attribute_then_rest(steps: &[PathStep]) -> Option<(&str, &[PathStep])> {
    match steps {
        [PathStep::Attribute(name), rest @ ..] => Some((name, rest)),
        _ => None,
    }
}

/// An index step as an instance key (`[0]`, `["a"]`); `None` for an attribute step.
fn key_text(step: &PathStep) -> Option<String> {
    match step {
        PathStep::Attribute(_) => None,
        PathStep::IntKey(index) => Some(format!("[{index}]")),
        PathStep::StringKey(key) => Some(format!("[{}]", go_quoted(key))),
    }
}

/// Steps written as HCL traversal syntax: `.name`, `[0]`, `["key"]`.
fn steps_text(steps: &[PathStep]) -> String {
    steps
        .iter()
        .map(|step| match step {
            PathStep::Attribute(name) => format!(".{name}"),
            other => key_text(other).unwrap_or_default(),
        })
        .collect()
}

/// A string quoted as Go's `%q` quotes it.
fn go_quoted(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Whether `expr` calls a function anywhere (Terraform evaluates constants without any).
fn calls_function(expr: &Expression) -> bool {
    match expr {
        Expression::FuncCall(_) => true,
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_)
        | Expression::Variable(_) => false,
        Expression::Array(items) => items.iter().any(calls_function),
        Expression::Object(object) => object.iter().any(|(key, value)| {
            key.as_expr().is_some_and(calls_function) || calls_function(value.expr())
        }),
        Expression::StringTemplate(template) => template_calls_function(template),
        Expression::HeredocTemplate(heredoc) => template_calls_function(&heredoc.template),
        Expression::Parenthesis(inner) => calls_function(inner.inner()),
        Expression::Traversal(traversal) => {
            calls_function(&traversal.expr)
                || traversal.operators.iter().any(|op| match op.value() {
                    hcl_edit::expr::TraversalOperator::Index(index) => calls_function(index),
                    _ => false,
                })
        }
        Expression::Conditional(cond) => {
            calls_function(&cond.cond_expr)
                || calls_function(&cond.true_expr)
                || calls_function(&cond.false_expr)
        }
        Expression::UnaryOp(op) => calls_function(&op.expr),
        Expression::BinaryOp(op) => calls_function(&op.lhs_expr) || calls_function(&op.rhs_expr),
        Expression::ForExpr(for_expr) => {
            calls_function(&for_expr.intro.collection_expr)
                || for_expr.key_expr.as_ref().is_some_and(calls_function)
                || calls_function(&for_expr.value_expr)
                || for_expr
                    .cond
                    .as_ref()
                    .is_some_and(|cond| calls_function(&cond.expr))
        }
    }
}

fn template_calls_function(template: &Template) -> bool {
    template.iter().any(|element| match element {
        Element::Literal(_) => false,
        Element::Interpolation(interp) => calls_function(&interp.expr),
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(d) => {
                calls_function(&d.if_expr.cond_expr)
                    || template_calls_function(&d.if_expr.template)
                    || d.else_expr
                        .as_ref()
                        .is_some_and(|e| template_calls_function(&e.template))
            }
            Directive::For(d) => {
                calls_function(&d.for_expr.collection_expr)
                    || template_calls_function(&d.for_expr.template)
            }
        },
    })
}

#[cfg(test)]
mod tests;
