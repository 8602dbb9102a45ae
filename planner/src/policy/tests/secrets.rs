//! Sensitive values of the plan document never reach a policy's messages.

use serde_json::json;

use crate::policy::secrets::Redactor;

#[test]
fn values_under_sensitive_masks_are_redacted_wherever_they_appear() {
    let document = json!({
        "resource_changes": [{
            "address": "tenant_user.admin",
            "change": {
                "before": {"login": "admin", "password": "hunter2-old", "tags": ["a", "s3cret-tag"]},
                "before_sensitive": {"password": true, "tags": [false, true]},
                "after": {"login": "admin", "password": "hunter2-new", "port": 54321},
                "after_sensitive": {"password": true, "port": true}
            }
        }],
        "prior_state": {"values": {"root_module": {"resources": [{
            "values": {"uri": "postgres://u:pw-in-uri@h/db", "name": "main"},
            "sensitive_values": {"uri": true}
        }]}}},
        "output_changes": {"token": {"before": null, "after": "tok-123456", "before_sensitive": true, "after_sensitive": true}},
        "planned_values": {"outputs": {"token": {"sensitive": true, "value": "tok-123456"}}}
    });
    let redactor = Redactor::of_plan_document(&document);
    let message = "admin main hunter2-old hunter2-new s3cret-tag 54321 \
                   postgres://u:pw-in-uri@h/db tok-123456 a";
    assert_eq!(
        redactor.redact(message),
        "admin main (sensitive value) (sensitive value) (sensitive value) (sensitive value) \
         (sensitive value) (sensitive value) a"
    );
}

#[test]
fn nothing_sensitive_leaves_messages_alone() {
    let redactor = Redactor::of_plan_document(&json!({"resource_changes": []}));
    assert_eq!(redactor.redact("nothing to hide"), "nothing to hide");
}

#[test]
fn values_of_variables_declared_sensitive_are_redacted() {
    let document = json!({
        "variables": {
            "admin_password": {"value": "pw-from-cli-123"},
            "region": {"value": "eu-west-1"}
        },
        "configuration": {"root_module": {"variables": {
            "admin_password": {"sensitive": true},
            "api_token": {"sensitive": true, "default": "default-token-456"},
            "region": {"default": "eu-west-1"}
        }}}
    });
    let redactor = Redactor::of_plan_document(&document);
    assert_eq!(
        redactor.redact("pw-from-cli-123 default-token-456 eu-west-1"),
        "(sensitive value) (sensitive value) eu-west-1"
    );
}
