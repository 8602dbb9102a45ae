//! The canonical formatting of HCL native syntax, byte for byte what `terraform fmt`
//! writes: indentation by bracket nesting, Terraform's spacing between tokens, `=` aligned
//! in runs of single-line attributes, line comments aligned, trailing spaces removed,
//! comments and line endings kept, plus Terraform's own normalizations (quoted block labels,
//! unwrapped lone interpolations, legacy quoted variable types).
//!
//! Formatting works on tokens: the [`lexer`] splits the source, [`normalize`] rewrites
//! the few constructs Terraform rewrites, and [`layout`] sets the spaces before each token.
//! A file must parse before it is formatted (`lang::parse` checks the syntax), so a broken file is
//! reported rather than mangled.

mod layout;
pub(crate) mod lexer;
pub(crate) mod literal;
pub(crate) mod normalize;
mod strings;

pub(crate) use strings::{escape_label, unescape_label};
pub(crate) mod token;
mod width;

#[cfg(test)]
mod tests;

/// Why a source could not be formatted: a syntax error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{summary}: {detail}")]
pub(crate) struct FormatError {
    /// A short title, as a diagnostic's summary.
    pub summary: String,
    /// What is wrong, as a diagnostic's detail.
    pub detail: String,
    /// The byte offset in the source where the problem was found.
    pub offset: usize,
}

impl FormatError {
    pub(crate) fn syntax(summary: &str, detail: &str, offset: usize) -> FormatError {
        FormatError {
            summary: summary.to_string(),
            detail: detail.to_string(),
            offset,
        }
    }
}

/// Formats one file's source as `terraform fmt` does. A missing newline at the end of the
/// file stays missing (Terraform's output to a terminal adds one; its files do not).
/// A UTF-8 byte-order mark at the start is dropped, as `terraform fmt` drops it.
pub(crate) fn format_source(src: &str) -> Result<String, FormatError> {
    if let Err(err) = crate::lang::parse::check_body(src) {
        return Err(FormatError::syntax(
            "Invalid HCL syntax",
            &err.message,
            err.offset,
        ));
    }
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lexed = lexer::lex(src)?;
    let mut tokens = normalize::normalize(lexed.tokens);
    layout::layout(&mut tokens);
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    for token in &tokens {
        out.extend(std::iter::repeat_n(' ', token.spaces_before));
        out.push_str(&token.text);
    }
    out.extend(std::iter::repeat_n(' ', lexed.trailing_blanks));
    Ok(out)
}
