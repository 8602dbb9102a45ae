//! The merge of a per-tenant apply's result into a state other applies changed meanwhile,
//! the partitions of a scope, and the digests that tell a stale plan.

use std::collections::BTreeSet;

use super::*;
use crate::state::OutputState;
use crate::test_support::{instance_addr as addr, stored_tenant as object};

fn scope(addrs: &[&str]) -> ApplyScope {
    ApplyScope::new(addrs.iter().map(|a| addr(a)).collect())
}

fn state_with(objects: &[(&str, &str)]) -> State {
    let mut state = State::new();
    for (address, id) in objects {
        state.set_instance(addr(address), object(id));
    }
    state
}

const A: &str = "module.tenant[\"a\"].tenant.this";
const A_USER: &str = "module.tenant[\"a\"].tenant_user.this[\"x\"]";
const B: &str = "module.tenant[\"b\"].tenant.this";
const C: &str = "module.tenant[\"c\"].tenant.this";

#[test]
fn merge_replaces_and_removes_only_the_scope_and_keeps_every_other_instance_as_stored() {
    // Stored: another apply changed b (b2) and created c since this apply read the state.
    let stored = state_with(&[(A, "a1"), (A_USER, "u1"), (B, "b2"), (C, "c1")]);
    // Applied: this apply updated a, deleted a's user, and still has the old b and no c.
    let applied = state_with(&[(A, "a2"), (B, "b1")]);
    let merged = merge(&stored, &applied, &scope(&[A, A_USER]));
    assert_eq!(merged.get(&addr(A)), Some(&object("a2")), "replaced");
    assert_eq!(merged.get(&addr(A_USER)), None, "removed");
    assert_eq!(merged.get(&addr(B)), Some(&object("b2")), "kept as stored");
    assert_eq!(merged.get(&addr(C)), Some(&object("c1")), "kept as stored");
    assert_eq!(merged.instances.len(), 3);
}

#[test]
fn merge_creates_scope_instances_the_stored_state_lacks() {
    let stored = state_with(&[(B, "b1")]);
    let applied = state_with(&[(A, "a1")]);
    let merged = merge(&stored, &applied, &scope(&[A]));
    assert_eq!(merged.get(&addr(A)), Some(&object("a1")));
    assert_eq!(merged.get(&addr(B)), Some(&object("b1")));
}

#[test]
fn merge_takes_the_deposed_objects_of_the_scope_from_the_apply() {
    let mut stored = state_with(&[(A, "a1"), (B, "b1")]);
    stored
        .deposed
        .insert((addr(A), "00000001".into()), object("old-a"));
    stored
        .deposed
        .insert((addr(B), "00000002".into()), object("old-b"));
    let mut applied = state_with(&[(A, "a2")]);
    applied
        .deposed
        .insert((addr(A), "00000003".into()), object("a1"));
    let merged = merge(&stored, &applied, &scope(&[A]));
    let deposed: Vec<(String, String)> = merged
        .deposed
        .keys()
        .map(|(a, key)| (a.to_string(), key.clone()))
        .collect();
    assert_eq!(
        deposed,
        [
            (A.to_string(), "00000003".to_string()),
            (B.to_string(), "00000002".to_string())
        ]
    );
}

#[test]
fn merge_keeps_the_stored_outputs_and_history_for_the_caller_to_recompute() {
    let mut stored = state_with(&[(B, "b1")]);
    stored.serial = 7;
    stored.outputs.insert(
        "count".into(),
        OutputState {
            value: crate::state::StoredJson::from_json(&serde_json::json!(1)),
            ty: serde_json::json!("number"),
            sensitive: false,
        },
    );
    let applied = state_with(&[(A, "a1")]);
    let merged = merge(&stored, &applied, &scope(&[A]));
    assert_eq!(merged.serial, 7);
    assert_eq!(merged.lineage, stored.lineage);
    assert_eq!(merged.outputs, stored.outputs);
    assert!(
        !same_objects(&merged, &applied),
        "b differs: outputs need recomputing"
    );
    let alone = merge(&state_with(&[]), &applied, &scope(&[A]));
    assert!(same_objects(&alone, &applied));
}

#[test]
fn partitions_are_tenants_else_whole_addresses() {
    let partitions = scope(&[A, A_USER, B, "tenant.shared", "tenant.other[0]"]).partitions();
    let expected: BTreeSet<String> = ["a", "b", "tenant.shared", "tenant.other[0]"]
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(partitions, expected);
}

#[test]
fn digests_name_exactly_the_instances_whose_stored_objects_changed() {
    let planned_against = state_with(&[(A, "a1"), (B, "b1")]);
    let scope = scope(&[A, C]);
    let planned = scope_digests(Some(&planned_against), &scope);
    assert_eq!(planned.get(C).map(String::as_str), Some("absent"));
    // Another tenant changed: not stale.
    let now = state_with(&[(A, "a1"), (B, "b9")]);
    assert!(changed_since(&planned, &scope, Some(&now)).is_empty());
    // This apply's instance changed, and one it creates appeared.
    let now = state_with(&[(A, "a2"), (C, "c1")]);
    assert_eq!(changed_since(&planned, &scope, Some(&now)), [A, C]);
    // A deposed object counts as part of the instance.
    let mut now = state_with(&[(A, "a1")]);
    now.deposed
        .insert((addr(A), "00000001".into()), object("x"));
    assert_eq!(changed_since(&planned, &scope, Some(&now)), [A]);
}

#[test]
fn merge_takes_the_data_source_results_of_the_scopes_tenants_only() {
    const A_DATA: &str = "module.tenant[\"a\"].data.tenant.self";
    const B_DATA: &str = "module.tenant[\"b\"].data.tenant.self";
    const ROOT_DATA: &str = "data.tenant_tenants.all";
    let stored = state_with(&[
        (A, "a1"),
        (A_DATA, "old"),
        (B_DATA, "b-stored"),
        (ROOT_DATA, "r1"),
    ]);
    let applied = state_with(&[
        (A, "a2"),
        (A_DATA, "new"),
        (B_DATA, "b-read"),
        (ROOT_DATA, "r2"),
    ]);
    let merged = merge(&stored, &applied, &scope(&[A]));
    assert_eq!(
        merged.get(&addr(A_DATA)),
        Some(&object("new")),
        "tenant a is locked"
    );
    assert_eq!(merged.get(&addr(B_DATA)), Some(&object("b-stored")));
    assert_eq!(merged.get(&addr(ROOT_DATA)), Some(&object("r1")));
}
