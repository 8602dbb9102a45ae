//! A scanner for HCL native syntax that keeps every byte that matters to formatting: it
//! splits the source into [`Token`]s with their exact text, records the spaces and tabs
//! between them, and follows quoted templates, heredocs and template sequences (`${ }`,
//! `%{ }`, with `~` strip markers) the way the HCL scanner does.

use super::FormatError;
use super::token::{Token, TokenKind};

/// The tokens of a source file and the blanks after the last one.
#[derive(Debug)]
pub(crate) struct Lexed {
    pub tokens: Vec<Token>,
    /// Spaces and tabs between the last token and the end of the file.
    pub trailing_blanks: usize,
}

/// Splits `src` into tokens, or reports the first thing the scanner cannot read.
pub(crate) fn lex(src: &str) -> Result<Lexed, FormatError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        last_end: 0,
        tokens: Vec::new(),
        template_depth: 0,
    };
    lexer.expression_mode(false)?;
    Ok(Lexed {
        trailing_blanks: src.len() - lexer.last_end,
        tokens: lexer.tokens,
    })
}

/// How deep template sequences may nest (`"${"${…}"}"`): the scanner recurses once per
/// level, and deeper input is refused rather than overflowing the stack.
const MAX_TEMPLATE_DEPTH: usize = 10_000;

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    last_end: usize,
    tokens: Vec<Token>,
    /// How many template sequences are open.
    template_depth: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn emit(&mut self, kind: TokenKind, len: usize) {
        let text = &self.src[self.pos..self.pos + len];
        self.tokens.push(Token {
            kind,
            text: text.to_string(),
            spaces_before: self.pos - self.last_end,
        });
        self.pos += len;
        self.last_end = self.pos;
    }

    fn error(&self, summary: &str, detail: &str) -> FormatError {
        FormatError::syntax(summary, detail, self.pos)
    }

    /// Expressions and structure. Inside a template sequence (`in_template`), returns after
    /// the `}` or `~}` that closes it.
    fn expression_mode(&mut self, in_template: bool) -> Result<(), FormatError> {
        let mut braces = 0usize;
        loop {
            while matches!(self.peek(), Some(' ' | '\t')) {
                self.pos += 1;
            }
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                if in_template {
                    return Err(self.error(
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                    ));
                }
                return Ok(());
            };
            let two = rest.get(..2).unwrap_or("");
            match c {
                '\n' => self.emit(TokenKind::Newline, 1),
                '\r' if two == "\r\n" => self.emit(TokenKind::Newline, 2),
                '#' => self.line_comment(),
                '/' if two == "//" => self.line_comment(),
                '/' if two == "/*" => {
                    let Some(end) = rest[2..].find("*/") else {
                        return Err(self.error(
                            "Unterminated comment",
                            "There is no closing marker for this multi-line comment.",
                        ));
                    };
                    self.emit(TokenKind::Comment, end + 4);
                }
                '"' => {
                    self.emit(TokenKind::OQuote, 1);
                    self.quoted_template()?;
                }
                '<' if two == "<<" => self.heredoc()?,
                '{' => {
                    braces += 1;
                    self.emit(TokenKind::OBrace, 1);
                }
                '}' if in_template && braces == 0 => {
                    self.emit(TokenKind::TemplateSeqEnd, 1);
                    return Ok(());
                }
                '~' if in_template && braces == 0 && two == "~}" => {
                    self.emit(TokenKind::TemplateSeqEnd, 2);
                    return Ok(());
                }
                '}' => {
                    braces = braces.saturating_sub(1);
                    self.emit(TokenKind::CBrace, 1);
                }
                c if c.is_ascii_digit() => {
                    let len = number_length(rest);
                    self.emit(TokenKind::Number, len);
                }
                c if is_ident_start(c) => {
                    let len = rest
                        .char_indices()
                        .find(|&(_, c)| !is_ident_continue(c))
                        .map_or(rest.len(), |(i, _)| i);
                    self.emit(TokenKind::Ident, len);
                }
                _ => {
                    let Some((kind, len)) = operator(rest) else {
                        return Err(self.error(
                            "Invalid character",
                            "This character is not used within the language.",
                        ));
                    };
                    self.emit(kind, len);
                }
            }
        }
    }

    fn line_comment(&mut self) {
        let len = self.rest().find('\n').map_or(self.rest().len(), |i| i + 1);
        self.emit(TokenKind::Comment, len);
    }

    /// After an opening `${` or `%{`: the optional strip marker, the sequence's content and
    /// its closing `}`.
    fn template_sequence(&mut self, kind: TokenKind) -> Result<(), FormatError> {
        let len = if self.rest()[2..].starts_with('~') {
            3
        } else {
            2
        };
        if self.template_depth >= MAX_TEMPLATE_DEPTH {
            return Err(self.error(
                "Templates nested too deeply",
                "Templates nested more than 10000 levels deep are not supported by tenantform.",
            ));
        }
        self.emit(kind, len);
        self.template_depth += 1;
        let result = self.expression_mode(true);
        self.template_depth -= 1;
        result
    }

    /// The rest of a quoted template, after its opening quote. Literal text is split as the
    /// HCL scanner splits it: runs of plain characters and escapes, a lone `$` or `%`, and
    /// the escaped introducers `$${` and `%%{` are separate tokens.
    fn quoted_template(&mut self) -> Result<(), FormatError> {
        loop {
            let rest = self.rest();
            let two = rest.get(..2).unwrap_or("");
            if rest.starts_with('"') {
                self.emit(TokenKind::CQuote, 1);
                return Ok(());
            } else if two == "${" {
                self.template_sequence(TokenKind::TemplateInterp)?;
            } else if two == "%{" {
                self.template_sequence(TokenKind::TemplateControl)?;
            } else if rest.starts_with("$${") || rest.starts_with("%%{") {
                self.emit(TokenKind::QuotedLit, 3);
            } else if rest.starts_with('$') || rest.starts_with('%') {
                self.emit(TokenKind::QuotedLit, 1);
            } else if rest.is_empty() {
                return Err(self.error(
                    "Unterminated template string",
                    "No closing marker was found for the string.",
                ));
            } else if rest.starts_with('\n') || rest.starts_with('\r') {
                return Err(self.error(
                    "Invalid multi-line string",
                    "Quoted strings may not be split over multiple lines. To produce a \
                     multi-line string, either use the \\n escape to represent a newline \
                     character or use the \"heredoc\" multi-line template syntax.",
                ));
            } else {
                let len = plain_literal_length(rest);
                self.emit(TokenKind::QuotedLit, len);
            }
        }
    }

    /// A heredoc, from its `<<` to the newline after its closing marker.
    fn heredoc(&mut self) -> Result<(), FormatError> {
        let rest = self.rest();
        let after_arrows = if rest[2..].starts_with('-') { 3 } else { 2 };
        let marker_len = rest[after_arrows..]
            .char_indices()
            .find(|&(_, c)| !is_ident_continue(c))
            .map_or(rest.len() - after_arrows, |(i, _)| i);
        let marker = &rest[after_arrows..after_arrows + marker_len];
        let after_marker = &rest[after_arrows + marker_len..];
        let newline = if after_marker.starts_with("\r\n") {
            2
        } else {
            usize::from(after_marker.starts_with('\n'))
        };
        if !marker.starts_with(is_ident_start) || newline == 0 {
            return Err(self.error(
                "Invalid character",
                "This character is not used within the language.",
            ));
        }
        self.emit(TokenKind::OHeredoc, after_arrows + marker_len + newline);
        let mut start_of_line = true;
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Err(self.error(
                    "Unterminated template string",
                    "No closing marker was found for the string.",
                ));
            }
            if start_of_line && let Some(line_end) = rest.find('\n') {
                let line = rest[..line_end]
                    .strip_suffix('\r')
                    .unwrap_or(&rest[..line_end]);
                if line.trim() == marker {
                    self.emit(TokenKind::CHeredoc, line.len());
                    let newline = line_end + 1 - line.len();
                    self.emit(TokenKind::Newline, newline);
                    return Ok(());
                }
            }
            let mut len = 0;
            let mut sequence = None;
            while len < rest.len() {
                let tail = &rest[len..];
                if tail.starts_with("$${") || tail.starts_with("%%{") {
                    len += 3;
                } else if tail.starts_with("${") {
                    sequence = Some(TokenKind::TemplateInterp);
                    break;
                } else if tail.starts_with("%{") {
                    sequence = Some(TokenKind::TemplateControl);
                    break;
                } else if tail.starts_with('\n') {
                    len += 1;
                    break;
                } else {
                    len += tail.chars().next().map_or(1, char::len_utf8);
                }
            }
            if len > 0 {
                start_of_line = rest[..len].ends_with('\n');
                self.emit(TokenKind::StringLit, len);
            }
            if let Some(kind) = sequence {
                self.template_sequence(kind)?;
            }
        }
    }
}

/// The length of the run of plain characters and escapes at the start of a quoted
/// template's literal text (at least one character).
fn plain_literal_length(text: &str) -> usize {
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            '$' | '%' | '"' | '\n' | '\r' if i > 0 => return i,
            '\\' => {
                chars.next();
                if chars
                    .peek()
                    .is_some_and(|&(_, next)| next != '\n' && next != '\r')
                {
                    chars.next();
                }
            }
            _ => {
                chars.next();
            }
        }
    }
    text.len()
}

/// The length of the number literal at the start of `text`: digits, an optional fraction
/// and an optional exponent.
fn number_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits_from = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut len = digits_from(0);
    if bytes.get(len) == Some(&b'.') && bytes.get(len + 1).is_some_and(u8::is_ascii_digit) {
        len = digits_from(len + 1);
    }
    if matches!(bytes.get(len), Some(b'e' | b'E')) {
        let mut exponent = len + 1;
        if matches!(bytes.get(exponent), Some(b'+' | b'-')) {
            exponent += 1;
        }
        if bytes.get(exponent).is_some_and(u8::is_ascii_digit) {
            len = digits_from(exponent);
        }
    }
    len
}

/// The operator or punctuation at the start of `text`, longest match first.
fn operator(text: &str) -> Option<(TokenKind, usize)> {
    use TokenKind::*;
    const OPERATORS: &[(&str, TokenKind)] = &[
        ("...", Ellipsis),
        ("::", DoubleColon),
        ("==", EqualOp),
        ("!=", NotEqual),
        ("<=", LessEq),
        (">=", GreaterEq),
        ("=>", FatArrow),
        ("&&", And),
        ("||", Or),
        ("[", OBrack),
        ("]", CBrack),
        ("(", OParen),
        (")", CParen),
        (",", Comma),
        (".", Dot),
        (":", Colon),
        ("?", Question),
        ("=", Equal),
        ("<", Less),
        (">", Greater),
        ("!", Bang),
        ("+", Plus),
        ("-", Minus),
        ("*", Star),
        ("/", Slash),
        ("%", Percent),
    ];
    OPERATORS
        .iter()
        .find(|(symbol, _)| text.starts_with(symbol))
        .map(|&(symbol, kind)| (kind, symbol.len()))
}
