//! Which tenant each change belongs to, the tenants' lifecycles and the sections' order.

use super::*;
use crate::plan::PlanMode;
use crate::plan::markdown::grouping::{Lifecycle, group_changes, tenant_of};
use crate::test_support::instance_addr;

#[test]
fn the_outermost_for_each_key_is_the_tenant() {
    let cases = [
        ("module.tenant[\"acme\"].tenant.this", Some("acme")),
        (
            "module.tenant[\"acme\"].module.db[\"main\"].tenant_database.this",
            Some("acme"),
        ),
        (
            "module.tenant[\"acme\"].module.users[0].tenant_user.admin",
            Some("acme"),
        ),
        ("module.tenant[0].tenant.this", None),
        (
            "module.platform.module.tenant[\"acme\"].tenant.this",
            Some("acme"),
        ),
        (
            "module.shard[1].module.tenant[\"acme\"].tenant.this",
            Some("acme"),
        ),
        ("module.platform.tenant_policy.baseline", None),
        ("tenant.root", None),
        ("tenant.root[\"acme\"]", None),
    ];
    for (addr, tenant) in cases {
        assert_eq!(tenant_of(&instance_addr(addr)), tenant, "{addr}");
    }
}

fn names(plan: &Plan) -> Vec<Option<&str>> {
    group_changes(&plan.changes, plan.mode)
        .iter()
        .map(|g| g.tenant)
        .collect()
}

#[test]
fn root_and_count_modules_are_shared_and_groups_needing_attention_come_first() {
    let plan = plan_of(
        vec![
            change(
                "module.tenant[\"zeta\"].tenant.this",
                Action::Create,
                Value::Null,
                tenant("zeta"),
            ),
            change(
                "module.tenant[\"beta\"].tenant.this",
                Action::Update,
                tenant("b"),
                tenant("beta"),
            ),
            change(
                "module.tenant[\"gamma\"].tenant.this",
                Action::Delete,
                tenant("gamma"),
                Value::Null,
            ),
            change(
                "module.tenant[\"gamma\"].tenant_user.x",
                Action::Delete,
                tenant("x"),
                Value::Null,
            ),
            change("tenant.root", Action::Update, tenant("r"), tenant("root")),
            change(
                "module.pool[1].tenant.p",
                Action::Update,
                tenant("p"),
                tenant("q"),
            ),
            change(
                "module.tenant[\"alpha\"].tenant.this",
                Action::NoOp,
                tenant("a"),
                tenant("a"),
            ),
            change(
                "module.tenant[\"delta\"].tenant.this",
                Action::DeleteThenCreate,
                tenant("d"),
                tenant("delta"),
            ),
        ],
        vec![],
    );
    // alpha changes nothing; gamma (offboarded) and delta (replaced) need attention.
    assert_eq!(
        names(&plan),
        vec![
            Some("delta"),
            Some("gamma"),
            None,
            Some("beta"),
            Some("zeta")
        ]
    );
    let groups = group_changes(&plan.changes, plan.mode);
    let shared = groups.iter().find(|g| g.tenant.is_none()).expect("shared");
    let addresses: Vec<String> = shared.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(addresses, ["tenant.root", "module.pool[1].tenant.p"]);
    assert_eq!(shared.counts.update, 2);
}

#[test]
fn every_instance_created_is_onboarding_and_every_instance_deleted_offboarding() {
    let plan = plan_of(
        vec![
            change(
                "module.t[\"new\"].tenant.this",
                Action::Create,
                Value::Null,
                tenant("n"),
            ),
            change(
                "module.t[\"new\"].module.db[\"a\"].tenant_database.this",
                Action::Create,
                Value::Null,
                tenant("n"),
            ),
            change(
                "module.t[\"gone\"].tenant.this",
                Action::Delete,
                tenant("g"),
                Value::Null,
            ),
            change(
                "module.t[\"gone\"].module.db[\"a\"].tenant_database.this",
                Action::Delete,
                tenant("g"),
                Value::Null,
            ),
            // A tenant that keeps one instance is not offboarded.
            change(
                "module.t[\"slim\"].tenant.this",
                Action::NoOp,
                tenant("s"),
                tenant("s"),
            ),
            change(
                "module.t[\"slim\"].tenant_user.x",
                Action::Delete,
                tenant("x"),
                Value::Null,
            ),
            // Nor is one that gains an instance onboarded.
            change(
                "module.t[\"grow\"].tenant.this",
                Action::NoOp,
                tenant("g"),
                tenant("g"),
            ),
            change(
                "module.t[\"grow\"].tenant_user.x",
                Action::Create,
                Value::Null,
                tenant("x"),
            ),
        ],
        vec![],
    );
    let lifecycles: Vec<(Option<&str>, Lifecycle)> = group_changes(&plan.changes, plan.mode)
        .iter()
        .map(|g| (g.tenant, g.lifecycle))
        .collect();
    assert_eq!(
        lifecycles,
        [
            (Some("gone"), Lifecycle::Offboarding),
            (Some("slim"), Lifecycle::Changing),
            (Some("grow"), Lifecycle::Changing),
            (Some("new"), Lifecycle::Onboarding),
        ]
    );
    let text = fitted(&plan, 65_536).text;
    let caution = text.find("> [!CAUTION]").expect("a caution alert");
    let first_section = text.find("<details>").expect("sections");
    assert!(caution < first_section, "{text}");
    assert!(
        text.contains("> - tenant `gone` is offboarded (2 objects deleted)"),
        "{text}"
    );
    assert!(
        text.contains("> - `-` `module.t[\"slim\"].tenant_user.x`"),
        "{text}"
    );
    assert!(
        text.contains("> [!NOTE]\n> **Onboarding 1 tenant:**\n> - `new`"),
        "{text}"
    );
}

#[test]
fn data_source_results_forgotten_are_not_listed_and_destroy_plans_offboard_everyone() {
    let mut plan = plan_of(
        vec![
            change(
                "module.t[\"a\"].tenant.this",
                Action::Delete,
                tenant("a"),
                Value::Null,
            ),
            change(
                "module.t[\"a\"].data.tenant.peer",
                Action::Delete,
                tenant("p"),
                Value::Null,
            ),
        ],
        vec![],
    );
    plan.mode = PlanMode::Destroy;
    let groups = group_changes(&plan.changes, plan.mode);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].changes.len(), 1, "the data source is not listed");
    assert_eq!(groups[0].lifecycle, Lifecycle::Offboarding);
    let text = fitted(&plan, 65_536).text;
    assert!(
        text.starts_with("<!-- tenantform show -markdown -->\n## tenantform destroy plan"),
        "{text}"
    );
    assert_eq!(count_of(&text, "delete"), 1);
}
