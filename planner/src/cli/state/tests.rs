//! Tests of the state commands' core: Terraform's instance order, address targets, listing,
//! removing, moving and rendering one instance.

use std::collections::BTreeMap;

use serde_json::json;
use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting};
use tenantform_proto::value::Type;

use super::super::output::stored_object_text;
use super::list::list;
use super::mv::move_objects;
use super::rm::remove;
use super::{Target, terraform_order};
use crate::addrs::InstanceAddr;
use crate::state::{InstanceState, State};
use crate::test_support::{instance_addr as addr, stored_instance};

fn target(text: &str) -> Target {
    Target::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn object(id: &str) -> InstanceState {
    stored_instance(json!({"id": id}))
}

fn state_with(addrs: &[&str]) -> State {
    let mut state = State::new();
    for (index, text) in addrs.iter().enumerate() {
        state.set_instance(addr(text), object(&format!("id-{index}")));
    }
    state
}

fn texts(addrs: &[InstanceAddr]) -> Vec<String> {
    addrs.iter().map(ToString::to_string).collect()
}

#[test]
fn instances_sort_as_terraform_lists_them() {
    let mut addrs: Vec<InstanceAddr> = [
        "module.a.module.b.tenant.x",
        "module.z.tenant.x",
        "tenant.cnt[10]",
        "module.b[\"a\"].tenant.x",
        "tenant.cnt[2]",
        "data.tenant.d",
        "module.b[1].tenant.x",
        "tenant.acme",
    ]
    .iter()
    .map(|t| addr(t))
    .collect();
    addrs.sort_by(terraform_order);
    assert_eq!(
        texts(&addrs),
        [
            "data.tenant.d",
            "tenant.acme",
            "tenant.cnt[2]",
            "tenant.cnt[10]",
            "module.b[1].tenant.x",
            "module.b[\"a\"].tenant.x",
            "module.z.tenant.x",
            "module.a.module.b.tenant.x",
        ]
    );
}

#[test]
fn targets_stand_for_modules_resources_or_instances() {
    let module = target("module.m");
    assert!(module.is_module());
    assert!(module.contains(&addr("module.m[0].tenant.x")));
    assert!(module.contains(&addr("module.m.module.n.tenant.x")));
    assert!(!module.contains(&addr("tenant.x")));
    let resource = target("tenant.x");
    assert!(!resource.is_instance());
    assert!(resource.contains(&addr("tenant.x[3]")));
    assert!(!resource.contains(&addr("module.m.tenant.x")));
    let instance = target("tenant.x[3]");
    assert!(instance.is_instance());
    assert!(!instance.contains(&addr("tenant.x[4]")));
    assert_eq!(target("module.a.module.b").to_string(), "module.a.module.b");
    assert_eq!(
        target("module.a.tenant.x[\"k\"]").to_string(),
        "module.a.tenant.x[\"k\"]"
    );
    assert!(Target::parse("tenant").is_err());
}

#[test]
fn list_filters_by_address_and_id_and_rejects_unknown_addresses() {
    let state = state_with(&["tenant.b", "tenant.a", "module.m.tenant.c"]);
    let all = list(&state, &[], None).unwrap_or_else(|_| panic!("list"));
    assert_eq!(texts(&all), ["tenant.a", "tenant.b", "module.m.tenant.c"]);
    let in_module = list(&state, &[target("module.m")], None).unwrap_or_else(|_| panic!("list"));
    assert_eq!(texts(&in_module), ["module.m.tenant.c"]);
    let by_id = list(&state, &[], Some("id-0")).unwrap_or_else(|_| panic!("list"));
    assert_eq!(texts(&by_id), ["tenant.b"]);
    assert!(list(&state, &[target("tenant.zz")], None).is_err());
}

#[test]
fn remove_forgets_every_matching_instance_in_argument_order() {
    let mut state = state_with(&["tenant.a", "tenant.k[1]", "tenant.k[0]", "tenant_user.u"]);
    let removed = remove(&mut state, &[target("tenant_user.u"), target("tenant.k")]);
    assert_eq!(
        texts(&removed),
        ["tenant_user.u", "tenant.k[0]", "tenant.k[1]"]
    );
    assert_eq!(
        texts(&list(&state, &[], None).unwrap_or_else(|_| panic!("list"))),
        ["tenant.a"]
    );
    assert!(remove(&mut state, &[target("tenant.none")]).is_empty());
}

#[test]
fn move_renames_instances_resources_and_modules() {
    let mut state = state_with(&["tenant.a", "tenant.k[0]", "tenant.k[1]", "tenant_user.u"]);
    let kept = state.get(&addr("tenant.a")).cloned();
    assert!(
        move_objects(
            &mut state,
            &target("tenant.a"),
            &target("module.m.tenant.b")
        )
        .is_ok()
    );
    assert_eq!(state.get(&addr("module.m.tenant.b")).cloned(), kept);
    assert!(move_objects(&mut state, &target("tenant.k"), &target("tenant.j")).is_ok());
    assert!(move_objects(&mut state, &target("module.m"), &target("module.n")).is_ok());
    assert!(move_objects(&mut state, &target("tenant.j[1]"), &target("tenant.single")).is_ok());
    assert_eq!(
        texts(&list(&state, &[], None).unwrap_or_else(|_| panic!("list"))),
        [
            "tenant.j[0]",
            "tenant.single",
            "tenant_user.u",
            "module.n.tenant.b"
        ]
    );
}

#[test]
fn move_refuses_mismatched_types_occupied_targets_and_missing_sources() {
    let mut state = state_with(&["tenant.a", "tenant.b", "tenant_user.u"]);
    let before = state.clone();
    assert!(move_objects(&mut state, &target("tenant.a"), &target("tenant_user.x")).is_err());
    assert!(move_objects(&mut state, &target("tenant.a"), &target("tenant.b")).is_err());
    assert!(move_objects(&mut state, &target("tenant.none"), &target("tenant.c")).is_err());
    assert!(move_objects(&mut state, &target("module.m"), &target("tenant.c")).is_err());
    assert_eq!(state, before);
}

#[test]
fn an_instance_renders_with_blocks_maps_and_sensitive_values() {
    let schema = Block {
        attributes: BTreeMap::from([
            ("id".to_string(), Attribute::computed(Type::String)),
            (
                "labels".to_string(),
                Attribute::optional(Type::Map(Box::new(Type::String))),
            ),
            ("secret".to_string(), Attribute::computed(Type::String)),
            ("gone".to_string(), Attribute::computed(Type::String)),
        ]),
        block_types: BTreeMap::from([(
            "contact".to_string(),
            NestedBlock {
                nesting: Nesting::List,
                block: Block {
                    attributes: BTreeMap::from([(
                        "name".to_string(),
                        Attribute::required(Type::String),
                    )]),
                    ..Block::default()
                },
                min_items: 0,
                max_items: 0,
            },
        )]),
        ..Block::default()
    };
    let instance = InstanceState {
        attributes: crate::state::StoredJson::from_json(&json!({
            "id": "t-1",
            "labels": {"env": "prod"},
            "secret": "hunter2",
            "gone": null,
            "contact": [{"name": "Ada"}]
        })),
        sensitive_attributes: crate::state::StoredJson::from_json(
            &json!([[{"type": "get_attr", "value": "secret"}]]),
        ),
        ..InstanceState::default()
    };
    let text = stored_object_text(&addr("tenant.acme"), &instance, Some(&schema));
    assert_eq!(
        text,
        "# tenant.acme:\nresource \"tenant\" \"acme\" {\n    id     = \"t-1\"\n    labels = {\n        \
         \"env\" = \"prod\"\n    }\n    secret = (sensitive value)\n\n    contact {\n        \
         name = \"Ada\"\n    }\n}\n"
    );
    assert!(!text.contains("hunter2"));
}

#[test]
fn list_gives_the_matches_of_each_address_in_the_order_given() {
    let state = state_with(&["tenant.a", "tenant_user.u", "tenant.b"]);
    let listed = list(
        &state,
        &[
            target("tenant_user.u"),
            target("tenant.b"),
            target("tenant.a"),
        ],
        None,
    )
    .unwrap_or_else(|_| panic!("list"));
    assert_eq!(texts(&listed), ["tenant_user.u", "tenant.b", "tenant.a"]);
}
