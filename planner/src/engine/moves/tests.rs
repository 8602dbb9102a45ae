//! Unit tests of `engine::moves`: statements applied to stored objects.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::config::load_sources;
use crate::engine::move_order::{cycle_diagnostics, ordered};
use crate::state::InstanceState;

fn config(files: &[(&str, &str)]) -> Config {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    load_sources(Path::new("."), files).expect("the configuration loads")
}

/// A `main.tf` that declares `target` (a managed resource) with `body` and moves
/// `fake_thing.a` onto it.
fn moving_a_onto(target: &str, body: &str) -> Config {
    let (kind, name) = target.split_once('.').expect("TYPE.NAME");
    let text = format!(
        "resource \"{kind}\" \"{name}\" {{\n  {body}\n}}\n\
         moved {{\n  from = fake_thing.a\n  to = {target}\n}}\n"
    );
    config(&[("main.tf", &text)])
}

fn state(addrs: &[&str]) -> State {
    let mut state = State::new();
    for addr in addrs {
        state.set_instance(addr.parse().unwrap(), InstanceState::default());
    }
    state
}

/// Applies the configuration's statements (explicit and implied) to a state holding
/// `stored`; returns the addresses afterwards and the results.
fn moved(config: &Config, stored: &[&str]) -> (Vec<String>, MoveResults) {
    let mut state = state(stored);
    let mut stmts = find_statements(config);
    let implied = implied_statements(config, &state, &stmts);
    stmts.extend(implied);
    let order = ordered(&stmts).expect("no cycle");
    let (results, diags) = apply_moves(&stmts, &order, &mut state);
    assert!(!diags.has_errors(), "{diags}");
    let addrs = state.instances.keys().map(ToString::to_string).collect();
    (addrs, results)
}

fn previous(results: &MoveResults, new: &str) -> String {
    results.moved[&new.parse::<InstanceAddr>().unwrap()].to_string()
}

const MODULE: &str = "resource \"fake_thing\" \"this\" {\n  name = \"x\"\n}\n";

#[test]
fn a_resource_rename_moves_every_instance_with_its_key() {
    let config = config(&[(
        "main.tf",
        "resource \"fake_thing\" \"b\" {\n  count = 2\n  name = \"b\"\n}\n\
         moved {\n  from = fake_thing.a\n  to = fake_thing.b\n}\n",
    )]);
    let (addrs, results) = moved(&config, &["fake_thing.a[0]", "fake_thing.a[1]"]);
    assert_eq!(addrs, ["fake_thing.b[0]", "fake_thing.b[1]"]);
    assert_eq!(previous(&results, "fake_thing.b[1]"), "fake_thing.a[1]");
}

#[test]
fn chains_resolve_to_their_end_whatever_the_declaration_order() {
    let config = config(&[(
        "main.tf",
        "resource \"fake_thing\" \"c\" {\n  name = \"c\"\n}\n\
         moved {\n  from = fake_thing.b\n  to = fake_thing.c\n}\n\
         moved {\n  from = fake_thing.a\n  to = fake_thing.b\n}\n",
    )]);
    let (addrs, results) = moved(&config, &["fake_thing.a"]);
    assert_eq!(addrs, ["fake_thing.c"]);
    assert_eq!(previous(&results, "fake_thing.c"), "fake_thing.a");
}

#[test]
fn resources_move_into_module_instances_and_module_calls_are_renamed() {
    let config = config(&[
        (
            "main.tf",
            "module \"t\" {\n  source = \"./m\"\n  for_each = toset([\"acme\"])\n}\n\
             moved {\n  from = fake_thing.acme\n  to = module.t[\"acme\"].fake_thing.this\n}\n\
             moved {\n  from = module.old\n  to = module.t\n}\n",
        ),
        ("m/main.tf", MODULE),
    ]);
    let (addrs, _) = moved(
        &config,
        &["fake_thing.acme", "module.old[\"globex\"].fake_thing.this"],
    );
    assert_eq!(
        addrs,
        [
            "module.t[\"acme\"].fake_thing.this",
            "module.t[\"globex\"].fake_thing.this"
        ]
    );
}

#[test]
fn module_instance_keys_move_and_statements_in_modules_are_relative() {
    let config = config(&[
        (
            "main.tf",
            "module \"t\" {\n  source = \"./m\"\n  for_each = toset([\"gx\"])\n}\n\
             moved {\n  from = module.t[\"globex\"]\n  to = module.t[\"gx\"]\n}\n",
        ),
        (
            "m/main.tf",
            "resource \"fake_thing\" \"this\" {\n  name = \"x\"\n}\n\
             moved {\n  from = fake_thing.old\n  to = fake_thing.this\n}\n",
        ),
    ]);
    let (addrs, results) = moved(&config, &["module.t[\"globex\"].fake_thing.old"]);
    assert_eq!(addrs, ["module.t[\"gx\"].fake_thing.this"]);
    assert_eq!(
        previous(&results, "module.t[\"gx\"].fake_thing.this"),
        "module.t[\"globex\"].fake_thing.old"
    );
}

#[test]
fn a_move_onto_stored_objects_is_blocked() {
    let config = moving_a_onto("fake_thing.b", "name = \"b\"");
    let (addrs, results) = moved(&config, &["fake_thing.a", "fake_thing.b"]);
    assert_eq!(addrs, ["fake_thing.a", "fake_thing.b"]);
    assert!(results.moved.is_empty());
    assert_eq!(
        results.blocked,
        [("fake_thing.a".to_string(), "fake_thing.b".to_string())]
    );
}

#[test]
fn gaining_or_losing_count_implies_a_move_between_no_key_and_zero() {
    let config = config(&[(
        "main.tf",
        "resource \"fake_thing\" \"gained\" {\n  count = 1\n  name = \"g\"\n}\n\
         resource \"fake_thing\" \"lost\" {\n  name = \"l\"\n}\n\
         resource \"fake_thing\" \"each\" {\n  for_each = toset([\"k\"])\n  name = each.key\n}\n",
    )]);
    let (addrs, _) = moved(
        &config,
        &["fake_thing.each", "fake_thing.gained", "fake_thing.lost[0]"],
    );
    assert_eq!(
        addrs,
        ["fake_thing.each", "fake_thing.gained[0]", "fake_thing.lost"]
    );
}

#[test]
fn independent_instance_moves_are_no_cycle_but_a_circle_is() {
    let keys = config(&[(
        "main.tf",
        "moved {\n  from = fake_thing.a[0]\n  to = fake_thing.a[\"x\"]\n}\n\
         moved {\n  from = fake_thing.a[1]\n  to = fake_thing.a[\"y\"]\n}\n",
    )]);
    assert!(ordered(&find_statements(&keys)).is_ok());
    let circle = config(&[(
        "main.tf",
        "moved {\n  from = fake_thing.a\n  to = fake_thing.b\n}\n\
         moved {\n  from = fake_thing.b\n  to = fake_thing.a\n}\n",
    )]);
    let stmts = find_statements(&circle);
    let cycles = ordered(&stmts).unwrap_err();
    let diags = cycle_diagnostics(&stmts, &cycles);
    let detail = &diags.0[0].detail;
    assert!(
        detail.contains("main.tf:1,1: fake_thing.a[*] → fake_thing.b[*]"),
        "{detail}"
    );
}

#[test]
fn a_move_to_another_resource_type_is_refused_when_the_target_is_declared() {
    let config = moving_a_onto("fake_child.a", "label = \"a\"");
    let mut state = state(&["fake_thing.a"]);
    let stmts = find_statements(&config);
    let order = ordered(&stmts).unwrap();
    let (_, diags) = apply_moves(&stmts, &order, &mut state);
    assert!(diags.0[0].detail.contains("not supported by tenantform"));
}
