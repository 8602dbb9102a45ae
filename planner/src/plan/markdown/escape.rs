//! Putting untrusted text (addresses, keys, values) into GitHub-flavoured Markdown without
//! letting it change the comment's structure: code spans whose delimiters outnumber the
//! text's backticks, pipes escaped inside table cells, HTML escaping inside `<summary>`, and
//! code fences longer than any backtick run of the fenced text. Control characters (a
//! newline would end a table row) and invisible ones are written as escapes.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character is written as an escape: control characters, and the invisible ones
/// that could make a value look like another (zero-width, bidirectional overrides).
fn is_hidden(ch: char) -> bool {
    ch.is_control()
        || matches!(ch, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `text` with control and invisible characters written as escapes (`\n`, `\u{202e}`).
pub(super) fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if is_hidden(ch) {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// The longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for ch in text.chars() {
        if ch == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// `text` as an inline code span, shown exactly as it is (on one line).
pub(super) fn code(text: &str) -> String {
    let text = one_line(text);
    let delimiter = "`".repeat(longest_backtick_run(&text) + 1);
    // A span strips one space from each end when both ends have one, and a backtick next to
    // the delimiter would lengthen it: pad with a space in both cases.
    let padded = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '))
        || text.is_empty();
    let pad = if padded { " " } else { "" };
    format!("{delimiter}{pad}{text}{pad}{delimiter}")
}

/// [`code`] for a table cell, where an unescaped pipe would end the cell even inside a span.
/// GitHub's table scanner reads a backslash and the punctuation after it as a pair, so a pipe
/// after an odd run of backslashes gets two more (one shows; the cell holds).
pub(super) fn table_code(text: &str) -> String {
    let span = code(text);
    let mut out = String::with_capacity(span.len() + 4);
    let mut backslashes = 0;
    for ch in span.chars() {
        if ch == '|' {
            if backslashes % 2 == 1 {
                out.push('\\');
            }
            out.push('\\');
        }
        backslashes = if ch == '\\' { backslashes + 1 } else { 0 };
        out.push(ch);
    }
    out
}

/// `text` escaped for HTML (inside `<summary>`, where Markdown is not interpreted).
pub(super) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in one_line(text).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `content` in a fenced code block with the info string `info`, the fence longer than any
/// backtick run in the content so that no line of it can close the block.
pub(super) fn fenced(info: &str, content: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(content) + 1).max(3));
    let mut out = String::with_capacity(content.len() + 2 * fence.len() + info.len() + 3);
    let _ = writeln!(out, "{fence}{info}");
    out.push_str(content);
    if !content.is_empty() && !content.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}");
    out
}

/// `text` cut to at most `max` bytes (at a character boundary), with `…` when cut.
pub(super) fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

/// A count with thousands separators (`3,000`).
pub(super) fn number(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `1 tenant`, `3,000 tenants`.
pub(super) fn count(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{} {noun}{plural}", number(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outnumber_the_backticks_of_their_text() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code(" both "), "`  both  `");
        assert_eq!(code("line\nbreak"), "`line\\nbreak`");
        assert_eq!(code("txt.exe\u{202e}fdp"), "`txt.exe\\u{202e}fdp`");
    }

    #[test]
    fn table_cells_escape_pipes() {
        assert_eq!(table_code("a|b"), "`a\\|b`");
        // An odd run of backslashes before the pipe stays even once the pipe is escaped.
        assert_eq!(table_code("\\|"), "`\\\\\\|`");
        assert_eq!(table_code("\\\\|"), "`\\\\\\|`");
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html("<img src=x onerror='y'>&"),
            "&lt;img src=x onerror=&#39;y&#39;&gt;&amp;"
        );
    }

    #[test]
    fn fences_outnumber_the_backticks_of_their_content() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```\n");
        let content = "+```\n+</details>\n";
        let block = fenced("diff", content);
        assert!(block.starts_with("````diff\n"), "{block}");
        assert!(block.ends_with("\n````\n"), "{block}");
    }

    #[test]
    fn shortening_keeps_characters_whole() {
        assert_eq!(shorten("short", 10), "short");
        let cut = shorten("ééééé", 6);
        assert!(cut.len() <= 6, "{cut}");
        assert!(cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(number(7), "7");
        assert_eq!(number(3000), "3,000");
        assert_eq!(number(1_234_567), "1,234,567");
        assert_eq!(count(1, "tenant"), "1 tenant");
        assert_eq!(count(3000, "tenant"), "3,000 tenants");
    }
}
