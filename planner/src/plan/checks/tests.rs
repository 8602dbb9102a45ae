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

#[test]
fn objects_no_instance_of_which_was_evaluated_are_unknown() {
    let results = [
        CheckResult::declared(named_config("var", &["m".to_string()], "x")),
        CheckResult::declared(resource_config(&[], &"tenant.t".parse().unwrap())),
        CheckResult::resource(&addr("tenant.t"), CheckStatus::Pass, None),
    ];
    assert_eq!(
        checks_json(&results),
        json!([
            {
                "address": {"kind": "var", "name": "x", "module": "module.m",
                            "to_display": "module.m.var.x"},
                "status": "unknown"
            },
            {
                "address": {"kind": "resource", "mode": "managed", "type": "tenant",
                            "name": "t", "to_display": "tenant.t"},
                "status": "pass",
                "instances": [{"address": {"to_display": "tenant.t"}, "status": "pass"}]
            }
        ])
    );
}

#[test]
fn the_configuration_declares_its_checkable_objects() {
    let main = r#"
variable "tier" {
  type = string
  validation {
    condition     = var.tier != ""
    error_message = "Empty."
  }
}

resource "fake_thing" "guarded" {
  name = "a"
  lifecycle {
    precondition {
      condition     = var.tier != "free"
      error_message = "Free."
    }
  }
}

resource "fake_thing" "plain" {
  name = "b"
}

check "health" {
  assert {
    condition     = fake_thing.plain.name == "b"
    error_message = "Unhealthy."
  }
}
"#;
    let files = BTreeMap::from([("main.tf".to_string(), main.to_string())]);
    let config = crate::config::load_sources(std::path::Path::new("."), files).expect("valid");
    let shown: Vec<String> = declared_checks(&config)
        .iter()
        .map(|result| to_display(&result.config))
        .collect();
    assert_eq!(shown, ["fake_thing.guarded", "check.health", "var.tier"]);
}
