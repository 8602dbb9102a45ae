//! The tokens of HCL native syntax as the formatter sees them: each token keeps its exact
//! text and the number of spaces written before it, which is the only thing formatting
//! changes.

/// The kind of a token, following the HCL native syntax scanner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Ident,
    Number,
    /// `"` opening a quoted template.
    OQuote,
    /// `"` closing a quoted template.
    CQuote,
    /// Literal text inside a quoted template, escapes kept as written.
    QuotedLit,
    /// `<<MARKER` or `<<-MARKER` with its line end.
    OHeredoc,
    /// The line closing a heredoc, with its leading whitespace, without the line end.
    CHeredoc,
    /// Literal text inside a heredoc; a whole line ends with its line end.
    StringLit,
    /// `${` or `${~`.
    TemplateInterp,
    /// `%{` or `%{~`.
    TemplateControl,
    /// `}` or `~}` closing a template sequence.
    TemplateSeqEnd,
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    Comma,
    Dot,
    Ellipsis,
    Colon,
    DoubleColon,
    Question,
    /// `=` of an attribute or an object item.
    Equal,
    FatArrow,
    /// `==`.
    EqualOp,
    NotEqual,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    And,
    Or,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    /// `\n` or `\r\n`.
    Newline,
    /// `# …` and `// …` (with their line end when there is one) or `/* … */`.
    Comment,
}

/// One token: its kind, its text and the spaces written before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub spaces_before: usize,
}

impl Token {
    pub(crate) fn new(kind: TokenKind, text: impl Into<String>) -> Token {
        Token {
            kind,
            text: text.into(),
            spaces_before: 0,
        }
    }

    /// Whether the token ends a line: a newline, or a line comment that took its line end.
    pub(crate) fn ends_line(&self) -> bool {
        match self.kind {
            TokenKind::Newline => true,
            TokenKind::Comment => self.text.ends_with('\n'),
            _ => false,
        }
    }

    /// How the token changes the bracket nesting: +1 for openers, -1 for closers.
    pub(crate) fn bracket_change(&self) -> i32 {
        use TokenKind::*;
        match self.kind {
            OBrace | OBrack | OParen | TemplateControl | TemplateInterp => 1,
            CBrace | CBrack | CParen | TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}
