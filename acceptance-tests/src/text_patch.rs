//! Unified diffs (`diff -u` output) applied to text: a fixture step that changes a few lines
//! of a file stores the change instead of a second copy of the whole file.
//!
//! Each hunk's context and removed lines must stand in the original exactly where its
//! `@@ -start,count` header says; anything else is an error, so a stale diff never applies
//! silently somewhere else.

/// One `@@` hunk: how many original lines come before it, and its lines with their marks.
struct Hunk {
    lines_before: usize,
    lines: Vec<(char, String)>,
}

/// Applies a unified diff of one file to `original`; the error says what did not match.
pub fn apply(original: &str, diff: &str) -> Result<String, String> {
    if original.contains('\r') || diff.contains("\\ No newline") {
        return Err("only newline-terminated LF text can be patched".to_string());
    }
    let old_lines: Vec<&str> = original.lines().collect();
    let mut result: Vec<String> = Vec::new();
    let mut next = 0;
    for hunk in parse(diff)? {
        let start = hunk.lines_before;
        if start < next || start > old_lines.len() {
            return Err(format!("hunk after line {start} is out of order"));
        }
        result.extend(
            old_lines[next..start]
                .iter()
                .map(std::string::ToString::to_string),
        );
        next = start;
        for (mark, text) in hunk.lines {
            if mark != '+' {
                if old_lines.get(next) != Some(&text.as_str()) {
                    return Err(format!(
                        "line {} is {:?}, the diff expects {text:?}",
                        next + 1,
                        old_lines.get(next).copied().unwrap_or("<end of file>")
                    ));
                }
                next += 1;
            }
            if mark != '-' {
                result.push(text);
            }
        }
    }
    result.extend(
        old_lines[next..]
            .iter()
            .map(std::string::ToString::to_string),
    );
    let mut text = result.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok(text)
}

fn parse(diff: &str) -> Result<Vec<Hunk>, String> {
    let mut hunks: Vec<Hunk> = Vec::new();
    for line in diff.lines() {
        if let Some(header) = line.strip_prefix("@@ -") {
            hunks.push(Hunk {
                lines_before: parse_lines_before(header)?,
                lines: Vec::new(),
            });
            continue;
        }
        let Some(hunk) = hunks.last_mut() else {
            continue; // the `---` and `+++` file header
        };
        let mark = line.chars().next().unwrap_or(' ');
        if !matches!(mark, ' ' | '-' | '+') {
            return Err(format!("unexpected diff line {line:?}"));
        }
        let text = line.get(1..).unwrap_or("").to_string();
        hunk.lines.push((mark, text));
    }
    if hunks.is_empty() {
        return Err("the diff has no hunk".to_string());
    }
    Ok(hunks)
}

/// How many original lines precede the hunk `START[,COUNT] +... @@`: `START - 1`, or
/// `START` itself when `COUNT` is 0 (a pure insertion names the line it follows).
fn parse_lines_before(header: &str) -> Result<usize, String> {
    let malformed = || format!("malformed hunk header @@ -{header}");
    let range = header.split_whitespace().next().unwrap_or("");
    let (start, count) = range.split_once(',').unwrap_or((range, "1"));
    let start: usize = start.parse().map_err(|_| malformed())?;
    let count: usize = count.parse().map_err(|_| malformed())?;
    Ok(if count == 0 {
        start
    } else {
        start.saturating_sub(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "a\nb\nc\nd\ne\nf\ng\n";

    #[test]
    fn hunks_replace_insert_and_remove_lines() {
        let diff =
            "--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -5,3 +5,3 @@\n e\n+e2\n f\n-g\n";
        assert_eq!(apply(ORIGINAL, diff).unwrap(), "a\nB\nc\nd\ne\ne2\nf\n");
    }

    #[test]
    fn hunks_without_context_insert_after_the_line_they_name() {
        let diff = "@@ -2,0 +3,2 @@\n+x\n+y\n@@ -4 +5,0 @@\n-d\n";
        assert_eq!(apply(ORIGINAL, diff).unwrap(), "a\nb\nx\ny\nc\ne\nf\ng\n");
        assert_eq!(apply("", "@@ -0,0 +1 @@\n+a\n").unwrap(), "a\n");
    }

    #[test]
    fn context_that_does_not_match_is_an_error() {
        let diff = "@@ -2,2 +2,2 @@\n b\n-x\n+y\n";
        assert_eq!(
            apply(ORIGINAL, diff).unwrap_err(),
            "line 3 is \"c\", the diff expects \"x\""
        );
        assert!(apply(ORIGINAL, "no hunks\n").is_err());
        assert!(apply("a", "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n").is_err());
    }

    #[test]
    fn empty_context_lines_may_lose_their_space() {
        let diff = "@@ -1,3 +1,3 @@\n x\n\n-y\n+z\n";
        assert_eq!(apply("x\n\ny\n", diff).unwrap(), "x\n\nz\n");
    }
}
