//! Diagnostics: errors and warnings with a source range, rendered as Terraform renders them
//! (summary, `on FILE line N, in BLOCK`, a snippet with the range underlined, detail) or as
//! Terraform's JSON diagnostics (see [`json`]).

mod json;
#[cfg(test)]
mod snapshot_tests;

pub(crate) use json::{diagnostic_json, validate_report};

use tenantform_proto::diagnostic::Diagnostic as ProviderDiagnostic;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// The wire's severity: one scale for the planner's and the providers' diagnostics.
pub(crate) use tenantform_proto::diagnostic::Severity;

/// A position in a source file: 1-based line and column (in characters), 0-based byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

/// A range in one source file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct SourceRange {
    pub filename: String,
    pub start: Pos,
    pub end: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub range: Option<SourceRange>,
}

/// Every source file the configuration was read from, by the name diagnostics show.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources {
    pub files: BTreeMap<String, String>,
    /// Byte offsets of line starts per file, built on first use so that locating a span
    /// costs a binary search instead of a scan from the start of the file.
    line_starts: Arc<Mutex<HashMap<String, Arc<Vec<usize>>>>>,
}

/// A list of diagnostics; an operation failed when any of them is an error.
#[derive(Clone, Debug, Default)]
pub(crate) struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostic {
    pub(crate) fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            range: None,
        }
    }

    pub(crate) fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// A provider's diagnostic as the user sees it: the detail says which object (`subject`,
    /// an address) and attribute it is about, at `range`, the configuration block's range.
    pub(crate) fn from_provider(
        diagnostic: ProviderDiagnostic,
        subject: &str,
        range: Option<SourceRange>,
    ) -> Diagnostic {
        let about = match &diagnostic.attribute {
            Some(path) if !path.0.is_empty() => format!("with {subject}, attribute {path}"),
            _ => format!("with {subject}"),
        };
        let detail = if diagnostic.detail.is_empty() {
            about
        } else {
            format!("{}\n\n{about}", diagnostic.detail)
        };
        Diagnostic {
            severity: diagnostic.severity,
            summary: diagnostic.summary,
            detail,
            range,
        }
    }

    pub(crate) fn with_range(mut self, range: Option<SourceRange>) -> Diagnostic {
        self.range = range;
        self
    }
}

impl Diagnostics {
    /// Every diagnostic on one line, `summary{between}detail`, separated by `; ` (as messages
    /// that quote diagnostics inside another error write them).
    pub(crate) fn inline(&self, between: &str) -> String {
        self.iter()
            .map(|d| format!("{}{between}{}", d.summary, d.detail))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    pub(crate) fn push(&mut self, diag: Diagnostic) {
        self.0.push(diag);
    }

    pub(crate) fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same diagnostics with every error turned into a warning (what a check block's
    /// data source reports, as in Terraform).
    pub(crate) fn into_warnings(mut self) -> Diagnostics {
        for diagnostic in &mut self.0 {
            diagnostic.severity = Severity::Warning;
        }
        self
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diag: Diagnostic) -> Diagnostics {
        Diagnostics(vec![diag])
    }
}

impl fmt::Display for Diagnostics {
    /// A plain rendering without snippets, for contexts that have no sources.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            let label = match d.severity {
                Severity::Error => "Error",
                Severity::Warning => "Warning",
            };
            write!(f, "{label}: {}", d.summary)?;
            if let Some(r) = &d.range {
                write!(f, " ({}:{}:{})", r.filename, r.start.line, r.start.column)?;
            }
            if !d.detail.is_empty() {
                write!(f, ": {}", d.detail)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl SourceRange {
    /// Terraform's compact form, used in details that point at another place:
    /// `main.tf:3,5-12` (or `main.tf:3,5-4,2` across lines).
    pub(crate) fn short(&self) -> String {
        if self.start.line == self.end.line {
            format!(
                "{}:{},{}-{}",
                self.filename, self.start.line, self.start.column, self.end.column
            )
        } else {
            format!(
                "{}:{},{}-{},{}",
                self.filename, self.start.line, self.start.column, self.end.line, self.end.column
            )
        }
    }
}

impl Sources {
    pub(crate) fn new(files: BTreeMap<String, String>) -> Sources {
        Sources {
            files,
            line_starts: Arc::default(),
        }
    }

    /// Sources of one file, `name` holding `text`.
    pub(crate) fn of_file(name: impl Into<String>, text: impl Into<String>) -> Sources {
        Sources::new(BTreeMap::from([(name.into(), text.into())]))
    }

    /// The range of `span` (byte offsets) in `filename`. Offsets past the end are clamped.
    pub(crate) fn range(&self, filename: &str, span: Range<usize>) -> SourceRange {
        let text = self.files.get(filename).map(String::as_str).unwrap_or("");
        let starts = self.line_starts_of(filename, text);
        SourceRange {
            filename: filename.to_string(),
            start: pos_with_index(text, &starts, span.start),
            end: pos_with_index(text, &starts, span.end.max(span.start)),
        }
    }

    fn line_starts_of(&self, filename: &str, text: &str) -> Arc<Vec<usize>> {
        let mut cache = self
            .line_starts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry(filename.to_string())
            .or_insert_with(|| {
                let starts = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect();
                Arc::new(starts)
            })
            .clone()
    }
}

/// The position of `byte` given the file's line starts (see [`Sources::range`]).
fn pos_with_index(text: &str, line_starts: &[usize], byte: usize) -> Pos {
    let byte = floor_char_boundary(text, byte.min(text.len()));
    let line_index = line_starts
        .partition_point(|&start| start <= byte)
        .saturating_sub(1);
    let line_start = line_starts.get(line_index).copied().unwrap_or(0);
    let column = columns_before(&text[line_start..byte]) + 1;
    Pos {
        line: line_index + 1,
        column,
        byte,
    }
}

/// The line/column position of byte offset `byte` in `text`.
#[cfg(test)]
pub(crate) fn pos_at(text: &str, byte: usize) -> Pos {
    let byte = byte.min(text.len());
    let before = &text[..floor_char_boundary(text, byte)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = columns_before(&before[line_start..]) + 1;
    Pos { line, column, byte }
}

/// The columns `line_part` (from a line's start) takes: its characters, less a byte-order
/// mark at the start of the file, which HCL skips.
fn columns_before(line_part: &str) -> usize {
    line_part.trim_start_matches('\u{feff}').chars().count()
}

fn floor_char_boundary(text: &str, mut byte: usize) -> usize {
    while byte > 0 && !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// Renders diagnostics as Terraform does, with a snippet of each one's source lines and the
/// range underlined.
pub(crate) fn render(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        let (label, paint) = match d.severity {
            Severity::Error => ("Error", "\x1b[1;31m"),
            Severity::Warning => ("Warning", "\x1b[1;33m"),
        };
        out.push('\n');
        if color {
            out.push_str(&format!(
                "{paint}{label}: \x1b[0m\x1b[1m{}\x1b[0m\n",
                d.summary
            ));
        } else {
            out.push_str(&format!("{label}: {}\n", d.summary));
        }
        if let Some(range) = &d.range {
            out.push('\n');
            out.push_str(&render_snippet(range, sources));
        }
        if !d.detail.is_empty() {
            out.push('\n');
            out.push_str(&d.detail);
            out.push('\n');
        }
    }
    out
}

/// `  on FILE line N, in CONTEXT:` and the range's lines, each with its highlighted part
/// underlined.
fn render_snippet(range: &SourceRange, sources: &Sources) -> String {
    let snippet = Snippet::of(range, sources);
    let context = snippet
        .as_ref()
        .and_then(|s| s.context.as_ref())
        .map(|c| format!(", in {c}"))
        .unwrap_or_default();
    let mut out = format!(
        "  on {} line {}{context}:\n",
        range.filename, range.start.line
    );
    let Some(snippet) = snippet else {
        return out;
    };
    let mut line_start = 0;
    for (index, line) in snippet.code.split('\n').enumerate() {
        let line_end = line_start + line.len();
        out.push_str(&format!("{:>4}: {line}\n", snippet.start_line + index));
        let from = snippet.highlight_start.clamp(line_start, line_end) - line_start;
        let to = snippet.highlight_end.clamp(line_start, line_end) - line_start;
        let lead = line[..from].chars().count();
        let width = line[from..to].chars().count();
        if width > 0 || (index == 0 && snippet.highlight_start == snippet.highlight_end) {
            out.push_str(&format!(
                "      {}{}\n",
                " ".repeat(lead),
                "^".repeat(width.max(1))
            ));
        }
        line_start = line_end + 1;
    }
    out
}

/// The source lines a range covers, with the highlighted byte range relative to them and
/// the header of the top-level block the range is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Snippet {
    pub context: Option<String>,
    /// The whole lines of the range, joined with `\n`.
    pub code: String,
    pub start_line: usize,
    pub highlight_start: usize,
    pub highlight_end: usize,
}

impl Snippet {
    /// The snippet of `range`; `None` when its file is not among `sources`.
    pub(crate) fn of(range: &SourceRange, sources: &Sources) -> Option<Snippet> {
        let text = sources.files.get(&range.filename)?;
        let start = floor_char_boundary(text, range.start.byte.min(text.len()));
        let end = floor_char_boundary(text, range.end.byte.clamp(start, text.len()));
        let code_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let last_line_from = if end > start && text[..end].ends_with('\n') {
            end - 1
        } else {
            end
        };
        let code_end = text[last_line_from..]
            .find('\n')
            .map_or(text.len(), |i| last_line_from + i);
        let code_end = code_end.max(code_start);
        let code = text[code_start..code_end]
            .trim_end_matches('\r')
            .to_string();
        Some(Snippet {
            context: block_context(text, start),
            highlight_start: (start - code_start).min(code.len()),
            highlight_end: (end.min(code_end) - code_start).min(code.len()),
            code,
            start_line: range.start.line,
        })
    }
}

/// The header of the top-level block containing `byte`, as Terraform names it in
/// `in resource "tenant" "a"`.
fn block_context(text: &str, byte: usize) -> Option<String> {
    use hcl_edit::Span;
    let body = hcl_edit::parser::parse_body(text).ok()?;
    let block = body
        .blocks()
        .find(|block| block.span().is_some_and(|span| span.contains(&byte)))?;
    let mut header = block.ident.value().to_string();
    for label in &block.labels {
        header.push_str(&format!(" {:?}", label.as_str()));
    }
    Some(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(
            pos_at(text, 0),
            Pos {
                line: 1,
                column: 1,
                byte: 0
            }
        );
        assert_eq!(
            pos_at(text, 6),
            Pos {
                line: 2,
                column: 1,
                byte: 6
            }
        );
        // 'é' is two bytes: the '=' after "bé " is the 4th character.
        assert_eq!(pos_at(text, 10).column, 4);
    }

    #[test]
    fn render_shows_file_line_and_snippet() {
        let mut sources = Sources::default();
        sources
            .files
            .insert("main.tf".into(), "x = 1\ny = oops\n".into());
        let range = sources.range("main.tf", 10..14);
        let diags =
            Diagnostics::from(Diagnostic::error("Bad thing", "It is bad.").with_range(Some(range)));
        let text = render(&diags, &sources, false);
        assert!(text.contains("Error: Bad thing"), "{text}");
        assert!(text.contains("on main.tf line 2:"), "{text}");
        assert!(text.contains("   2: y = oops\n          ^^^^"), "{text}");
    }

    #[test]
    fn render_names_the_enclosing_block() {
        let sources = Sources::of_file("main.tf", "resource \"tenant\" \"a\" {\n  slug = 1\n}\n");
        let range = sources.range("main.tf", 33..34);
        let diags = Diagnostics::from(Diagnostic::error("Bad", "Why.").with_range(Some(range)));
        assert_eq!(
            render(&diags, &sources, false),
            "\nError: Bad\n\n  on main.tf line 2, in resource \"tenant\" \"a\":\n   2:   slug = 1\n               ^\n\nWhy.\n"
        );
    }
}
