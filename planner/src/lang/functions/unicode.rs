//! Unicode text as cty and Go treat it: every string value is in normalization form C,
//! "characters" are grapheme clusters (`length`, `substr`, `strrev`), and case mapping is
//! Go's rune by rune simple mapping (`unicode.ToUpper`, `ToLower`, `ToTitle`), which has no
//! one-rune upper case for `ß` and no final-sigma rule.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use unicode_segmentation::UnicodeSegmentation;

/// `text` in normalization form C, as cty stores every string.
pub(crate) fn nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// The grapheme clusters of `text`, as cty counts characters.
pub(crate) fn graphemes(text: &str) -> Vec<&str> {
    text.graphemes(true).collect()
}

/// Go's `unicode.ToUpper`: the simple upper-case mapping of one rune. Where the full mapping
/// takes several characters, the simple one is the rune itself, except for Greek letters
/// with a subscript iota, which map to their capital with a subscript iota.
pub(crate) fn go_upper(c: char) -> char {
    let mut full = c.to_uppercase();
    if let (Some(only), None) = (full.next(), full.next()) {
        return only;
    }
    let code = u32::from(c);
    let simple = match code {
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => code + 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => code + 9,
        _ => code,
    };
    char::from_u32(simple).unwrap_or(c)
}

/// Go's `unicode.ToLower`: the simple lower-case mapping of one rune (`İ` becomes `i`).
pub(crate) fn go_lower(c: char) -> char {
    let mut full = c.to_lowercase();
    match (full.next(), full.next()) {
        (Some(only), None) => only,
        (Some(first), Some(_)) if c == '\u{130}' => first,
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: the title-case mapping of one rune, which differs from the upper
/// case for the Latin digraphs (`ǆ` becomes `ǅ`) and Georgian letters (unchanged).
pub(crate) fn go_title(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        '\u{10D0}'..='\u{10FA}' | '\u{10FD}'..='\u{10FF}' => c,
        _ => go_upper(c),
    }
}

/// Go's word separator for `strings.Title`: ASCII other than letters, digits and `_`, and
/// outside ASCII only spaces.
pub(crate) fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    !(c.is_alphabetic() || c.is_numeric()) && c.is_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mapping_is_go_rune_by_rune() {
        let upper: String = "straße ﬁx ŉ ᾳ".chars().map(go_upper).collect();
        assert_eq!(upper, "STRAßE ﬁX ŉ ᾼ");
        let lower: String = "İSTANBUL ΣΑΣ".chars().map(go_lower).collect();
        assert_eq!(lower, "istanbul σασ");
        assert_eq!(go_title('ǆ'), 'ǅ');
        assert_eq!(go_title('ა'), 'ა');
    }

    #[test]
    fn strings_are_composed_and_counted_by_grapheme() {
        assert_eq!(nfc("e\u{301}"), "é");
        assert_eq!(graphemes("e\u{301}🇩🇪x").len(), 3);
    }
}
