//! The first pass of the rewrite: one walk over the tokens with a stack of open frames. It
//! tells block bodies from objects and object `for`s, matches each opening token with its
//! closing one, finds the newlines and comments to blank inside object `for`s and the object
//! items whose key a later item repeats, and enforces [`MAX_NESTING_DEPTH`].

use std::collections::HashMap;
use std::ops::Range;

use super::depth::{DepthBound, MAX_TREE_DEPTH};
use super::{Frame, Groups, MAX_NESTING_DEPTH, RewriteError, Root, Shadowed, Tok};
use crate::format::token::TokenKind;
use crate::lang::parse::SyntaxError;

/// Where a body line is: before its first token, in an attribute's expression, or in a
/// block header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    Start,
    Attribute,
    Header,
}

/// An object item being read: its first token, the `=` or `:` once seen.
#[derive(Clone, Copy, Debug)]
struct OpenItem {
    first_tok: usize,
    start: usize,
    equals_tok: Option<usize>,
}

/// A complete object item.
#[derive(Debug)]
struct Item {
    key: String,
    /// From the key to the separator (a comma included).
    blank: Range<usize>,
    value: Range<usize>,
}

/// An open frame.
#[derive(Debug)]
struct Open {
    frame: Frame,
    tok: usize,
    line: Line,
    item: Option<OpenItem>,
    items: Vec<Item>,
}

impl Open {
    fn new(frame: Frame, tok: usize) -> Open {
        Open {
            frame,
            tok,
            line: Line::Start,
            item: None,
            items: Vec::new(),
        }
    }
}

/// What the first pass found.
#[derive(Debug)]
pub(super) struct Structure {
    pub root_frame: Frame,
    pub groups: Groups,
    /// Newlines and comments directly inside object `for`s.
    pub for_blanks: Vec<Range<usize>>,
    /// Shadowed items, each with the range to blank.
    pub shadowed: Vec<(Shadowed, Range<usize>)>,
}

struct Scanner<'a> {
    toks: &'a [Tok],
    text: &'a str,
    stack: Vec<Open>,
    depth: usize,
    /// The end of the last token that is not a newline or a comment.
    last_significant_end: usize,
    tree_depth: DepthBound,
    out: Structure,
}

impl Structure {
    pub(super) fn scan(toks: &[Tok], text: &str, root: Root) -> Result<Structure, RewriteError> {
        let root_frame = match root {
            Root::Body => Frame::Body,
            Root::Expression => Frame::Paren,
        };
        let mut scanner = Scanner {
            toks,
            text,
            stack: vec![Open::new(root_frame, usize::MAX)],
            depth: 0,
            last_significant_end: 0,
            tree_depth: DepthBound::new(),
            out: Structure {
                root_frame,
                groups: Groups {
                    frame: vec![None; toks.len()],
                    closer: vec![usize::MAX; toks.len()],
                },
                for_blanks: Vec::new(),
                shadowed: Vec::new(),
            },
        };
        for index in 0..toks.len() {
            scanner.token(index)?;
        }
        if scanner.stack.len() != 1 {
            return Err(None);
        }
        if scanner.tree_depth.total() > MAX_TREE_DEPTH {
            return Err(Some(SyntaxError {
                message: format!(
                    "expressions whose nesting and chained operators go more than \
                     {MAX_TREE_DEPTH} levels deep are not supported by tenantform"
                ),
                offset: scanner.tree_depth.deepest_at,
            }));
        }
        Ok(scanner.out)
    }
}

impl Scanner<'_> {
    fn top(&mut self) -> &mut Open {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    fn token(&mut self, index: usize) -> Result<(), RewriteError> {
        let tok = self.toks[index];
        let top = self.top().frame;
        if top.closer() == Some(tok.kind) {
            self.close(index)?;
        } else if let Some(frame) = self.opens(index) {
            self.level_token(index);
            self.open(index, frame)?;
        } else if is_closer(tok.kind) {
            return Err(None);
        } else {
            self.level_token(index);
        }
        if !matches!(tok.kind, TokenKind::Newline | TokenKind::Comment) {
            self.last_significant_end = tok.end;
        }
        Ok(())
    }

    /// The frame that token `index` opens, if it opens one.
    fn opens(&self, index: usize) -> Option<Frame> {
        let top = self.stack.last()?;
        Some(match self.toks[index].kind {
            TokenKind::OBrace => {
                let in_body = matches!(top.frame, Frame::Body | Frame::Block);
                if in_body && top.line != Line::Attribute {
                    Frame::Block
                } else if self.starts_for(index) {
                    Frame::ForObject
                } else {
                    Frame::Object
                }
            }
            TokenKind::OBrack => Frame::Brack,
            TokenKind::OParen => Frame::Paren,
            TokenKind::TemplateInterp | TokenKind::TemplateControl => Frame::Template,
            TokenKind::OQuote => Frame::Quote,
            TokenKind::OHeredoc => Frame::Heredoc,
            _ => return None,
        })
    }

    /// Whether the `{` at `index` opens a `for` expression: `for` then an identifier.
    fn starts_for(&self, index: usize) -> bool {
        let mut next = self.toks[index + 1..]
            .iter()
            .filter(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Comment));
        let keyword = next.next();
        let name = next.next();
        keyword.is_some_and(|t| t.kind == TokenKind::Ident && &self.text[t.start..t.end] == "for")
            && name.is_some_and(|t| t.kind == TokenKind::Ident)
    }

    fn open(&mut self, index: usize, frame: Frame) -> Result<(), RewriteError> {
        self.depth += frame.depth();
        // Block bodies count for the stack too, however deep.
        if self.depth > MAX_NESTING_DEPTH || self.stack.len() > 2 * MAX_NESTING_DEPTH {
            return Err(Some(SyntaxError {
                message: format!(
                    "blocks and expressions nested more than {MAX_NESTING_DEPTH} levels deep \
                     are not supported by tenantform"
                ),
                offset: self.toks[index].start,
            }));
        }
        self.out.groups.frame[index] = Some(frame);
        self.stack.push(Open::new(frame, index));
        self.tree_depth.open();
        Ok(())
    }

    fn close(&mut self, index: usize) -> Result<(), RewriteError> {
        let Some(open) = self.stack.pop() else {
            return Err(None);
        };
        if self.stack.is_empty() {
            return Err(None);
        }
        self.depth -= open.frame.depth();
        self.out.groups.closer[open.tok] = index;
        self.tree_depth.close(self.toks[open.tok].start);
        if open.frame == Frame::Object {
            self.close_object(open, index);
        }
        self.level_token(index);
        Ok(())
    }

    /// A token at the level of the innermost open frame (closing tokens count for the frame
    /// around the one they close).
    fn level_token(&mut self, index: usize) {
        let tok = self.toks[index];
        let frame = self.top().frame;
        self.tree_depth
            .level_token(tok.kind, frame.newline_sensitive());
        match frame {
            Frame::Body | Frame::Block => self.body_line(index),
            Frame::Object => self.object_item(index),
            Frame::ForObject => {
                let after_heredoc = index > 0 && self.toks[index - 1].kind == TokenKind::CHeredoc;
                let blankable = match tok.kind {
                    TokenKind::Newline => !after_heredoc,
                    TokenKind::Comment => true,
                    _ => false,
                };
                if blankable {
                    self.out.for_blanks.push(tok.start..tok.end);
                }
            }
            _ => {}
        }
    }

    /// Follows a body line: an identifier directly followed by `=` starts an attribute.
    fn body_line(&mut self, index: usize) {
        let tok = self.toks[index];
        let next_is_equal = self
            .toks
            .get(index + 1)
            .is_some_and(|t| t.kind == TokenKind::Equal);
        let ends_line = tok.kind == TokenKind::Newline
            || (tok.kind == TokenKind::Comment && tok_ends_line(tok, self.text));
        let top = self.top();
        if ends_line {
            top.line = Line::Start;
        } else if top.line == Line::Start && tok.kind != TokenKind::Comment {
            top.line = if tok.kind == TokenKind::Ident && next_is_equal {
                Line::Attribute
            } else {
                Line::Header
            };
        }
    }

    /// Follows the items of an object: keys, `=` or `:`, values and separators.
    fn object_item(&mut self, index: usize) {
        let tok = self.toks[index];
        let last_end = self.last_significant_end;
        let ends_line = tok_ends_line(tok, self.text);
        let top = self.top();
        match (tok.kind, top.item) {
            (TokenKind::Newline | TokenKind::Comma, Some(item)) if item.equals_tok.is_some() => {
                let blank_end = if tok.kind == TokenKind::Comma {
                    tok.end
                } else {
                    tok.start
                };
                self.finish_item(item, blank_end, last_end);
            }
            (TokenKind::Comment, Some(item)) if item.equals_tok.is_some() && ends_line => {
                self.finish_item(item, tok.start, last_end);
            }
            (TokenKind::Equal | TokenKind::Colon, Some(mut item)) if item.equals_tok.is_none() => {
                item.equals_tok = Some(index);
                top.item = Some(item);
            }
            (TokenKind::Newline | TokenKind::Comment | TokenKind::Comma, _) => {}
            (_, None) => {
                top.item = Some(OpenItem {
                    first_tok: index,
                    start: tok.start,
                    equals_tok: None,
                });
            }
            _ => {}
        }
    }

    fn finish_item(&mut self, item: OpenItem, blank_end: usize, value_end: usize) {
        let Some(equals) = item.equals_tok else {
            return;
        };
        let key: String = self.toks[item.first_tok..equals]
            .iter()
            .filter(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Comment))
            .map(|t| &self.text[t.start..t.end])
            .collect();
        let value_start = self.toks[equals].end;
        let value_start = value_start + self.text[value_start..value_end.max(value_start)].len()
            - self.text[value_start..value_end.max(value_start)]
                .trim_start()
                .len();
        let top = self.top();
        top.items.push(Item {
            key,
            blank: item.start..blank_end,
            value: value_start..value_end.max(value_start),
        });
        top.item = None;
    }

    /// At the `}` of an object: every item whose key a later item repeats is shadowed.
    fn close_object(&mut self, mut open: Open, close: usize) {
        if let Some(item) = open.item.take() {
            // The last item, ended by the `}` itself.
            self.stack.push(open);
            let last_end = self.last_significant_end;
            self.finish_item(item, last_end, last_end);
            let Some(reopened) = self.stack.pop() else {
                return;
            };
            open = reopened;
        }
        let mut last_of: HashMap<&str, usize> = HashMap::new();
        for (position, item) in open.items.iter().enumerate() {
            last_of.insert(item.key.as_str(), position);
        }
        let object = self.toks[open.tok].start..self.toks[close].end;
        for (position, item) in open.items.iter().enumerate() {
            if last_of.get(item.key.as_str()) != Some(&position) {
                let shadowed = Shadowed {
                    object: object.clone(),
                    value: item.value.clone(),
                };
                self.out.shadowed.push((shadowed, item.blank.clone()));
            }
        }
    }
}

fn is_closer(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::CBrace
            | TokenKind::CBrack
            | TokenKind::CParen
            | TokenKind::TemplateSeqEnd
            | TokenKind::CQuote
            | TokenKind::CHeredoc
    )
}

/// Whether a comment token took its line end (`#` and `//` comments do).
fn tok_ends_line(tok: Tok, text: &str) -> bool {
    text[tok.start..tok.end].ends_with('\n')
}
