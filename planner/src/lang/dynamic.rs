//! `dynamic` blocks: `dynamic "TYPE" { for_each = ...; iterator = NAME; labels = [...];
//! content { ... } }` expands into one `TYPE` block per element of `for_each`, with the
//! iterator (named `TYPE` unless `iterator` says otherwise) bound to `{ key, value }`.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block as HclBlock, Body};
use tenantform_proto::value::{Number, Value};

use super::marks::{Marked, Sensitivity};

use super::eval::Evaluator;
use crate::diags::Diagnostics;

/// One nested block to decode: a literal block, or one expansion of a `dynamic` block.
pub(super) struct NestedItem<'b> {
    pub body: &'b Body,
    pub labels: Vec<String>,
    /// The block type's span (where problems with the whole block are reported).
    pub span: Option<Range<usize>>,
    /// The span of the first label, or of the block type.
    pub label_span: Option<Range<usize>>,
    /// The iterator binding of a dynamic block's expansion.
    pub bindings: Vec<(String, Marked)>,
}

impl<'b> NestedItem<'b> {
    pub(super) fn literal(block: &'b HclBlock) -> NestedItem<'b> {
        NestedItem {
            body: &block.body,
            labels: block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            span: block.ident.span(),
            label_span: block
                .labels
                .first()
                .and_then(hcl_edit::Span::span)
                .or(block.ident.span()),
            bindings: Vec::new(),
        }
    }
}

/// What a `dynamic` block expands to.
pub(super) enum Expansion<'b> {
    Items(Vec<NestedItem<'b>>),
    /// `for_each` is not known yet: the whole block collection is unknown.
    Unknown,
}

/// The type a `dynamic` block generates (its label).
pub(super) fn dynamic_type(block: &HclBlock) -> Option<String> {
    match block.labels.as_slice() {
        [label] => Some(label.as_str().to_string()),
        _ => None,
    }
}

/// Expands a `dynamic` block.
pub(super) fn expand<'b>(
    eval: &mut Evaluator<'_>,
    block: &'b HclBlock,
    type_name: &str,
) -> Result<Expansion<'b>, Diagnostics> {
    let body = &block.body;
    let Some(for_each) = body.get_attribute("for_each") else {
        return Err(eval.error(
            "Missing required argument",
            "The argument \"for_each\" is required, but no definition was found.",
            block.ident.span(),
        ));
    };
    let iterator = iterator_name(eval, body, type_name)?;
    let content = content_block(eval, block)?;
    let (collection, collection_marks) = eval.eval(&for_each.value)?.into_parts();
    let Some(pairs) = for_each_pairs(eval, collection, for_each)? else {
        return Ok(Expansion::Unknown);
    };
    let label_exprs = label_expressions(eval, body)?;
    let mut items = Vec::with_capacity(pairs.len());
    for (index, (key, value)) in pairs.into_iter().enumerate() {
        let binding = iterator_binding(key, value, index, &collection_marks);
        let bindings = vec![(iterator.clone(), binding)];
        let labels =
            eval.with_bindings(bindings.clone(), |eval| dynamic_labels(eval, &label_exprs))?;
        items.push(NestedItem {
            body: &content.body,
            labels,
            span: block.ident.span(),
            label_span: block.labels.first().and_then(hcl_edit::Span::span),
            bindings,
        });
    }
    Ok(Expansion::Items(items))
}

/// The name the iterator is bound to: `iterator`, else the block type.
fn iterator_name(
    eval: &Evaluator<'_>,
    body: &Body,
    type_name: &str,
) -> Result<String, Diagnostics> {
    match body.get_attribute("iterator") {
        Some(attr) => match &attr.value {
            Expression::Variable(name) => Ok(name.value().to_string()),
            other => Err(eval.error(
                "Invalid expression",
                "A single static variable reference is required: only attribute access \
                 and indexing with constant keys. No calculations, function calls, template \
                 expressions, etc are allowed here.",
                other.span(),
            )),
        },
        None => Ok(type_name.to_string()),
    }
}

/// The one `content` block of a `dynamic` block.
fn content_block<'b>(
    eval: &Evaluator<'_>,
    block: &'b HclBlock,
) -> Result<&'b HclBlock, Diagnostics> {
    let contents: Vec<&HclBlock> = block.body.get_blocks("content").collect();
    match contents.as_slice() {
        [content] => Ok(content),
        _ => Err(eval.error(
            "Missing content block",
            "A dynamic block must have a nested block of type \"content\" to describe the body \
             of each generated block.",
            block.ident.span(),
        )),
    }
}

/// The key and value of each element of the `for_each` collection; `None` when it is unknown.
fn for_each_pairs(
    eval: &Evaluator<'_>,
    collection: Value,
    for_each: &hcl_edit::structure::Attribute,
) -> Result<Option<Vec<(Value, Value)>>, Diagnostics> {
    let pairs = match collection {
        Value::Unknown => return Ok(None),
        Value::Null => {
            return Err(eval.error(
                "Invalid dynamic for_each value",
                "Cannot use a null value in for_each.",
                for_each.value.span(),
            ));
        }
        Value::Map(entries) | Value::Object(entries) => entries
            .into_iter()
            .map(|(k, v)| (Value::string(k), v))
            .collect(),
        Value::List(items) | Value::Tuple(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(Number::from_u64(i as u64)), v))
            .collect(),
        Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
        other => {
            return Err(eval.error(
                "Invalid dynamic for_each value",
                format!(
                    "Cannot use a {} value in for_each. An iterable collection is required.",
                    super::types::value_kind(&other)
                ),
                for_each.value.span(),
            ));
        }
    };
    Ok(Some(pairs))
}

/// The expressions of the `labels` argument.
fn label_expressions(eval: &Evaluator<'_>, body: &Body) -> Result<Vec<Expression>, Diagnostics> {
    match body.get_attribute("labels") {
        Some(attr) => match &attr.value {
            Expression::Array(items) => Ok(items.iter().cloned().collect()),
            other => Err(eval.error(
                "Invalid dynamic labels",
                "The labels argument must be a list of label expressions.",
                other.span(),
            )),
        },
        None => Ok(Vec::new()),
    }
}

/// The iterator's `{ key, value }` for element `index`, marked as the collection marks it.
fn iterator_binding(
    key: Value,
    value: Value,
    index: usize,
    collection_marks: &Sensitivity,
) -> Marked {
    let whole = Sensitivity::whole_if(collection_marks.is_whole());
    let value_marks = match &key {
        Value::String(name) => collection_marks.attribute(name),
        _ => collection_marks.element(index),
    }
    .union(whole.clone());
    let binding_marks = Sensitivity::attributes(BTreeMap::from([
        ("key".to_string(), whole),
        ("value".to_string(), value_marks),
    ]));
    Marked::new(
        Value::Object(BTreeMap::from([
            ("key".to_string(), key),
            ("value".to_string(), value),
        ])),
        binding_marks,
    )
}

/// The labels of one generated block, each a known string.
fn dynamic_labels(
    eval: &mut Evaluator<'_>,
    label_exprs: &[Expression],
) -> Result<Vec<String>, Diagnostics> {
    label_exprs
        .iter()
        .map(|expr| match eval.eval(expr)?.value {
            Value::String(s) => Ok(s),
            _ => Err(eval.error(
                "Invalid dynamic block label",
                "Cannot use this value as a dynamic block label: a known string is \
                 required.",
                expr.span(),
            )),
        })
        .collect()
}
