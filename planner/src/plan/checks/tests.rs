//! Tests of the JSON plan's `checks`.

use super::*;

fn addr(text: &str) -> InstanceAddr {
    text.parse().expect("an instance address")
}

#[test]
fn resource_conditions_are_combined_per_instance_and_object() {
    let results = [
        CheckResult::resource(&addr("tenant.t[1]"), CheckStatus::Pass, None),
        CheckResult::resource(&addr("tenant.t[0]"), CheckStatus::Pass, None),
        CheckResult::resource(&addr("tenant.t[1]"), CheckStatus::Unknown, None),
    ];
    assert_eq!(
        checks_json(&results),
        json!([{
            "address": {"kind": "resource", "mode": "managed", "type": "tenant", "name": "t",
                        "to_display": "tenant.t"},
            "status": "unknown",
            "instances": [
                {"address": {"to_display": "tenant.t[0]", "instance_key": 0}, "status": "pass"},
                {"address": {"to_display": "tenant.t[1]", "instance_key": 1},
                 "status": "unknown"}
            ]
        }])
    );
}

#[test]
fn failed_assertions_carry_their_messages_in_module_instances() {
    let module = [ModuleStep {
        name: "m".into(),
        key: InstanceKey::Str("a".into()),
    }];
    let results = [
        CheckResult::check_block(&module, "c", CheckStatus::Fail, Some("b is wrong".into())),
        CheckResult::check_block(&module, "c", CheckStatus::Fail, Some("a is wrong".into())),
        CheckResult::check_block(&module, "c", CheckStatus::Pass, None),
        CheckResult::passed_variable("tier"),
    ];
    assert_eq!(
        checks_json(&results),
        json!([
            {
                "address": {"kind": "check", "name": "c", "module": "module.m",
                            "to_display": "module.m.check.c"},
                "status": "fail",
                "instances": [{
                    "address": {"to_display": "module.m[\"a\"].check.c",
                                "module": "module.m[\"a\"]"},
                    "status": "fail",
                    "problems": [{"message": "a is wrong"}, {"message": "b is wrong"}]
                }]
            },
            {
                "address": {"kind": "var", "name": "tier", "to_display": "var.tier"},
                "status": "pass",
                "instances": [{"address": {"to_display": "var.tier"}, "status": "pass"}]
            }
        ])
    );
}

#[test]
fn errors_win_over_failures_and_failures_over_unknowns() {
    assert_eq!(
        CheckStatus::Unknown.combined(CheckStatus::Fail),
        CheckStatus::Fail
    );
    assert_eq!(
        CheckStatus::Fail.combined(CheckStatus::Error),
        CheckStatus::Error
    );
    assert_eq!(
        CheckStatus::Pass.combined(CheckStatus::Unknown),
        CheckStatus::Unknown
    );
}
