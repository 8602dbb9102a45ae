//! Quoted-string literals as block labels use them: decoding the escapes of HCL's quoted
//! templates and writing a label back in canonical form (`\n`, `\"`, `$${`, `\uXXXX` for
//! characters that do not print).

/// The text of a quoted literal, or `None` when an escape is invalid.
pub(crate) fn unescape_label(literal: &str) -> Option<String> {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                kind @ ('u' | 'U') => {
                    let digits = if kind == 'u' { 4 } else { 8 };
                    let hex: String = (0..digits).filter_map(|_| chars.next()).collect();
                    if hex.len() != digits {
                        return None;
                    }
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            '$' | '%' if chars.peek() == Some(&c) => {
                chars.next();
                if chars.peek() == Some(&'{') {
                    out.push(c);
                } else {
                    out.push(c);
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// A label written as the canonical quoted literal (without the quotes).
pub(crate) fn escape_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut chars = label.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !prints(c) => {
                let code = u32::from(c);
                if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether a character prints: letters, marks, numbers, punctuation, symbols and the ASCII
/// space, but not controls, other spaces or invisible format characters.
fn prints(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{E000}'..='\u{F8FF}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{F0000}'..)
}

#[cfg(test)]
mod tests {
    use super::{escape_label, unescape_label};

    #[test]
    fn labels_round_trip_to_canonical_escapes() {
        let cases = [
            ("plain", "plain"),
            ("x\\u0041", "xA"),
            ("a\\tb", "a\\tb"),
            ("q\\\"q", "q\\\"q"),
            ("$${x}", "$${x}"),
            ("100%", "100%"),
            ("nb\\u00a0sp", "nb\\u00a0sp"),
        ];
        for (written, canonical) in cases {
            let label = unescape_label(written).expect(written);
            assert_eq!(escape_label(&label), canonical, "{written}");
        }
        assert_eq!(unescape_label("bad\\q"), None);
    }
}
