use serde_json::json;
use tenantform_proto::value::Value;

use super::*;
use crate::plan::Importing;
use crate::test_support::{instance_addr, resource_change};

#[test]
fn addresses_name_module_resource_and_key() {
    let addr = instance_addr(r#"module.t["acme"].tenant_user.admin[0]"#);
    assert_eq!(
        resource_addr(&addr),
        json!({
            "addr": r#"module.t["acme"].tenant_user.admin[0]"#,
            "module": r#"module.t["acme"]"#,
            "resource": "tenant_user.admin[0]",
            "implied_provider": "tenant",
            "resource_type": "tenant_user",
            "resource_name": "admin",
            "resource_key": 0,
        })
    );
    let data = resource_addr(&instance_addr(r#"data.tenants.all["x"]"#));
    assert_eq!(data["resource"], r#"data.tenants.all["x"]"#);
    assert_eq!(data["module"], "");
    assert_eq!(data["resource_key"], "x");
    assert_eq!(
        resource_addr(&instance_addr("tenant.a"))["resource_key"],
        json!(null)
    );
}

#[test]
fn a_change_names_its_action_and_reason() {
    let mut replaced = resource_change(
        "tenant.a",
        Action::DeleteThenCreate,
        Value::Null,
        Value::Null,
    );
    replaced.action_reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    let shown = change(&replaced);
    assert_eq!(shown["action"], "replace");
    assert_eq!(shown["reason"], "cannot_update");
    assert_eq!(planned_change_message(&shown), "tenant.a: Plan to replace");
    assert!(shown.get("previous_resource").is_none());
}

#[test]
fn a_move_or_import_without_change_is_reported_as_such() {
    let mut moved = resource_change("tenant.b", Action::NoOp, Value::Null, Value::Null);
    moved.previous_address = Some(instance_addr("tenant.a"));
    let shown = change(&moved);
    assert_eq!(shown["action"], "move");
    assert_eq!(shown["previous_resource"]["addr"], "tenant.a");
    let mut imported = resource_change("tenant.c", Action::NoOp, Value::Null, Value::Null);
    imported.importing = Some(Importing { id: "t-1".into() });
    let shown = change(&imported);
    assert_eq!(shown["action"], "import");
    assert_eq!(shown["importing"], json!({"id": "t-1"}));
    imported.action = Action::Update;
    assert_eq!(
        change(&imported)["action"],
        "update",
        "an update wins over the import"
    );
    assert_eq!(
        drift_message(&change(&imported)),
        "tenant.c: Drift detected (update)"
    );
}

#[test]
fn summaries_read_as_terraform_writes_them() {
    let summary = Summary {
        add: 1,
        change: 2,
        import: 0,
        remove: 3,
    };
    assert_eq!(
        summary.message(Operation::Plan),
        "Plan: 1 to add, 2 to change, 3 to destroy."
    );
    assert_eq!(
        summary.message(Operation::Apply),
        "Apply complete! Resources: 1 added, 2 changed, 3 destroyed."
    );
    assert_eq!(
        summary.message(Operation::Destroy),
        "Destroy complete! Resources: 3 destroyed."
    );
    let imported = Summary {
        import: 2,
        ..summary
    };
    assert_eq!(
        imported.message(Operation::Plan),
        "Plan: 2 to import, 1 to add, 2 to change, 3 to destroy."
    );
    assert_eq!(
        imported.message(Operation::Apply),
        "Apply complete! Resources: 2 imported, 1 added, 2 changed, 3 destroyed."
    );
    assert_eq!(
        summary.to_json(Operation::Destroy),
        json!({"add": 1, "change": 2, "import": 0, "remove": 3, "action_invocation": 0,
               "operation": "destroy"})
    );
}

#[test]
fn sensitive_outputs_carry_no_value() {
    let mut state = State::new();
    for (name, sensitive) in [("secret", true), ("plain", false)] {
        state.outputs.insert(
            name.to_string(),
            crate::state::OutputState {
                value: crate::state::StoredJson::from_json(&json!("v")),
                ty: json!("string"),
                sensitive,
            },
        );
    }
    let outputs = state_outputs(&state);
    assert_eq!(
        outputs,
        json!({
            "plain": {"sensitive": false, "type": "string", "value": "v"},
            "secret": {"sensitive": true, "type": "string"},
        })
    );
    assert_eq!(outputs_message(&outputs), "Outputs: 2");
    let planned = planned_outputs(&[OutputChange {
        name: "o".into(),
        action: Action::Create,
        before: Value::Null,
        after: Value::Null,
        sensitive: true,
    }]);
    assert_eq!(
        planned,
        json!({"o": {"sensitive": true, "action": "create"}})
    );
}
