//! Hostile keys and values cannot change the comment's structure: every table row keeps its
//! table's cells, every fence closes where it should, every section closes once, and outside
//! code spans and blocks no markup comes from a value.

use super::*;
use crate::addrs::InstanceKey;

/// Keys and values that are markup somewhere.
const HOSTILE: [&str; 18] = [
    "|",
    "a|b",
    "\\|",
    "`",
    "``x``",
    "```",
    "\n</details>\n",
    "<summary>x</summary>",
    "<img src=x onerror=alert(1)>",
    "\\",
    "*bold* _it_",
    "# heading",
    "> quote",
    "\r\n- item",
    "\u{202e}txt",
    "[link](javascript:alert(1))",
    "<!-- comment -->",
    "&amp; &lt;",
];

fn hostile_plan() -> Plan {
    let map = |suffix: &str| {
        Value::Map(
            HOSTILE
                .iter()
                .map(|h| (h.to_string(), s(&format!("{h}{suffix}"))))
                .collect(),
        )
    };
    let mut changes = Vec::new();
    for (index, key) in HOSTILE.iter().enumerate() {
        let long = format!("{key}\n{}\n", "```\n".repeat(index));
        let mut update = change(
            "module.tenant[\"placeholder\"].tenant.this",
            Action::Update,
            obj(&[("labels", map("")), ("notes", s(&long)), ("name", s(key))]),
            obj(&[
                ("labels", map("!")),
                ("notes", s(&format!("{long}{key}"))),
                ("name", s("x")),
            ]),
        );
        update.addr.module[0].key = InstanceKey::Str((*key).to_string());
        changes.push(update);
    }
    plan_of(
        changes,
        vec![output("by_key", Action::Update, map(""), map("?"), false)],
    )
}

/// The number of cell separators of a table row: pipes not escaped by a backslash.
fn separators(row: &str) -> usize {
    let mut count = 0;
    let mut chars = row.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

/// The text of a line outside its code spans.
fn outside_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + run..];
        let closing = (0..after.len()).find(|&i| {
            after[i..].starts_with(&"`".repeat(run))
                && !after[i + run..].starts_with('`')
                && (i == 0 || !after[..i].ends_with('`'))
        });
        match closing {
            Some(end) => rest = &after[end + run..],
            None => {
                out.push_str(&rest[start..start + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks one comment's structure, returning the lines outside fences and tables' sizes.
fn check_structure(text: &str) {
    let mut fence: Option<String> = None;
    let mut table_width: Option<usize> = None;
    let (mut opened, mut closed) = (0, 0);
    for line in text.lines() {
        if let Some(open) = &fence {
            if line == open {
                fence = None;
            } else {
                assert!(
                    !line.starts_with(open.as_str()),
                    "a line closes the fence early: {line}"
                );
            }
            continue;
        }
        if line.starts_with("```") {
            let open: String = line.chars().take_while(|c| *c == '`').collect();
            assert_eq!(&line[open.len()..], "diff", "{line}");
            fence = Some(open);
            continue;
        }
        if line.starts_with('|') {
            let width = *table_width.get_or_insert(separators(line));
            assert_eq!(separators(line), width, "a row with other cells: {line}");
        } else {
            table_width = None;
        }
        if line.starts_with("<details>") {
            opened += 1;
            let markup = [
                "<details>",
                "<summary>",
                "</summary>",
                "<b>",
                "</b>",
                "<code>",
                "</code>",
            ];
            let bare = markup
                .iter()
                .fold(line.to_string(), |l, tag| l.replace(tag, ""));
            assert!(
                !bare.contains('<') && !bare.contains('>'),
                "markup in a summary: {line}"
            );
            continue;
        }
        if line == "</details>" {
            closed += 1;
            continue;
        }
        let outside = outside_code_spans(line);
        let ours = ["<!-- tenantform show -markdown -->"];
        if !ours.contains(&line) {
            assert!(!outside.contains('<'), "markup outside code: {line}");
        }
        assert!(
            !outside.contains('\u{202e}'),
            "an invisible character: {line}"
        );
    }
    assert!(fence.is_none(), "a fence is left open");
    assert_eq!(opened, closed, "sections open and close alike");
}

#[test]
fn hostile_keys_and_values_keep_the_structure_at_every_level() {
    let plan = hostile_plan();
    let full = fitted(&plan, usize::MAX);
    assert_detail(&full, Detail::Full);
    assert_eq!(full.text.matches("<details>").count(), HOSTILE.len());
    check_structure(&full.text);
    let mut limit = full.text.len() - 1;
    loop {
        let step = fitted(&plan, limit);
        check_structure(&step.text);
        if step.detail == Detail::FirstGroups {
            break;
        }
        limit = step.text.len() - 1;
    }
}
