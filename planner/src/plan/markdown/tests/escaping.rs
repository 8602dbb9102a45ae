//! Values cannot change the comment's structure: pipes, backticks, HTML and fences in keys
//! and values stay inside their code spans, cells and blocks.

use super::*;

#[test]
fn markdown_in_keys_and_values_is_escaped() {
    let key = "evil</summary></details><script>|`";
    let plan = plan_of(
        vec![change(
            &format!(
                "module.tenant[{}].tenant.this",
                serde_json::to_string(key).expect("json")
            ),
            Action::Update,
            obj(&[
                ("display_name", s("a|b")),
                ("notes", s("ok\n```\n</details>\nmore\n")),
            ]),
            obj(&[
                ("display_name", s("`tick`")),
                ("notes", s("ok\n````\n</details>\nless\n")),
            ]),
        )],
        vec![],
    );
    let text = fitted(&plan, usize::MAX).text;
    // The tenant key in the summary is HTML-escaped.
    assert!(
        text.contains("<code>evil&lt;/summary&gt;&lt;/details&gt;&lt;script&gt;|`</code>"),
        "{text}"
    );
    // Elsewhere it stays inside a code span.
    for line in text.lines().filter(|l| l.contains("<script>")) {
        assert!(
            line.starts_with("`~` **update** ``module.tenant[\"evil</summary>"),
            "{line}"
        );
    }
    // Pipes are escaped inside table cells, backticks outnumbered by the span's delimiters.
    assert!(
        text.contains("| `display_name` | `\"a\\|b\"` | ``\"`tick`\"`` |"),
        "{text}"
    );
    // The diff's fence is longer than any backtick run in the texts.
    assert!(text.contains("`````diff\n@@"), "{text}");
    assert_eq!(text.matches("<details>").count(), 1, "{text}");
    assert_eq!(text.matches("</details>\n\n").count(), 1, "{text}");
}
