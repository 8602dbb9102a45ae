//! Tests of the JSON plan and state representations.

use super::*;
use crate::plan::{OutputChange, PlanMode};
use crate::test_support::{obj, resource_change as change};
use tenantform_proto::value::Number;

#[test]
fn unknowns_are_omitted_from_after_and_marked_in_after_unknown() {
    let planned = obj(&[
        ("id", Value::Unknown),
        ("slug", Value::string("acme")),
        (
            "tags",
            Value::List(vec![Value::string("a"), Value::Unknown]),
        ),
        (
            "labels",
            Value::Map(BTreeMap::from([("k".into(), Value::Unknown)])),
        ),
        (
            "contact",
            Value::List(vec![obj(&[
                ("email", Value::Unknown),
                ("name", Value::Null),
            ])]),
        ),
        ("empty", Value::List(vec![])),
        ("none", Value::Null),
    ]);
    assert_eq!(
        known_json(&planned).unwrap(),
        json!({"contact": [{"name": null}], "empty": [], "labels": {}, "none": null,
               "slug": "acme", "tags": ["a", null]})
    );
    assert_eq!(
        unknown_as_bool(&planned),
        json!({"contact": [{"email": true}], "empty": [], "id": true, "labels": {"k": true},
               "tags": [false, true]})
    );
    assert_eq!(known_json(&Value::Unknown), None);
}

#[test]
fn sensitive_paths_become_true_leaves() {
    let value = obj(&[
        ("password", Value::string("s3cret")),
        ("login", Value::string("u")),
        (
            "keys",
            Value::List(vec![Value::string("a"), Value::string("b")]),
        ),
        ("nested", obj(&[("token", Value::string("t"))])),
    ]);
    let paths = vec![
        AttributePath::attr("password"),
        AttributePath::attr("keys").then_index(1),
        AttributePath(vec![PathStep::Attribute("nested".into())]),
    ];
    assert_eq!(
        sensitive_as_bool(&value, &paths, &[]),
        json!({"keys": [false, true], "nested": true, "password": true})
    );
    assert_eq!(sensitive_as_bool(&Value::Null, &paths, &[]), json!(false));
    assert_eq!(
        sensitive_as_bool(&value, &[], &[]),
        json!({"keys": [false, false], "nested": {}})
    );
}

/// A plan creating, replacing and deleting one instance each, with one output.
fn sample_plan() -> Plan {
    let mut create = change(
        "tenant_user.admin[0]",
        Action::Create,
        Value::Null,
        obj(&[
            ("id", Value::Unknown),
            ("password", Value::Unknown),
            ("email", Value::string("a@x")),
        ]),
    );
    create.sensitive_paths = vec![AttributePath::attr("password")];
    let mut replace = change(
        "module.t[\"acme\"].tenant.this",
        Action::DeleteThenCreate,
        obj(&[("id", Value::string("1")), ("region", Value::string("eu"))]),
        obj(&[("id", Value::Unknown), ("region", Value::string("us"))]),
    );
    replace.action_reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    replace.requires_replace = vec![AttributePath::attr("region")];
    let mut delete = change(
        "tenant.old",
        Action::Delete,
        obj(&[("id", Value::string("9"))]),
        Value::Null,
    );
    delete.action_reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    Plan {
        mode: PlanMode::Normal,
        changes: vec![create, replace, delete],
        drift: vec![],
        relevant_attributes: vec![],
        outputs: vec![OutputChange {
            name: "count".into(),
            action: Action::Create,
            before: Value::Null,
            after: Value::Number(Number::Int(2)),
            sensitive: false,
        }],
        variables: BTreeMap::from([("region".to_string(), Value::string("us"))]),
        prior_lineage: "l".into(),
        prior_serial: 1,
        warnings: Default::default(),
        targeted: false,
        untouched: Vec::new(),
        timestamp: "2026-01-02T03:04:05Z".into(),
        workspace: "default".into(),
        checks: Vec::new(),
        scope: Default::default(),
    }
}

#[test]
fn plan_has_terraforms_shape() {
    let plan = sample_plan();
    let prior_values = obj(&[("id", Value::string("9"))]);
    let prior_addr: InstanceAddr = "tenant.old".parse().unwrap();
    let prior = [StateResource {
        addr: &prior_addr,
        provider: "registry.terraform.io/tenantform/tenant",
        schema_version: 0,
        values: &prior_values,
        sensitive_paths: &[],
        unknown_collections: &[],
        depends_on: &[],
    }];
    let configuration = json!({"root_module": {"outputs": {}}});
    let doc = plan_json(
        "0.1.0",
        &plan,
        configuration.clone(),
        &prior,
        std::iter::empty(),
    );
    assert_eq!(doc["format_version"], "1.2");
    assert_eq!(doc["errored"], false);
    assert_eq!(doc["variables"], json!({"region": {"value": "us"}}));
    let changes = doc["resource_changes"].as_array().unwrap();
    assert_eq!(
        changes[0],
        json!({
            "address": "tenant_user.admin[0]", "mode": "managed", "type": "tenant_user",
            "name": "admin", "index": 0,
            "provider_name": "registry.terraform.io/tenantform/tenant",
            "change": {
                "actions": ["create"], "before": null, "after": {"email": "a@x"},
                "after_unknown": {"id": true, "password": true},
                "before_sensitive": false, "after_sensitive": {"password": true}
            }
        })
    );
    assert_eq!(changes[1]["module_address"], "module.t[\"acme\"]");
    assert_eq!(changes[1]["change"]["actions"], json!(["delete", "create"]));
    assert_eq!(changes[1]["change"]["replace_paths"], json!([["region"]]));
    assert_eq!(changes[1]["action_reason"], "replace_because_cannot_update");
    assert_eq!(changes[2]["change"]["after"], Json::Null);
    assert_eq!(changes[2]["change"]["after_unknown"], json!({}));
    assert_eq!(changes[2]["change"]["after_sensitive"], json!(false));
    assert_eq!(
        changes[2]["action_reason"],
        "delete_because_no_resource_config"
    );
    let planned = &doc["planned_values"];
    assert_eq!(
        planned["outputs"],
        json!({"count": {"sensitive": false, "value": 2, "type": "number"}})
    );
    let root = &planned["root_module"];
    assert_eq!(root["resources"].as_array().unwrap().len(), 1);
    assert_eq!(root["resources"][0]["values"], json!({"email": "a@x"}));
    assert_eq!(
        root["resources"][0]["sensitive_values"],
        json!({"password": true})
    );
    assert_eq!(root["child_modules"][0]["address"], "module.t[\"acme\"]");
    assert_eq!(
        root["child_modules"][0]["resources"][0]["address"],
        "module.t[\"acme\"].tenant.this"
    );
    assert_eq!(
        doc["output_changes"]["count"]["after_unknown"],
        json!(false)
    );
    assert_eq!(
        doc["prior_state"]["values"]["root_module"]["resources"][0]["values"],
        json!({"id": "9"})
    );
    assert_eq!(doc["configuration"], configuration);
}

#[test]
fn empty_state_is_only_a_format_version() {
    assert_eq!(
        state_json("0.1.0", &[], std::iter::empty()),
        json!({"format_version": "1.0"})
    );
}

#[test]
fn nested_modules_nest() {
    let a: InstanceAddr = "module.a.module.b.tenant.x".parse().unwrap();
    let v = obj(&[]);
    let resources = [StateResource {
        addr: &a,
        provider: "p",
        schema_version: 1,
        values: &v,
        sensitive_paths: &[],
        unknown_collections: &[],
        depends_on: &[],
    }];
    let doc = state_json("0.1.0", &resources, std::iter::empty());
    let root = &doc["values"]["root_module"];
    // As in Terraform, a module without resources of its own has no `resources`.
    assert!(root.get("resources").is_none(), "{root}");
    assert_eq!(root["child_modules"][0]["address"], "module.a");
    assert_eq!(
        root["child_modules"][0]["child_modules"][0]["address"],
        "module.a.module.b"
    );
    assert_eq!(
        root["child_modules"][0]["child_modules"][0]["resources"][0]["schema_version"],
        1
    );
}

#[test]
fn unknown_collections_are_empty_collections_in_sensitive_mirrors() {
    use crate::plan::shapes::{CollectionKind, UnknownCollection};
    let value = obj(&[
        ("id", Value::Unknown),
        ("ids", Value::Unknown),
        ("labels", Value::Unknown),
        ("secret", Value::Unknown),
        ("tier", Value::Null),
    ]);
    let shapes = vec![
        UnknownCollection {
            path: AttributePath::attr("ids"),
            kind: CollectionKind::Sequence,
        },
        UnknownCollection {
            path: AttributePath::attr("labels"),
            kind: CollectionKind::Mapping,
        },
    ];
    let paths = vec![AttributePath::attr("secret")];
    assert_eq!(
        sensitive_as_bool(&value, &paths, &shapes),
        json!({"ids": [], "labels": {}, "secret": true})
    );
    let mut planned = change("data.tenants.all", Action::Read, Value::Null, value);
    planned.unknown_collections = shapes;
    let doc = resource_change_json(&planned);
    assert_eq!(
        doc["change"]["after_sensitive"],
        json!({"ids": [], "labels": {}})
    );
}

#[test]
fn moved_and_forgotten_instances_carry_terraforms_fields() {
    let object = obj(&[("id", Value::string("9"))]);
    let mut moved = change("tenant.c", Action::NoOp, object.clone(), object.clone());
    moved.previous_address = Some("tenant.b".parse().unwrap());
    let mut forgotten = change("tenant.f", Action::Forget, object, Value::Null);
    forgotten.action_reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    let plan = Plan {
        changes: vec![moved, forgotten],
        ..Plan::default()
    };
    assert!(!plan.is_empty(), "a move is a change");
    let doc = plan_json("0.1.0", &plan, json!({}), &[], std::iter::empty());
    let changes = doc["resource_changes"].as_array().unwrap();
    assert_eq!(changes[0]["previous_address"], "tenant.b");
    assert_eq!(changes[0]["change"]["actions"], json!(["no-op"]));
    assert_eq!(changes[1].get("previous_address"), None);
    assert_eq!(changes[1]["change"]["actions"], json!(["forget"]));
    assert_eq!(changes[1]["change"]["after"], Json::Null);
    assert_eq!(
        changes[1]["action_reason"],
        "delete_because_no_resource_config"
    );
}

#[test]
fn planned_outputs_with_unknown_parts_have_no_value() {
    let mut plan = sample_plan();
    plan.outputs.push(OutputChange {
        name: "partial".into(),
        action: Action::Create,
        before: Value::Null,
        after: Value::List(vec![Value::string("a"), Value::Unknown]),
        sensitive: false,
    });
    let doc = plan_json("0.1.0", &plan, json!({}), &[], std::iter::empty());
    assert_eq!(
        doc["planned_values"]["outputs"]["partial"],
        json!({"sensitive": false})
    );
    assert_eq!(doc["planned_values"]["outputs"]["count"]["value"], 2);
}

#[test]
fn a_state_with_only_outputs_has_values() {
    let value = Value::string("x");
    let outputs = [StateOutput {
        name: "o",
        value: &value,
        sensitive: false,
    }];
    let doc = state_json("1.15.5", &[], outputs.into_iter());
    assert_eq!(
        doc["values"],
        json!({"outputs": {"o": {"sensitive": false, "value": "x", "type": "string"}},
               "root_module": {}})
    );
}

#[test]
fn refreshed_outputs_take_their_planned_value_when_known() {
    let output = |before: Value, after: Value, action: Action| OutputChange {
        name: "o".into(),
        action,
        before,
        after,
        sensitive: false,
    };
    let known = output(Value::string("old"), Value::string("new"), Action::Update);
    assert_eq!(
        StateOutput::refreshed(&known).map(|o| o.value.clone()),
        Some(Value::string("new"))
    );
    let unknown = output(Value::string("old"), Value::Unknown, Action::Update);
    assert_eq!(
        StateOutput::refreshed(&unknown).map(|o| o.value.clone()),
        Some(Value::string("old"))
    );
    let created_unknown = output(Value::Null, Value::Unknown, Action::Create);
    assert!(StateOutput::refreshed(&created_unknown).is_none());
}

#[test]
fn resources_are_ordered_as_terraform_orders_plans_and_states() {
    let addrs: Vec<InstanceAddr> = ["tenant.t[10]", "tenant.t[2]", "data.x.y"]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    let v = obj(&[]);
    let resources: Vec<StateResource<'_>> = addrs
        .iter()
        .map(|addr| StateResource {
            addr,
            provider: "p",
            schema_version: 0,
            values: &v,
            sensitive_paths: &[],
            unknown_collections: &[],
            depends_on: &[],
        })
        .collect();
    let order = |order| {
        state_values(&resources, std::iter::empty(), order)["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["address"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(ResourceOrder::Address),
        ["data.x.y", "tenant.t[10]", "tenant.t[2]"]
    );
    assert_eq!(
        order(ResourceOrder::State),
        ["data.x.y", "tenant.t[2]", "tenant.t[10]"]
    );
}

#[test]
fn data_sources_read_while_planning_are_not_planned_values() {
    let mut plan = sample_plan();
    let read = obj(&[("ids", Value::List(vec![]))]);
    plan.changes.push(change(
        "data.tenants.now",
        Action::NoOp,
        Value::Null,
        read.clone(),
    ));
    plan.changes.push(change(
        "data.tenants.later",
        Action::Read,
        Value::Null,
        read,
    ));
    let doc = plan_json("0.1.0", &plan, json!({}), &[], std::iter::empty());
    let planned: Vec<&str> = doc["planned_values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert!(planned.contains(&"data.tenants.later"), "{planned:?}");
    assert!(!planned.contains(&"data.tenants.now"), "{planned:?}");
}
