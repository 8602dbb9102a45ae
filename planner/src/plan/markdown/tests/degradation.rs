//! The size limit: each step of degradation in turn, and a 3,000-tenant fleet that stays
//! within GitHub's limit with complete headline counts.

use super::*;
use crate::plan::markdown::COMMENT_LIMIT;
use crate::test_support::n;

/// A tenant whose description (a long text) and tier change, and whose user is created.
fn changed_tenant(key: &str) -> Vec<ResourceChange> {
    let before = obj(&[
        ("display_name", s(key)),
        ("description", s("line one\nline two\nline three\n")),
        ("tier", s("free")),
    ]);
    let after = obj(&[
        ("display_name", s(key)),
        ("description", s("line one\nline 2\nline three\n")),
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

#[test]
fn each_step_leaves_out_less_than_the_next() {
    let plan = fleet(4);
    let mut limit = full_length(&plan);
    let full = fitted(&plan, limit);
    assert_detail(&full, Detail::Full);
    assert!(
        full.text
            .contains("```diff\n@@ -1,3 +1,3 @@\n line one\n-line two\n+line 2\n"),
        "{}",
        full.text
    );

    // (1) No diffs, attribute tables kept.
    limit -= 1;
    let no_diffs = fitted(&plan, limit);
    assert_detail(&no_diffs, Detail::NoDiffs);
    assert!(!no_diffs.text.contains("```diff"), "{}", no_diffs.text);
    assert!(
        no_diffs
            .text
            .contains("| `tier` | `\"free\"` | `\"gold\"` |"),
        "{}",
        no_diffs.text
    );
    assert!(
        no_diffs.text.contains("*Diff of 1 long text left out.*"),
        "{}",
        no_diffs.text
    );

    // (2) One line per instance.
    limit = no_diffs.text.len() - 1;
    let addresses = fitted(&plan, limit);
    assert_detail(&addresses, Detail::Addresses);
    assert!(!addresses.text.contains("| `tier`"), "{}", addresses.text);
    assert!(
        addresses
            .text
            .contains("- `~` **update** `module.tenant[\"tenant-0003\"].tenant.this`"),
        "{}",
        addresses.text
    );

    // (3) Counts per tenant.
    limit = addresses.text.len() - 1;
    let counts = fitted(&plan, limit);
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
    limit = counts.text.len() - 1;
    let first = fitted(&plan, limit);
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
    for (step, limit) in [(&no_diffs, no_diffs.text.len()), (&first, limit)] {
        assert!(step.text.len() <= limit);
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
