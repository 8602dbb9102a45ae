//! The values `TF_ENCRYPTION` may hold: literals (strings without interpolation, numbers,
//! booleans, lists of them) and references to key providers and methods
//! (`key_provider.pbkdf2.NAME`, `method.aes_gcm.NAME`). Everything else (variables, locals,
//! functions, interpolation) is refused, with the line it is on, since the variable is read
//! before any configuration is.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::template::Element;

/// A value written in `TF_ENCRYPTION`.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    List(Vec<Literal>),
    /// A reference such as `key_provider.pbkdf2.main`, as its parts.
    Reference(Vec<String>),
}

impl Literal {
    /// What kind of value this is, for messages (never the value itself).
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Literal::String(_) => "a string",
            Literal::Number(_) => "a number",
            Literal::Bool(_) => "a boolean",
            Literal::List(_) => "a list",
            Literal::Reference(_) => "a reference",
        }
    }
}

/// Evaluates an expression of `TF_ENCRYPTION`; the error says what is not allowed.
pub(super) fn evaluate(expr: &Expression) -> Result<Literal, String> {
    match expr {
        Expression::String(text) => Ok(Literal::String(text.value().clone())),
        Expression::StringTemplate(template) => {
            let mut text = String::new();
            for element in template {
                match element {
                    Element::Literal(part) => text.push_str(part.value()),
                    _ => return Err(not_literal("string interpolation")),
                }
            }
            Ok(Literal::String(text))
        }
        Expression::Number(number) => number
            .value()
            .as_f64()
            .map(Literal::Number)
            .ok_or_else(|| "the number is out of range".to_string()),
        Expression::Bool(flag) => Ok(Literal::Bool(*flag.value())),
        Expression::Array(items) => items
            .iter()
            .map(evaluate)
            .collect::<Result<Vec<_>, _>>()
            .map(Literal::List),
        Expression::Parenthesis(inner) => evaluate(inner.inner()),
        Expression::Variable(name) => Ok(Literal::Reference(vec![name.value().to_string()])),
        Expression::Traversal(traversal) => reference(&traversal.expr, &traversal.operators),
        Expression::Null(_) => Err(not_literal("null")),
        Expression::FuncCall(_) => Err(not_literal("a function call")),
        _ => Err(not_literal("this expression")),
    }
}

fn reference(
    root: &Expression,
    operators: &[hcl_edit::Decorated<TraversalOperator>],
) -> Result<Literal, String> {
    let Expression::Variable(root) = root else {
        return Err(not_literal("this expression"));
    };
    let mut parts = vec![root.value().to_string()];
    for operator in operators {
        match operator.value() {
            TraversalOperator::GetAttr(name) => parts.push(name.value().to_string()),
            _ => return Err(not_literal("an index or splat")),
        }
    }
    Ok(Literal::Reference(parts))
}

fn not_literal(what: &str) -> String {
    format!(
        "{what} is not allowed in TF_ENCRYPTION: it holds literal values and references to \
         key_provider and method blocks only (variables, locals and functions are not \
         available there)"
    )
}

/// The 1-based line of a byte offset in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

/// The line an expression starts on (1 when unknown).
pub(super) fn line_of_expr(text: &str, expr: &Expression) -> usize {
    expr.span().map_or(1, |span| line_of(text, span.start))
}
