//! Line-oriented fixture scripts and manifests (`steps.txt`, `SHARED`): their meaningful lines,
//! trimmed and numbered from 1, with blank lines and `#` comment lines left out.

/// The meaningful lines of `text` with their line numbers.
pub fn script_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_left_out_and_numbers_kept() {
        let lines: Vec<(usize, &str)> = script_lines("# c\n\n  a b \n#x\nc\n").collect();
        assert_eq!(lines, vec![(3, "a b"), (5, "c")]);
    }
}
