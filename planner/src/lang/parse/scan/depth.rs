//! A bound on how deep the syntax tree of the scanned text is: each bracket or template adds
//! a level, and a chain of binary operators adds one level per operator (the tree of
//! `a + b + c` is left-deep). Evaluation recurses through the tree, so its depth is what
//! [`MAX_TREE_DEPTH`] limits. The bound is conservative: within one expression of a frame
//! (up to a comma, a newline where it ends expressions, `?`, `:`, `=`...), the longest chain
//! counts on top of the deepest nested group.

use crate::format::token::TokenKind;

/// How deep the syntax tree may be: nesting plus chained operators on one path.
pub(crate) const MAX_TREE_DEPTH: usize = 25_000;

/// One open frame's tally: the expression being read, and the deepest one before it.
#[derive(Debug, Default)]
struct Tally {
    chain: usize,
    longest_chain: usize,
    deepest_group: usize,
    deepest_before: usize,
}

impl Tally {
    fn current(&self) -> usize {
        self.longest_chain + self.deepest_group
    }

    /// Ends the expression being read.
    fn end_expression(&mut self) {
        self.deepest_before = self.deepest_before.max(self.current());
        self.chain = 0;
        self.longest_chain = 0;
        self.deepest_group = 0;
    }

    fn bound(&self) -> usize {
        self.deepest_before.max(self.current())
    }
}

/// Follows the tokens of a scan and keeps the bound.
#[derive(Debug)]
pub(super) struct DepthBound {
    stack: Vec<Tally>,
    previous: Option<TokenKind>,
    /// The bound of what has closed at the root, and where it was reached.
    pub deepest: usize,
    pub deepest_at: usize,
}

impl DepthBound {
    pub(super) fn new() -> DepthBound {
        DepthBound {
            stack: vec![Tally::default()],
            previous: None,
            deepest: 0,
            deepest_at: 0,
        }
    }

    /// A token at the level of the innermost frame (`newline_ends` when a newline ends an
    /// expression there).
    pub(super) fn level_token(&mut self, kind: TokenKind, newline_ends: bool) {
        use TokenKind::*;
        let after_operand = self.previous.is_some_and(ends_operand);
        let Some(tally) = self.stack.last_mut() else {
            return;
        };
        match kind {
            Or | And | EqualOp | NotEqual | Less | LessEq | Greater | GreaterEq | Plus | Minus
            | Star | Slash | Percent
                if after_operand =>
            {
                tally.chain += 1;
                tally.longest_chain = tally.longest_chain.max(tally.chain);
            }
            Comma | Question | Colon | Equal | FatArrow | Ellipsis => tally.end_expression(),
            Newline if newline_ends => tally.end_expression(),
            Ident | Number | OQuote | OHeredoc if after_operand => tally.end_expression(),
            _ => {}
        }
        if !matches!(kind, Newline | Comment) {
            self.previous = Some(kind);
        }
    }

    pub(super) fn open(&mut self) {
        self.stack.push(Tally::default());
    }

    /// Closes the innermost frame (at byte `offset`); its bound counts for the frame around.
    pub(super) fn close(&mut self, offset: usize) {
        let Some(tally) = self.stack.pop() else {
            return;
        };
        let bound = 1 + tally.bound();
        if let Some(parent) = self.stack.last_mut()
            && bound > parent.deepest_group
        {
            parent.deepest_group = bound;
            if self.stack.len() == 1 && bound > self.deepest {
                self.deepest = bound;
                self.deepest_at = offset;
            }
        }
    }

    /// The bound of the whole text.
    pub(super) fn total(&self) -> usize {
        self.stack.first().map_or(0, Tally::bound)
    }
}

/// Whether a token can end an operand (so that an operator after it is binary).
fn ends_operand(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Ident | Number | CQuote | CHeredoc | CBrace | CBrack | CParen | Star
    )
}
