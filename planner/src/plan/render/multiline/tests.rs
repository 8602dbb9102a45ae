//! Terraform's line diff of multi-line strings, and which strings render as heredocs.

use super::*;

fn diff(before: &str, after: &str) -> Vec<String> {
    changed_lines(&Value::string(before), &Value::string(after))
        .unwrap_or_default()
        .into_iter()
        .map(|(sym, line)| format!("{}{line}", sym.text()))
        .collect()
}

#[test]
fn only_non_json_text_with_a_newline_is_a_heredoc() {
    assert!(whole_lines(&Value::string("one line")).is_none());
    assert!(whole_lines(&Value::string("{\n  \"a\": 1\n}")).is_none());
    assert!(whole_lines(&Value::Bool(true)).is_none());
    let text = Value::string("\n  a\n\nb\n");
    let lines = whole_lines(&text).unwrap();
    assert_eq!(
        lines,
        vec![(Sym::Same, "a"), (Sym::Same, ""), (Sym::Same, "b")]
    );
    let brace = Value::string("{ not json\n}");
    let not_json = whole_lines(&brace).unwrap();
    assert_eq!(not_json.len(), 2);
}

#[test]
fn equally_long_texts_are_compared_line_by_line() {
    assert_eq!(diff("a\nb\nc", "a\nx\nc"), [" a", "-b", "+x", " c"]);
}

#[test]
fn reordered_and_resized_texts_follow_the_common_lines() {
    assert_eq!(diff("a\nb", "b\na"), ["-a", " b", "+a"]);
    assert_eq!(diff("a\nb\nc", "a\nc"), [" a", "-b", " c"]);
    assert_eq!(diff("single", "single\nmore"), [" single", "+more"]);
    assert_eq!(diff("x\ny", "p\nq\nr"), ["-x", "-y", "+p", "+q", "+r"]);
}

#[test]
fn two_single_lines_are_not_a_heredoc() {
    assert!(changed_lines(&Value::string("a"), &Value::string("b")).is_none());
    assert!(changed_lines(&Value::string("[1]"), &Value::string("a\nb")).is_none());
}
