//! Parsing HCL native syntax as Terraform reads it. hcl-edit parses the common case; a file it
//! refuses is read again after a token-exact rewrite of the constructs it cannot take but
//! Terraform accepts:
//! - a UTF-8 byte-order mark at the start of the file (skipped, as HCL's scanner does);
//! - newlines inside an object `for` expression (HCL ignores them there);
//! - repeated keys in an object constructor (the last one wins; the earlier values are still
//!   evaluated, so their errors and references count, as in HCL);
//! - nesting deeper than hcl-edit's 64 levels and chains of more than 128 binary operators:
//!   deep brackets and long chains are cut out, parsed on their own and grafted back.
//!
//! Every rewrite keeps each byte at its offset, so the spans of the syntax tree are those of
//! the file as written. Input within [`MAX_NESTING_DEPTH`] levels of brackets and
//! [`MAX_TREE_DEPTH`] levels of brackets and chained operators together parses; deeper input
//! is refused with a diagnostic.

mod graft;
mod scan;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Body;

/// A syntax error at a byte offset of the parsed text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// The byte offset where the problem was found.
    pub offset: usize,
}

impl From<hcl_edit::parser::Error> for SyntaxError {
    fn from(err: hcl_edit::parser::Error) -> SyntaxError {
        SyntaxError {
            message: err.message().to_string(),
            offset: err.location().offset(),
        }
    }
}

/// The prefix of the name given to a shadowed object item's key: never a valid identifier, so
/// no configuration can write it.
const SHADOWED_KEY_PREFIX: &str = "#shadowed:";

/// Whether `key` stands for an object item that a later item with the same key replaced: its
/// value is evaluated (for its errors and references) but not kept.
pub(crate) fn is_shadowed_key(key: &ObjectKey) -> bool {
    matches!(key, ObjectKey::Expression(Expression::Variable(name))
        if name.value().as_str().starts_with(SHADOWED_KEY_PREFIX))
}

/// The stack of the thread that parses input needing the rewrite: grafted trees are as deep as
/// the input, and walking them recurses.
const DEEP_PARSE_STACK: usize = 512 << 20;

/// Parses a configuration file's body.
pub(crate) fn parse_body(text: &str) -> Result<Body, SyntaxError> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(body),
        Err(first) => match on_big_stack(|| deep_body(text)) {
            Some(Ok(body)) => Ok(body),
            Some(Err(Some(err))) => Err(err),
            Some(Err(None)) | None => Err(first.into()),
        },
    }
}

/// Parses one expression standing alone (a console line). Where hcl-edit refuses it and the
/// rewrite reads it, the spans count from one byte before the text: such trees serve
/// evaluation, not source snippets.
pub(crate) fn parse_expr(text: &str) -> Result<Expression, SyntaxError> {
    match hcl_edit::parser::parse_expr(text) {
        Ok(expr) => Ok(expr),
        Err(first) => {
            let wrapped = format!("({text}\n)");
            match on_big_stack(|| deep_expr(&wrapped)) {
                Some(Ok(expr)) => Ok(expr),
                Some(Err(Some(err))) => Err(SyntaxError {
                    offset: err.offset.saturating_sub(1).min(text.len()),
                    ..err
                }),
                Some(Err(None)) | None => Err(first.into()),
            }
        }
    }
}

/// Checks that `text` parses as a body, without keeping the tree.
pub(crate) fn check_body(text: &str) -> Result<(), SyntaxError> {
    parse_body(text).map(drop_on_big_stack)
}

/// Drops a possibly deep tree on a thread whose stack can take it.
fn drop_on_big_stack(body: Body) {
    on_big_stack(move || drop(body));
}

/// Runs `work` on a thread with [`DEEP_PARSE_STACK`] of stack; `None` if no thread could be
/// started.
fn on_big_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("deep-parse".into())
            .stack_size(DEEP_PARSE_STACK)
            .spawn_scoped(scope, work)
            .ok()?
            .join()
            .ok()
    })
}

/// The body of `text` through the rewrite.
fn deep_body(text: &str) -> Result<Body, scan::RewriteError> {
    deep_parse(
        text,
        scan::Root::Body,
        hcl_edit::parser::parse_body,
        graft::apply_to_body,
    )
}

/// The expression of `text` (which opens with `(` at offset 0 and closes with `)`), through
/// the rewrite; the parenthesis is unwrapped.
fn deep_expr(text: &str) -> Result<Expression, scan::RewriteError> {
    let expr = deep_parse(
        text,
        scan::Root::Expression,
        hcl_edit::parser::parse_expr,
        graft::apply_to_expr,
    )?;
    Ok(match expr {
        Expression::Parenthesis(inner) => inner.into_inner(),
        other => other,
    })
}

/// Rewrites `text` from `root`, parses the masked text and grafts the cut-out pieces back.
fn deep_parse<T>(
    text: &str,
    root: scan::Root,
    parse: fn(&str) -> Result<T, hcl_edit::parser::Error>,
    graft: fn(&mut T, &mut graft::Grafts, graft::Shadowed) -> bool,
) -> Result<T, scan::RewriteError> {
    let rewrite = scan::rewrite(text, root)?;
    let mut tree = parse(&rewrite.masked).map_err(hcl_error)?;
    let mut grafts = parse_grafts(&rewrite)?;
    let shadowed = parse_shadowed(&rewrite)?;
    if !graft(&mut tree, &mut grafts, shadowed) {
        return Err(Some(unplaced(&rewrite)));
    }
    Ok(tree)
}

/// An error of hcl-edit on rewritten text: its offsets are the file's.
fn hcl_error(err: hcl_edit::parser::Error) -> scan::RewriteError {
    Some(err.into())
}

/// The error for a cut-out piece that did not find its place back (an object key or another
/// position the rewrite cannot follow).
fn unplaced(rewrite: &scan::Rewrite) -> SyntaxError {
    let offset = rewrite.grafts.first().map_or(0, |graft| graft.range.start);
    SyntaxError {
        message: "this deeply nested expression is not supported by tenantform in this position"
            .to_string(),
        offset,
    }
}

/// Parses each cut-out piece at its own offset.
fn parse_grafts(rewrite: &scan::Rewrite) -> Result<graft::Grafts, scan::RewriteError> {
    let mut parsed = HashMap::with_capacity(rewrite.grafts.len());
    for graft in &rewrite.grafts {
        let text = wrap_at(&graft.text, graft.range.clone());
        parsed.insert(graft.name.clone(), deep_expr(&text)?);
    }
    Ok(parsed)
}

/// Parses the value of each shadowed object item, keyed by its object's span.
fn parse_shadowed(rewrite: &scan::Rewrite) -> Result<graft::Shadowed, scan::RewriteError> {
    let mut parsed: HashMap<Range<usize>, Vec<Expression>> = HashMap::new();
    for item in &rewrite.shadowed {
        let value = &rewrite.edited[item.value.clone()];
        let text = wrap_at(value, item.value.clone());
        parsed
            .entry(item.object.clone())
            .or_default()
            .push(deep_expr(&text)?);
    }
    Ok(parsed)
}

/// `piece` placed at `range` of an otherwise blank text, in parentheses: `(` at offset 0 and
/// `)` right after the piece, so that the parsed spans are those of the file.
fn wrap_at(piece: &str, range: Range<usize>) -> String {
    let mut text = String::with_capacity(range.end + 1);
    text.push('(');
    text.extend(std::iter::repeat_n(' ', range.start.saturating_sub(1)));
    text.push_str(piece);
    text.push(')');
    text
}

/// The key standing for the `index`th shadowed item of an object.
fn shadowed_key(index: usize) -> ObjectKey {
    let name = hcl_edit::Ident::new_unchecked(format!("{SHADOWED_KEY_PREFIX}{index}"));
    ObjectKey::Expression(Expression::Variable(hcl_edit::Decorated::new(name)))
}
