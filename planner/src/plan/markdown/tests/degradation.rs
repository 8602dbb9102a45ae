//! The size limit: each step of degradation in turn, and a 3,000-tenant fleet that stays
//! within GitHub's limit with complete headline counts.

use super::*;
use crate::plan::markdown::COMMENT_LIMIT;
use crate::test_support::n;

/// A tenant whose description (a long text) and tier change, and whose user is created.
fn changed_tenant(key: &str) -> Vec<ResourceChange> {
    let text = |changed: &str| {
        let lines: Vec<String> = (1..=12)
            .map(|i| format!("paragraph {i} of the tenant's terms"))
            .collect();
        format!("line one\n{changed}\nline three\n{}\n", lines.join("\n"))
    };
    let before = obj(&[
        ("display_name", s(key)),
        ("description", s(&text("line two"))),
        ("tier", s("free")),
    ]);
    let after = obj(&[
        ("display_name", s(key)),
        ("description", s(&text("line 2"))),
        ("tier", s("gold")),
    ]);
    vec![
        change(
            &format!("module.tenant[\"{key}\"].tenant.this"),
            Action::Update,
            before,
            after,
        ),
        change(
            &format!("module.tenant[\"{key}\"].tenant_user.admin"),
            Action::Create,
            Value::Null,
            obj(&[
                ("email", s("admin@example.com")),
                ("connection_limit", n(5)),
            ]),
        ),
    ]
}

fn fleet(tenants: usize) -> Plan {
    let changes = (0..tenants)
        .flat_map(|i| changed_tenant(&format!("tenant-{i:04}")))
        .collect();
    plan_of(
        changes,
        vec![output("tenant_count", Action::Update, n(1), n(2), false)],
    )
}

/// The length of the comment of `plan` at its first level of detail.
fn full_length(plan: &Plan) -> usize {
    let full = fitted(plan, usize::MAX);
    assert_detail(&full, Detail::Full);
    full.text.len()
}

/// The most detailed comment of `plan` at the next level of detail below `from`'s, found by
/// lowering the limit a byte below each comment's size.
fn next_level(plan: &Plan, from: &Fitted) -> (Fitted, usize) {
    let mut limit = from.text.len() - 1;
    loop {
        let fitted = fitted(plan, limit);
        assert!(
            fitted.text.len() <= limit,
            "{} > {limit}",
            fitted.text.len()
        );
        if fitted.detail != from.detail {
            return (fitted, limit);
        }
        limit = fitted.text.len() - 1;
    }
}

/// The section of `tenant` in a comment.
fn section_of<'t>(text: &'t str, tenant: &str) -> &'t str {
    let start = text
        .find(&format!("<code>{tenant}</code>"))
        .unwrap_or_else(|| panic!("no section of {tenant} in:\n{text}"));
    &text[start..start + text[start..].find("</details>").expect("a section's end")]
}

#[test]
fn each_step_leaves_out_less_than_the_next() {
    let plan = fleet(4);
    let full = fitted(&plan, full_length(&plan));
    assert_detail(&full, Detail::Full);
    let diff = "```diff\n@@ -1,5 +1,5 @@\n line one\n-line two\n+line 2\n line three\n";
    assert_eq!(full.text.matches(diff).count(), 4, "{}", full.text);

    // (1) The last section leaves out its diff; the others keep theirs.
    let (no_diffs, _) = next_level(&plan, &full);
    assert_detail(&no_diffs, Detail::NoDiffs);
    let kept = no_diffs.text.matches("```diff").count();
    assert!((1..4).contains(&kept), "{}", no_diffs.text);
    let last = section_of(&no_diffs.text, "tenant-0003");
    assert!(
        last.contains("| `tier` | `\"free\"` | `\"gold\"` |"),
        "{last}"
    );
    assert!(last.contains("*Diff of 1 long text left out.*"), "{last}");

    // (2) Then one line per instance, from the last section on.
    let (addresses, _) = next_level(&plan, &no_diffs);
    assert_detail(&addresses, Detail::Addresses);
    let last = section_of(&addresses.text, "tenant-0003");
    assert!(!last.contains("| `tier`"), "{last}");
    assert!(
        last.contains("- `~` **update** `module.tenant[\"tenant-0003\"].tenant.this`"),
        "{last}"
    );

    // (3) Counts per tenant.
    let (counts, _) = next_level(&plan, &addresses);
    assert_detail(&counts, Detail::Counts);
    assert!(!counts.text.contains("<details>"), "{}", counts.text);
    assert!(
        counts
            .text
            .contains("| `tenant-0002` | 1 to create, 1 to update |"),
        "{}",
        counts.text
    );

    // (4) The first tenants, then the others counted together.
    let (first, _) = next_level(&plan, &counts);
    assert_detail(&first, Detail::FirstGroups);
    assert!(
        first
            .text
            .contains("… and 2 more tenants (2 to create, 2 to update)."),
        "{}",
        first.text
    );
    assert!(!first.text.contains("`tenant-0003`"), "{}", first.text);

    for step in [&full, &no_diffs, &addresses, &counts, &first] {
        assert_eq!(count_of(&step.text, "create"), 4);
        assert_eq!(count_of(&step.text, "update"), 4);
        assert!(step.text.contains("### Outputs"), "{}", step.text);
    }
}

#[test]
fn a_fleet_of_three_thousand_tenants_fits_with_complete_counts() {
    let mut plan = fleet(3000);
    // 500 tenants are offboarded and 100 onboarded on top.
    for i in 0..500 {
        let addr = format!("module.tenant[\"gone-{i:03}\"].tenant.this");
        plan.changes
            .push(change(&addr, Action::Delete, tenant("g"), Value::Null));
    }
    for i in 0..100 {
        let addr = format!("module.tenant[\"new-{i:03}\"].tenant.this");
        plan.changes
            .push(change(&addr, Action::Create, Value::Null, tenant("n")));
    }
    let text = crate::plan::markdown::render_markdown(&plan);
    assert!(text.len() <= COMMENT_LIMIT, "{} bytes", text.len());
    assert_eq!(count_of(&text, "create"), 3100);
    assert_eq!(count_of(&text, "update"), 3000);
    assert_eq!(count_of(&text, "delete"), 500);
    assert!(
        text.contains("**Plan:** 3,100 to add, 3,000 to change, 500 to destroy."),
        "{text}"
    );
    assert!(text.contains("**Tenants:** 3,600 with changes (100 onboarding, 500 offboarding)"));
    assert!(text.contains("**Applying this plan deletes 500 objects**, offboarding 500 tenants:"));
    // The offboarded tenants, needing attention, are listed before the others.
    let rows = text.lines().filter(|l| l.starts_with("| `")).count();
    let left_out: usize = text
        .split("… and ")
        .last()
        .and_then(|rest| rest.split(' ').next())
        .map(|n| n.replace(',', "").parse().expect("a number"))
        .expect("tenants left out");
    assert_eq!(rows + left_out, 3600, "every tenant is shown or counted");
    assert!(text.contains("| `gone-000` | offboarding: 1 to delete |"));
}

#[test]
fn huge_keys_and_values_never_break_the_limit() {
    let key = "k".repeat(200_000);
    let long = "x".repeat(300_000);
    let plan = plan_of(
        vec![change(
            &format!("module.tenant[\"{key}\"].tenant.this"),
            Action::Update,
            obj(&[("blob", s(&long)), ("list", Value::List(vec![s(&long)]))]),
            obj(&[
                ("blob", s(&format!("{long}y"))),
                ("list", Value::List(vec![])),
            ]),
        )],
        vec![output("big", Action::Create, Value::Null, s(&long), false)],
    );
    let limited = fitted(&plan, COMMENT_LIMIT);
    assert!(
        limited.text.len() <= COMMENT_LIMIT,
        "{} bytes",
        limited.text.len()
    );
    assert_eq!(count_of(&limited.text, "update"), 1);
}
