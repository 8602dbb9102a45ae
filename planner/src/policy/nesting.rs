//! A bound on how deeply brackets nest in a policy file, checked before the Rego parser
//! sees it: the parser's time grows exponentially with nested arrays and objects (twenty
//! levels of `[{` can take minutes), so deeper input is refused with an error instead of
//! hanging the run. Real policies, test inputs included, stay far below the bound.

use super::PolicyError;

/// The deepest nesting of `[`, `{` and `(` accepted.
pub(super) const MAX_NESTING: usize = 16;

/// Refuses `text` (the file `file`) when its brackets, outside strings and comments, nest
/// more than [`MAX_NESTING`] levels deep.
pub(super) fn check(file: &str, text: &str) -> Result<(), PolicyError> {
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '#' if chars.by_ref().any(|c| c == '\n') => line += 1,
            '"' => skip_string(&mut chars, &mut line),
            '`' => {
                for c in chars.by_ref() {
                    match c {
                        '\n' => line += 1,
                        '`' => break,
                        _ => {}
                    }
                }
            }
            '[' | '{' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(PolicyError::Parse(format!(
                        "{file}:{line}: brackets nest more than {MAX_NESTING} levels deep, \
                         which tenantform's Rego parser does not accept"
                    )));
                }
            }
            ']' | '}' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Skips a double-quoted string up to its closing quote, honouring backslash escapes.
fn skip_string(chars: &mut std::str::Chars<'_>, line: &mut usize) {
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return,
            '\n' => {
                *line += 1;
                return;
            }
            _ => {}
        }
    }
}
