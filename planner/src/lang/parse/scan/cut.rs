//! The second pass of the rewrite: cuts out what is too deep for hcl-edit. A bracket group
//! at [`REGION_DEPTH`] is replaced by a placeholder name, whole, or with the operand it
//! belongs to when it holds a call's arguments or an index (`f(...)`, `a[...]`); in each frame, a chain of
//! more than [`CHAIN_LIMIT`] binary operators has pieces replaced by placeholders, each piece
//! a run of operands that forms a subtree of the chain under HCL's precedence and left
//! associativity, so the chain parses to the same tree.

use std::ops::Range;

use super::{
    CHAIN_LIMIT, Frame, Graft, Groups, MAX_CHAINED_OPERATORS, REGION_DEPTH, RewriteError, Tok,
};
use crate::format::token::TokenKind;
use crate::lang::parse::SyntaxError;

/// One element of a frame's content: a token, or a whole bracket or template group.
#[derive(Clone, Debug)]
enum Element {
    Token(Tok),
    Group(Frame, Range<usize>),
}

impl Element {
    fn range(&self) -> Range<usize> {
        match self {
            Element::Token(tok) => tok.start..tok.end,
            Element::Group(_, range) => range.clone(),
        }
    }
}

/// A chain being read: its operands' ranges and its operators' precedences.
#[derive(Debug, Default)]
struct Chain {
    operands: Vec<Range<usize>>,
    operators: Vec<u8>,
    /// The operand being read, and whether it is complete (a value, possibly traversed).
    operand: Option<Range<usize>>,
    operand_complete: bool,
    /// The previous element was `.` or `::` (an attribute name follows).
    after_dot: bool,
}

pub(super) struct Cutter<'a> {
    toks: &'a [Tok],
    groups: &'a Groups,
    masked: Vec<u8>,
    blanked: &'a [Range<usize>],
    prefix: String,
    grafts: Vec<Graft>,
}

impl<'a> Cutter<'a> {
    pub(super) fn new(
        toks: &'a [Tok],
        groups: &'a Groups,
        masked: Vec<u8>,
        blanked: &'a [Range<usize>],
        original: &str,
    ) -> Cutter<'a> {
        let mut prefix = String::from("_tf");
        while original.contains(&prefix) {
            prefix.push('_');
        }
        Cutter {
            toks,
            groups,
            masked,
            blanked,
            prefix,
            grafts: Vec::new(),
        }
    }

    pub(super) fn finish(self) -> (Vec<u8>, Vec<Graft>) {
        (self.masked, self.grafts)
    }

    fn is_blanked(&self, offset: usize) -> bool {
        let after = self.blanked.partition_point(|r| r.start <= offset);
        after > 0 && offset < self.blanked[after - 1].end
    }

    /// Walks the tokens `from..to` of a frame at `depth`.
    pub(super) fn level(
        &mut self,
        from: usize,
        to: usize,
        frame: Frame,
        depth: usize,
    ) -> Result<(), RewriteError> {
        let mut chain = Chain::default();
        let mut index = from;
        while index < to {
            let tok = self.toks[index];
            if self.is_blanked(tok.start) {
                index += 1;
                continue;
            }
            let element = match self.groups.frame[index] {
                Some(child) => {
                    let close = self.groups.closer[index];
                    let range = tok.start..self.toks[close].end;
                    let child_depth = depth + child.depth();
                    // A call's arguments or an index belong to the operand before them: the
                    // whole operand (`f(...)`, `a[...]`) is cut out with them.
                    let attached_to = chain
                        .operand
                        .clone()
                        .filter(|_| chain.operand_complete)
                        .filter(|_| matches!(child, Frame::Brack | Frame::Paren));
                    let region = match &attached_to {
                        Some(operand) => operand.start..range.end,
                        None => range.clone(),
                    };
                    if !(child.is_expression_bracket()
                        && child_depth >= REGION_DEPTH
                        && self.cut(region))
                    {
                        self.level(index + 1, close, child, child_depth)?;
                    }
                    index = close + 1;
                    Element::Group(child, range)
                }
                None => {
                    index += 1;
                    Element::Token(tok)
                }
            };
            self.feed(&mut chain, element, frame)?;
        }
        self.end_chain(&mut chain)
    }

    /// Replaces `range` by a placeholder, if the name fits.
    fn cut(&mut self, range: Range<usize>) -> bool {
        let name = format!("{}{}", self.prefix, self.grafts.len());
        if name.len() > range.len() {
            return false;
        }
        let text = String::from_utf8_lossy(&self.masked[range.clone()]).into_owned();
        self.masked[range.clone()].fill(b' ');
        self.masked[range.start..range.start + name.len()].copy_from_slice(name.as_bytes());
        self.grafts.push(Graft { name, range, text });
        true
    }

    /// Reads one element into the chain of the frame.
    fn feed(
        &mut self,
        chain: &mut Chain,
        element: Element,
        frame: Frame,
    ) -> Result<(), RewriteError> {
        let range = element.range();
        let kind = match element {
            Element::Token(tok) => Some(tok.kind),
            Element::Group(..) => None,
        };
        if let Some(TokenKind::Newline | TokenKind::Comment) = kind {
            if frame.newline_sensitive() && self.ends_line(&element) {
                return self.end_chain(chain);
            }
            return Ok(());
        }
        if chain.operand_complete {
            if let Some(precedence) = kind.and_then(binary_precedence) {
                chain.operands.extend(chain.operand.take());
                chain.operators.push(precedence);
                chain.operand_complete = false;
                return Ok(());
            }
            if continues_operand(&element, chain.after_dot) {
                chain.after_dot = matches!(kind, Some(TokenKind::Dot | TokenKind::DoubleColon));
                extend(&mut chain.operand, range);
                return Ok(());
            }
            self.end_chain(chain)?;
        }
        match element {
            Element::Token(tok) if matches!(tok.kind, TokenKind::Bang | TokenKind::Minus) => {
                extend(&mut chain.operand, range);
            }
            Element::Token(tok) if matches!(tok.kind, TokenKind::Ident | TokenKind::Number) => {
                extend(&mut chain.operand, range);
                chain.operand_complete = true;
            }
            Element::Group(..) => {
                extend(&mut chain.operand, range);
                chain.operand_complete = true;
            }
            Element::Token(_) => *chain = Chain::default(),
        }
        chain.after_dot = false;
        Ok(())
    }

    fn ends_line(&self, element: &Element) -> bool {
        match element {
            Element::Token(tok) => {
                tok.kind == TokenKind::Newline || self.masked[..tok.end].ends_with(b"\n")
            }
            Element::Group(..) => false,
        }
    }

    /// Ends the chain being read, cutting it into pieces if it is too long.
    fn end_chain(&mut self, chain: &mut Chain) -> Result<(), RewriteError> {
        let mut done = std::mem::take(chain);
        if done.operand_complete {
            done.operands.extend(done.operand.take());
        }
        if done.operators.len() <= CHAIN_LIMIT || done.operands.len() != done.operators.len() + 1 {
            return Ok(());
        }
        if done.operators.len() > MAX_CHAINED_OPERATORS {
            return Err(Some(SyntaxError {
                message: format!(
                    "chains of more than {MAX_CHAINED_OPERATORS} binary operators are not \
                     supported by tenantform"
                ),
                offset: done.operands[0].start,
            }));
        }
        while done.operators.len() > CHAIN_LIMIT {
            let Some((first, last)) = subtree(&done.operators) else {
                break;
            };
            let range = done.operands[first].start..done.operands[last].end;
            if !self.cut(range.clone()) {
                break;
            }
            done.operands.splice(first..=last, [range]);
            done.operators.drain(first..last);
        }
        Ok(())
    }
}

/// Whether `element` continues a complete operand: a traversal (`.name`, `[index]`, `.*`,
/// `[*]`), a call's arguments, or a namespace (`provider::x::f`).
fn continues_operand(element: &Element, after_dot: bool) -> bool {
    match element {
        Element::Group(Frame::Brack | Frame::Paren, _) => true,
        Element::Group(..) => false,
        Element::Token(tok) => match tok.kind {
            TokenKind::Dot | TokenKind::DoubleColon => true,
            TokenKind::Ident | TokenKind::Number | TokenKind::Star => after_dot,
            _ => false,
        },
    }
}

fn extend(operand: &mut Option<Range<usize>>, range: Range<usize>) {
    *operand = Some(match operand.take() {
        Some(existing) => existing.start..range.end,
        None => range,
    });
}

/// HCL's precedence of a binary operator token (higher binds tighter).
fn binary_precedence(kind: TokenKind) -> Option<u8> {
    use TokenKind::*;
    Some(match kind {
        Or => 1,
        And => 2,
        EqualOp | NotEqual => 3,
        Less | LessEq | Greater | GreaterEq => 4,
        Plus | Minus => 5,
        Star | Slash | Percent => 6,
        _ => return None,
    })
}

/// A run of operands `first..=last` (more than one) that forms a subtree of the chain with
/// these `operators`: every operator inside binds tighter than the one before the run, and
/// at least as tight as the one after it. Prefers the longest run of up to [`CHAIN_LIMIT`]
/// operators, leftmost first.
fn subtree(operators: &[u8]) -> Option<(usize, usize)> {
    let last_operand = operators.len();
    for first in 0..last_operand {
        let before = first.checked_sub(1).map(|i| operators[i]);
        let mut tightest_bound = u8::MAX;
        let mut found = None;
        for last in first + 1..=(first + CHAIN_LIMIT).min(last_operand) {
            tightest_bound = tightest_bound.min(operators[last - 1]);
            if before.is_some_and(|b| b >= tightest_bound) {
                break;
            }
            if last == last_operand || operators[last] <= tightest_bound {
                found = Some((first, last));
            }
        }
        if found.is_some() {
            return found;
        }
    }
    None
}
