//! A snapshot of the whole comment for a mixed plan: an onboarded, an offboarded and a
//! changed tenant (an update with a long-text diff, a replacement, a sensitive attribute), a
//! shared resource, drift and outputs.

use super::*;
use crate::plan::{ActionReason, Importing};
use crate::test_support::n;

fn acme_changes() -> Vec<ResourceChange> {
    let description = |middle: &str| {
        s(&format!(
            "Acme Corporation\nHeadquarters: Springfield\n{middle}\nSupport: 24x7\nContract: 2026\n"
        ))
    };
    let mut replaced = with_sensitive(
        change(
            "module.tenant[\"acme\"].tenant_api_key.ci",
            Action::DeleteThenCreate,
            obj(&[
                ("id", s("key-1")),
                ("name", s("ci")),
                ("secret", s("old-secret")),
            ]),
            obj(&[
                ("id", Value::Unknown),
                ("name", s("ci-deploy")),
                ("secret", Value::Unknown),
            ]),
        ),
        &["secret"],
    );
    replaced.requires_replace = vec![AttributePath::attr("name")];
    replaced.action_reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    vec![
        change(
            "module.tenant[\"acme\"].tenant.this",
            Action::Update,
            obj(&[
                ("id", s("t-acme")),
                ("display_name", s("Acme")),
                ("description", description("Tier: standard")),
                (
                    "labels",
                    Value::Map([("tier".to_string(), s("standard"))].into()),
                ),
            ]),
            obj(&[
                ("id", s("t-acme")),
                ("display_name", s("Acme Holdings")),
                ("description", description("Tier: enterprise")),
                (
                    "labels",
                    Value::Map(
                        [
                            ("tier".to_string(), s("enterprise")),
                            ("sla".to_string(), s("gold")),
                        ]
                        .into(),
                    ),
                ),
            ]),
        ),
        replaced,
        with_sensitive(
            change(
                "module.tenant[\"acme\"].module.users[\"ops\"].tenant_user.this",
                Action::Create,
                Value::Null,
                obj(&[
                    ("id", Value::Unknown),
                    ("email", s("ops@acme.io")),
                    ("password", Value::Unknown),
                    ("connection_limit", n(10)),
                    ("disabled", Value::Null),
                ]),
            ),
            &["password"],
        ),
    ]
}

fn mixed_plan() -> Plan {
    let mut changes = acme_changes();
    changes.extend([
        change(
            "module.tenant[\"globex\"].tenant.this",
            Action::Delete,
            tenant("globex"),
            Value::Null,
        ),
        change(
            "module.tenant[\"globex\"].tenant_database.main",
            Action::Delete,
            obj(&[("name", s("main"))]),
            Value::Null,
        ),
        change(
            "module.tenant[\"initech\"].tenant.this",
            Action::Create,
            Value::Null,
            obj(&[("id", Value::Unknown), ("display_name", s("Initech"))]),
        ),
        change(
            "module.tenant[\"umbrella\"].tenant.this",
            Action::NoOp,
            tenant("umbrella"),
            tenant("umbrella"),
        ),
        change(
            "tenant_policy.baseline",
            Action::Update,
            obj(&[("rules", Value::List(vec![s("deny-public")]))]),
            obj(&[("rules", Value::List(vec![s("deny-public"), s("mfa")]))]),
        ),
    ]);
    let mut moved = change(
        "module.tenant[\"hooli\"].tenant.this",
        Action::NoOp,
        tenant("hooli"),
        tenant("hooli"),
    );
    moved.previous_address = Some(crate::test_support::instance_addr("tenant.hooli"));
    let mut imported = change(
        "module.tenant[\"hooli\"].tenant_storage.files",
        Action::NoOp,
        tenant("f"),
        tenant("f"),
    );
    imported.importing = Some(Importing { id: "st-9".into() });
    changes.extend([moved, imported]);
    let drifted = change(
        "module.tenant[\"umbrella\"].tenant.this",
        Action::Update,
        tenant("umbrella"),
        tenant("Umbrella Corp"),
    );
    let mut plan = plan_of(
        changes,
        vec![
            output(
                "tenant_ids",
                Action::Update,
                Value::Object(
                    [
                        ("acme".to_string(), s("t-acme")),
                        ("globex".to_string(), s("t-globex")),
                    ]
                    .into(),
                ),
                Value::Object(
                    [
                        ("acme".to_string(), s("t-acme")),
                        ("initech".to_string(), Value::Unknown),
                    ]
                    .into(),
                ),
                false,
            ),
            output(
                "admin_password",
                Action::Create,
                Value::Null,
                Value::Unknown,
                true,
            ),
            output("unchanged", Action::NoOp, n(1), n(1), false),
        ],
    );
    plan.drift = vec![drifted];
    plan
}

#[test]
fn mixed_plan_comment() {
    let plan = mixed_plan();
    let fitted = fitted(&plan, crate::plan::markdown::COMMENT_LIMIT);
    assert_detail(&fitted, Detail::Full);
    assert!(!fitted.text.contains("old-secret"));
    insta::assert_snapshot!("mixed_plan_comment", fitted.text);
}
