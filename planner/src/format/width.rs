//! How many columns text occupies, counted as user-perceived characters (grapheme
//! clusters) the way alignment in the canonical style counts them: combining marks,
//! variation selectors, emoji modifiers and joined emoji sequences add no column, a
//! regional-indicator pair (a flag) is one, and `\r\n` is one.

/// The number of grapheme clusters in `text`, closely approximated.
pub(crate) fn display_columns(text: &str) -> usize {
    let mut count = 0;
    let mut previous: Option<char> = None;
    let mut pending_flag_half = false;
    for c in text.chars() {
        let joins_previous = match previous {
            Some('\r') => c == '\n',
            Some('\u{200D}') => true,
            Some(_) => extends_cluster(c),
            None => false,
        };
        let completes_flag = pending_flag_half && is_regional_indicator(c);
        if !joins_previous && !completes_flag {
            count += 1;
        }
        pending_flag_half = is_regional_indicator(c) && !completes_flag;
        previous = Some(c);
    }
    count
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Characters that continue the cluster before them.
fn extends_cluster(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | '\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{302A}'..='\u{302F}'
        | '\u{3099}' | '\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::display_columns;

    #[test]
    fn counts_user_perceived_characters() {
        assert_eq!(display_columns("abc"), 3);
        assert_eq!(display_columns("ключ"), 4);
        assert_eq!(display_columns("e\u{301}e"), 2);
        assert_eq!(display_columns("\r\n"), 1);
        assert_eq!(display_columns("\u{1F1EB}\u{1F1F7}"), 1);
        assert_eq!(display_columns("\u{1F469}\u{200D}\u{1F4BB}"), 1);
    }
}
