//! Which plans a per-tenant apply may take, and what it locks and writes for them.

use super::*;
use crate::plan::{OutputChange, ResourceChange};
use crate::test_support::{resource_change, s};
use tenantform_proto::value::Value;

const A: &str = "module.tenant[\"a\"].tenant.this";
const B: &str = "module.tenant[\"b\"].tenant.this";

fn change(addr: &str, action: Action) -> ResourceChange {
    resource_change(addr, action, Value::Null, s("x"))
}

fn plan_of(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        ..Plan::default()
    }
}

fn addresses(scope: &ApplyScope) -> Vec<String> {
    scope.instances().iter().map(ToString::to_string).collect()
}

#[test]
fn a_plain_change_scopes_the_changed_instances_only() {
    let plan = plan_of(vec![
        change(A, Action::Update),
        change(B, Action::NoOp),
        change("tenant.shared", Action::Delete),
    ]);
    let scope = scope_of(&plan).expect("a per-tenant apply");
    assert_eq!(
        addresses(&scope),
        ["tenant.shared", "module.tenant[\"a\"].tenant.this"]
    );
    let partitions: Vec<String> = scope.partitions().into_iter().collect();
    assert_eq!(partitions, ["a", "tenant.shared"]);
}

#[test]
fn a_destroy_plan_is_scoped_too() {
    let mut plan = plan_of(vec![change(A, Action::Delete)]);
    plan.mode = PlanMode::Destroy;
    assert_eq!(addresses(&scope_of(&plan).unwrap()), [A]);
}

#[test]
fn plans_that_need_the_whole_state_have_no_scope() {
    let mut refresh_only = plan_of(vec![change(A, Action::NoOp)]);
    refresh_only.mode = PlanMode::RefreshOnly;
    assert_eq!(scope_of(&refresh_only), None);

    let mut moved = change(A, Action::NoOp);
    moved.previous_address = Some(B.parse().unwrap());
    assert_eq!(scope_of(&plan_of(vec![moved])), None);

    let mut imported = change(A, Action::NoOp);
    imported.importing = Some(crate::plan::Importing { id: "a".into() });
    assert_eq!(scope_of(&plan_of(vec![imported])), None);

    assert_eq!(scope_of(&plan_of(vec![change(A, Action::Forget)])), None);

    let mut outputs_only = plan_of(vec![change(A, Action::NoOp)]);
    outputs_only.outputs.push(OutputChange {
        name: "count".into(),
        action: Action::Update,
        before: s("1"),
        after: s("2"),
        sensitive: false,
    });
    assert_eq!(scope_of(&outputs_only), None);
}

#[test]
fn an_empty_plan_has_an_empty_scope_and_writes_nothing() {
    let scope = scope_of(&plan_of(vec![change(A, Action::NoOp)])).unwrap();
    assert!(scope.instances().is_empty());
}

#[test]
fn a_saved_plan_records_the_stored_objects_of_its_scope() {
    let mut state = State::new();
    state.set_instance(A.parse().unwrap(), crate::test_support::stored_tenant("a"));
    let plan = plan_of(vec![change(A, Action::Update), change(B, Action::Create)]);
    let objects = planned_objects(&plan, &state).unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects.get(B).map(String::as_str), Some("absent"));
    assert_ne!(objects.get(A).map(String::as_str), Some("absent"));
    let mut refresh_only = plan.clone();
    refresh_only.mode = PlanMode::RefreshOnly;
    assert_eq!(planned_objects(&refresh_only, &state), None);
}
