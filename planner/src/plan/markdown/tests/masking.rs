//! No sensitive value appears anywhere in the comment, at any level of detail: sensitive
//! attributes (also inside lists, maps and sets), long sensitive texts, sensitive outputs.

use tenantform_proto::value::PathStep;

use super::*;

const SECRETS: [&str; 7] = [
    "hunter2-password",
    "old-api-secret",
    "new-api-secret",
    "nested-list-secret",
    "map-secret",
    "set-secret",
    "output-secret",
];

fn secret_plan() -> Plan {
    let user = with_sensitive(
        change(
            "module.tenant[\"acme\"].tenant_user.admin",
            Action::Update,
            obj(&[
                ("email", s("a@acme.io")),
                ("password", s("hunter2-password")),
            ]),
            obj(&[("email", s("b@acme.io")), ("password", Value::Unknown)]),
        ),
        &["password"],
    );
    let key = with_sensitive(
        change(
            "module.tenant[\"acme\"].tenant_api_key.ci",
            Action::DeleteThenCreate,
            obj(&[
                ("name", s("ci")),
                ("secret", s(&format!("old-api-secret\n{}", "x".repeat(100)))),
            ]),
            obj(&[
                ("name", s("ci2")),
                ("secret", s(&format!("new-api-secret\n{}", "y".repeat(100)))),
            ]),
        ),
        &["secret"],
    );
    let mut nested = change(
        "tenant_policy.shared",
        Action::Create,
        Value::Null,
        obj(&[
            (
                "rules",
                Value::List(vec![s("public"), s("nested-list-secret")]),
            ),
            (
                "settings",
                Value::Map(
                    [
                        ("token".to_string(), s("map-secret")),
                        ("mode".to_string(), s("strict")),
                    ]
                    .into(),
                ),
            ),
            (
                "members",
                Value::Set(vec![s("set-secret"), s("visible-member")]),
            ),
        ]),
    );
    nested.sensitive_paths = vec![
        AttributePath(vec![
            PathStep::Attribute("rules".into()),
            PathStep::IntKey(1),
        ]),
        AttributePath(vec![
            PathStep::Attribute("settings".into()),
            PathStep::StringKey("token".into()),
        ]),
        AttributePath(vec![
            PathStep::Attribute("members".into()),
            PathStep::IntKey(0),
        ]),
    ];
    let deleted = with_sensitive(
        change(
            "module.tenant[\"gone\"].tenant_user.admin",
            Action::Delete,
            obj(&[("password", s("hunter2-password"))]),
            Value::Null,
        ),
        &["password"],
    );
    plan_of(
        vec![user, key, nested, deleted],
        vec![
            output(
                "admin_password",
                Action::Update,
                s("output-secret"),
                Value::Unknown,
                true,
            ),
            output(
                "credentials",
                Action::Create,
                Value::Null,
                obj(&[("key", s("output-secret"))]),
                true,
            ),
        ],
    )
}

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked into:\n{text}");
    }
}

#[test]
fn no_sensitive_value_appears_at_any_level_of_detail() {
    let plan = secret_plan();
    let full = fitted(&plan, usize::MAX);
    assert_detail(&full, Detail::Full);
    assert_no_secret(&full.text);
    // The masked attributes are still shown as changed.
    for row in [
        "| `password` | *(sensitive value)* | *(sensitive value)* |",
        "| `secret` | *(sensitive value)* | *(sensitive value)* |",
        "| `rules` | `[\"public\", (sensitive value)]` |",
        "| `settings[\"token\"]` | *(sensitive value)* |",
        "| `settings[\"mode\"]` | `\"strict\"` |",
        "| `members` | `(sensitive value)` |",
        "| `admin_password` | *(sensitive value)* | *(sensitive value)* |",
        "| `credentials` | `null` | *(sensitive value)* |",
    ] {
        assert!(
            full.text.contains(row),
            "{row} missing from:\n{}",
            full.text
        );
    }
    let mut limit = full.text.len();
    loop {
        let step = fitted(&plan, limit);
        assert_no_secret(&step.text);
        if step.detail == Detail::FirstGroups {
            break;
        }
        limit = step.text.len() - 1;
    }
}
