//! The normalizations `terraform fmt` makes beyond whitespace, found by walking the body
//! structure of the token sequence: block labels are rewritten as plain quoted strings,
//! an attribute value that is a lone interpolation (`"${var.x}"`) becomes its expression,
//! and a `type` in a `variable` block loses pre-0.12 quotes (`"string"` → `string`) and
//! gains the element type of a bare collection (`list` → `list(any)`).

use std::ops::Range;

use super::strings::{escape_label, unescape_label};
use super::token::{Token, TokenKind};

/// Applies the normalizations to a valid file's tokens.
pub(crate) fn normalize(tokens: Vec<Token>) -> Vec<Token> {
    let mut walker = Walker {
        tokens: &tokens,
        pos: 0,
        edits: Vec::new(),
        block_types: Vec::new(),
    };
    walker.body();
    let mut edits = walker.edits;
    if edits.is_empty() {
        return tokens;
    }
    edits.sort_by_key(|edit| edit.range.start);
    let mut result = Vec::with_capacity(tokens.len());
    let mut copied_to = 0;
    for edit in edits {
        result.extend_from_slice(&tokens[copied_to..edit.range.start]);
        result.extend(edit.replacement);
        copied_to = edit.range.end;
    }
    result.extend_from_slice(&tokens[copied_to..]);
    result
}

/// Replace the tokens of `range` with `replacement`.
struct Edit {
    range: Range<usize>,
    replacement: Vec<Token>,
}

struct Walker<'a> {
    tokens: &'a [Token],
    pos: usize,
    edits: Vec<Edit>,
    /// The types of the blocks around the current body, outermost first.
    block_types: Vec<String>,
}

impl Walker<'_> {
    fn kind(&self) -> Option<TokenKind> {
        self.tokens.get(self.pos).map(|t| t.kind)
    }

    fn skip_inline_comments(&mut self) {
        while self
            .tokens
            .get(self.pos)
            .is_some_and(|t| t.kind == TokenKind::Comment && !t.ends_line())
        {
            self.pos += 1;
        }
    }

    /// A body's items, up to (not including) the `}` that closes it or the end of input.
    fn body(&mut self) {
        loop {
            while matches!(self.kind(), Some(TokenKind::Newline | TokenKind::Comment)) {
                self.pos += 1;
            }
            match self.kind() {
                None | Some(TokenKind::CBrace) => return,
                Some(TokenKind::Ident) => {}
                Some(_) => {
                    // Not a body item: leave the rest as written.
                    self.pos = self.tokens.len();
                    return;
                }
            }
            let name = self.tokens[self.pos].text.clone();
            self.pos += 1;
            self.skip_inline_comments();
            if self.kind() == Some(TokenKind::Equal) {
                self.pos += 1;
                self.attribute(&name);
            } else {
                self.block(name);
            }
        }
    }

    fn attribute(&mut self, name: &str) {
        let mut depth = 0;
        let mut start = self.pos;
        while let Some(token) = self.tokens.get(self.pos) {
            let ends_item = token.ends_line() || token.kind == TokenKind::CBrace;
            if depth == 0 && ends_item {
                break;
            }
            depth += token.bracket_change();
            self.pos += 1;
        }
        let mut end = self.pos;
        let is_comment = |t: &Token| t.kind == TokenKind::Comment;
        while start < end && is_comment(&self.tokens[start]) {
            start += 1;
        }
        while end > start && is_comment(&self.tokens[end - 1]) {
            end -= 1;
        }
        let expr = &self.tokens[start..end];
        let in_variable = self.block_types.len() == 1 && self.block_types[0] == "variable";
        let replacement = if in_variable && name == "type" {
            type_expression(expr)
        } else {
            unwrapped_interpolation(expr)
        };
        if let Some(replacement) = replacement {
            self.edits.push(Edit {
                range: start..end,
                replacement,
            });
        }
    }

    fn block(&mut self, block_type: String) {
        let labels_start = self.pos;
        let mut labels = Vec::new();
        while let Some(token) = self.tokens.get(self.pos) {
            match token.kind {
                TokenKind::OBrace => break,
                TokenKind::Ident => labels.push(Some(token.text.clone())),
                TokenKind::OQuote => {
                    let start = self.pos + 1;
                    while self.kind().is_some_and(|kind| kind != TokenKind::CQuote) {
                        self.pos += 1;
                    }
                    // Like Terraform, keep only labels that are one literal token or empty.
                    labels.push(match &self.tokens[start..self.pos] {
                        [] => Some(String::new()),
                        [literal] if literal.kind == TokenKind::QuotedLit => {
                            unescape_label(&literal.text)
                        }
                        _ => None,
                    });
                }
                TokenKind::Comment => {}
                _ => {
                    self.pos = self.tokens.len();
                    return;
                }
            }
            self.pos += 1;
        }
        if self.pos > labels_start {
            let mut replacement = Vec::new();
            for label in labels.into_iter().flatten() {
                replacement.push(Token::new(TokenKind::OQuote, "\""));
                let escaped = escape_label(&label);
                if !escaped.is_empty() {
                    replacement.push(Token::new(TokenKind::QuotedLit, escaped));
                }
                replacement.push(Token::new(TokenKind::CQuote, "\""));
            }
            self.edits.push(Edit {
                range: labels_start..self.pos,
                replacement,
            });
        }
        if self.kind() != Some(TokenKind::OBrace) {
            return;
        }
        self.pos += 1;
        self.block_types.push(block_type);
        self.body();
        self.block_types.pop();
        if self.kind() == Some(TokenKind::CBrace) {
            self.pos += 1;
        }
    }
}

/// `"${expr}"` → `expr`, when the quotes hold exactly one interpolation and nothing else;
/// a multi-line result is wrapped in parentheses unless it already is.
fn unwrapped_interpolation(expr: &[Token]) -> Option<Vec<Token>> {
    use TokenKind::*;
    let [first, second, inside @ .., before_last, last] = expr else {
        return None;
    };
    let is_wrapped = first.kind == OQuote
        && second.kind == TemplateInterp
        && before_last.kind == TemplateSeqEnd
        && last.kind == CQuote;
    if !is_wrapped || inside.is_empty() {
        return None;
    }
    let mut nested_quotes = 0;
    for token in inside {
        match token.kind {
            OQuote => nested_quotes += 1,
            CQuote => nested_quotes -= 1,
            _ if nested_quotes > 0 => {}
            TemplateInterp | TemplateSeqEnd | QuotedLit => return None,
            _ => {}
        }
    }
    let first_kept = inside.iter().position(|t| t.kind != Newline)?;
    let last_kept = inside.iter().rposition(|t| t.kind != Newline)?;
    let trimmed = &inside[first_kept..=last_kept];
    let multi_line = trimmed.iter().skip(1).any(|t| t.kind == Newline);
    let parenthesized =
        trimmed.len() > 1 && trimmed[0].kind == OParen && trimmed[trimmed.len() - 1].kind == CParen;
    let mut result = Vec::with_capacity(trimmed.len() + 2);
    if multi_line && !parenthesized {
        result.push(Token::new(OParen, "("));
        result.extend_from_slice(trimmed);
        result.push(Token::new(CParen, ")"));
    } else {
        result.extend_from_slice(trimmed);
    }
    Some(result)
}

/// A variable's type: `"string"`, `"list"`, `"map"` (Terraform 0.11 syntax) become
/// `string`, `list(string)`, `map(string)`; a bare `list`, `map` or `set` gets `(any)`.
fn type_expression(expr: &[Token]) -> Option<Vec<Token>> {
    use TokenKind::*;
    let collection = |name: &str, element: &str| {
        Some(vec![
            Token::new(Ident, name),
            Token::new(OParen, "("),
            Token::new(Ident, element),
            Token::new(CParen, ")"),
        ])
    };
    match expr {
        [keyword] if keyword.kind == Ident => match keyword.text.as_str() {
            name @ ("list" | "map" | "set") => collection(name, "any"),
            _ => None,
        },
        [open, literal, close]
            if open.kind == OQuote && literal.kind == QuotedLit && close.kind == CQuote =>
        {
            match literal.text.as_str() {
                "string" => Some(vec![Token::new(Ident, "string")]),
                name @ ("list" | "map") => collection(name, "string"),
                _ => None,
            }
        }
        _ => None,
    }
}
