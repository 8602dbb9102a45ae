//! The token-exact rewrite behind [`super::parse_body`]: on the formatter's tokens, it finds
//! the structure (blocks, objects, object `for` expressions, brackets, templates), blanks what
//! hcl-edit cannot read (a byte-order mark, newlines and comments directly inside an object
//! `for`, object items whose key a later item repeats) and cuts out deep brackets and long
//! operator chains, putting a placeholder name in their place. Every edit keeps byte offsets.

use std::ops::Range;

use crate::format::lexer;
use crate::format::token::TokenKind;

use super::SyntaxError;

/// How many levels of brackets and templates an expression may nest.
pub(crate) const MAX_NESTING_DEPTH: usize = 5_000;
/// How many binary operators one chain (`a + b + …`) may hold.
pub(crate) const MAX_CHAINED_OPERATORS: usize = depth::MAX_TREE_DEPTH;
/// Brackets this deep are cut out and parsed on their own (hcl-edit reads 64 levels; a
/// bracket level can cost it two).
const REGION_DEPTH: usize = 16;
/// Chains longer than this are cut into pieces (hcl-edit reads 128 operators, counted across
/// nested chains).
const CHAIN_LIMIT: usize = 60;

/// What the text holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Root {
    Body,
    /// An expression in parentheses, `(` at offset 0.
    Expression,
}

/// A piece cut out of the text: `name` stands at `range`, which held `text`.
#[derive(Debug)]
pub(super) struct Graft {
    pub name: String,
    pub range: Range<usize>,
    pub text: String,
}

/// An object item whose key a later item of the same object repeats.
#[derive(Debug)]
pub(super) struct Shadowed {
    /// The object, from `{` to `}`.
    pub object: Range<usize>,
    /// The item's value.
    pub value: Range<usize>,
}

/// The outcome of the rewrite.
#[derive(Debug)]
pub(super) struct Rewrite {
    /// The text with the byte-order mark and the newlines inside object `for`s blanked.
    pub edited: String,
    /// `edited` with shadowed items blanked and the grafts' placeholders in place.
    pub masked: String,
    pub grafts: Vec<Graft>,
    pub shadowed: Vec<Shadowed>,
}

/// Why no rewrite was made: `None` when the tokens are not what hcl-edit's error is about
/// (the original error is the better report).
pub(super) type RewriteError = Option<SyntaxError>;

/// Rewrites `text` (see the module documentation).
pub(super) fn rewrite(text: &str, root: Root) -> Result<Rewrite, RewriteError> {
    let mut edited = text.as_bytes().to_vec();
    if text.starts_with('\u{feff}') {
        blank(&mut edited, 0..3);
    }
    let edited_text = String::from_utf8(edited).map_err(|_| None)?;
    let lexed = lexer::lex(&edited_text).map_err(|err| {
        // The scanner's own limit is the report; any other scanning problem is better told
        // by hcl-edit's error.
        let ours = err.detail.contains("not supported by tenantform");
        ours.then_some(SyntaxError {
            message: err.detail,
            offset: err.offset,
        })
    })?;
    let toks = offsets(&lexed.tokens);
    let structure = structure::Structure::scan(&toks, &edited_text, root)?;
    let mut edited = edited_text.into_bytes();
    for range in &structure.for_blanks {
        blank(&mut edited, range.clone());
    }
    let edited = String::from_utf8(edited).map_err(|_| None)?;
    let mut masked = edited.clone().into_bytes();
    let mut item_blanks: Vec<Range<usize>> =
        structure.shadowed.iter().map(|s| s.1.clone()).collect();
    item_blanks.sort_by_key(|r| r.start);
    for range in &item_blanks {
        blank(&mut masked, range.clone());
    }
    let shadowed = structure
        .shadowed
        .into_iter()
        .filter(|(item, own)| !inside_other(&item_blanks, &item.object, own))
        .map(|(item, _)| item)
        .collect();
    let mut cutter = cut::Cutter::new(&toks, &structure.groups, masked, &item_blanks, text);
    cutter.level(0, toks.len(), structure.root_frame, 0)?;
    let (masked, grafts) = cutter.finish();
    Ok(Rewrite {
        edited,
        masked: String::from_utf8(masked).map_err(|_| None)?,
        grafts,
        shadowed,
    })
}

/// Whether `object` lies in a blanked item other than `own` (its shadowed items then come
/// back when that item's value is parsed on its own).
fn inside_other(blanks: &[Range<usize>], object: &Range<usize>, own: &Range<usize>) -> bool {
    blanks
        .iter()
        .any(|b| b != own && b.start <= object.start && object.end <= b.end)
}

/// Replaces every byte of `range` by a space.
fn blank(bytes: &mut [u8], range: Range<usize>) {
    for byte in &mut bytes[range] {
        *byte = b' ';
    }
}

/// A token with its byte range.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

fn offsets(tokens: &[crate::format::token::Token]) -> Vec<Tok> {
    let mut at = 0;
    tokens
        .iter()
        .map(|token| {
            let start = at + token.spaces_before;
            at = start + token.text.len();
            Tok {
                kind: token.kind,
                start,
                end: at,
            }
        })
        .collect()
}

/// What an opening token opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Frame {
    Body,
    Block,
    Object,
    ForObject,
    Paren,
    Brack,
    Template,
    Quote,
    Heredoc,
}

impl Frame {
    /// How much the frame adds to the nesting depth (block bodies do not count).
    fn depth(self) -> usize {
        usize::from(!matches!(self, Frame::Body | Frame::Block))
    }

    /// Whether a newline ends an item in this frame.
    fn newline_sensitive(self) -> bool {
        matches!(self, Frame::Body | Frame::Block | Frame::Object)
    }

    /// Whether the frame is an expression in brackets that can be cut out whole.
    fn is_expression_bracket(self) -> bool {
        matches!(
            self,
            Frame::Object | Frame::ForObject | Frame::Paren | Frame::Brack
        )
    }

    /// The token kind that closes the frame.
    fn closer(self) -> Option<TokenKind> {
        Some(match self {
            Frame::Body => return None,
            Frame::Block | Frame::Object | Frame::ForObject => TokenKind::CBrace,
            Frame::Paren => TokenKind::CParen,
            Frame::Brack => TokenKind::CBrack,
            Frame::Template => TokenKind::TemplateSeqEnd,
            Frame::Quote => TokenKind::CQuote,
            Frame::Heredoc => TokenKind::CHeredoc,
        })
    }
}

/// The groups of the token list: for each opening token, its frame and its closing token.
#[derive(Debug, Default)]
pub(super) struct Groups {
    pub frame: Vec<Option<Frame>>,
    pub closer: Vec<usize>,
}

mod cut;
mod depth;
mod structure;
