//! The headline of plans with nothing to do, of refresh-only plans and of plans with drift.

use super::*;
use crate::plan::PlanMode;

fn drifted(addr: &str, action: Action) -> ResourceChange {
    let after = if action == Action::Delete {
        Value::Null
    } else {
        tenant("changed")
    };
    change(addr, action, tenant("stored"), after)
}

#[test]
fn a_plan_without_changes_says_so() {
    let plan = plan_of(
        vec![change("tenant.a", Action::NoOp, tenant("a"), tenant("a"))],
        vec![output("same", Action::NoOp, s("x"), s("x"), false)],
    );
    let text = fitted(&plan, COMMENT).text;
    assert_eq!(
        text,
        "<!-- tenantform show -markdown -->\n## tenantform plan\n\n\
         **No changes.** Your infrastructure matches the configuration.\n\n"
    );
}

#[test]
fn a_refresh_only_plan_lists_the_drift_and_no_changes() {
    let mut plan = plan_of(
        vec![change(
            "module.t[\"a\"].tenant.this",
            Action::Update,
            tenant("a"),
            tenant("b"),
        )],
        vec![],
    );
    plan.mode = PlanMode::RefreshOnly;
    plan.drift = vec![
        drifted("module.t[\"b\"].tenant.this", Action::Delete),
        drifted("module.t[\"a\"].tenant.this", Action::Update),
        drifted("module.t[\"c\"].tenant.this", Action::NoOp),
    ];
    let text = fitted(&plan, COMMENT).text;
    assert!(
        text.contains(
            "## tenantform refresh-only plan\n\n**2 objects changed outside of tenantform.**"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "> - `module.t[\"a\"].tenant.this` changed\n> - `module.t[\"b\"].tenant.this` deleted\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("<details>"),
        "a refresh-only plan proposes no change:\n{text}"
    );
}

#[test]
fn alerts_are_capped_but_count_everything() {
    let changes = (0..1000)
        .map(|i| {
            change(
                &format!("tenant.t{i:04}"),
                Action::Delete,
                tenant("t"),
                Value::Null,
            )
        })
        .collect();
    let text = fitted(&plan_of(changes, vec![]), COMMENT).text;
    assert!(
        text.contains("> **Applying this plan deletes 1,000 objects**:\n> - `-` `tenant.t0000`\n"),
        "{text}"
    );
    let listed = text
        .lines()
        .filter(|l| l.starts_with("> - `-` `tenant.t"))
        .count();
    assert!((100..1000).contains(&listed), "{listed} listed");
    assert!(
        text.contains(&format!("> - … and {} more\n", 1000 - listed)),
        "{text}"
    );
}

#[test]
fn a_targeted_plan_warns_that_changes_may_be_missing() {
    let mut plan = plan_of(
        vec![change("tenant.a", Action::Update, tenant("a"), tenant("b"))],
        vec![],
    );
    let untargeted = fitted(&plan, COMMENT).text;
    assert!(!untargeted.contains("targeting"), "{untargeted}");
    plan.targeted = true;
    let text = fitted(&plan, COMMENT).text;
    assert!(
        text.contains("> [!WARNING]\n> **Resource targeting is in effect:**"),
        "{text}"
    );
}
