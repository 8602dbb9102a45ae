//! Exact-text tests of the plan renderer.

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::schema::{Attribute, Nesting, Schema};
use tenantform_proto::value::{AttributePath, Number, Type, Value};

use super::*;
use crate::plan::PlanMode;
use crate::test_support::{
    block, map_of_strings, nested, obj, provider_with_resources, resource_change, s,
};

fn tenant_schemas() -> Schemas {
    let contact = block(
        &[
            ("name", Attribute::optional(Type::String)),
            ("email", Attribute::required(Type::String)),
        ],
        &[],
    );
    let tenant = block(
        &[
            ("id", Attribute::computed(Type::String)),
            ("slug", Attribute::required(Type::String)),
            ("region", Attribute::required(Type::String)),
            ("tier", Attribute::optional(Type::String)),
            ("retention_days", Attribute::optional_computed(Type::Number)),
            ("labels", Attribute::optional(map_of_strings())),
            ("api_secret", Attribute::computed(Type::String).sensitive()),
        ],
        &[("contact", nested(Nesting::List, contact))],
    );
    let schema = Schema {
        version: 0,
        block: tenant,
    };
    let provider = provider_with_resources(&[("tenant", schema)]);
    BTreeMap::from([("tenant".to_string(), Arc::new(provider))])
}

/// How a plan starts that notes the drift of `tenant.a`.
const DRIFT_OF_TENANT_A: &str = "Note: Objects have changed outside of tenantform\n\n\
     tenantform detected the following changes made outside of tenantform since the\n\
     last \"tenantform apply\" which may have affected this plan:\n\n  \
     # tenant.a has changed\n  ~ resource \"tenant\" \"a\" {\n";

/// A change whose `api_secret` is sensitive, as the tenant schema says.
fn change(addr: &str, action: Action, prior: Value, planned: Value) -> ResourceChange {
    ResourceChange {
        sensitive_paths: vec![AttributePath::attr("api_secret")],
        ..resource_change(addr, action, prior, planned)
    }
}

fn plan(changes: Vec<ResourceChange>, outputs: Vec<OutputChange>) -> Plan {
    Plan {
        mode: PlanMode::Normal,
        changes,
        outputs,
        ..Plan::default()
    }
}

fn acme() -> Value {
    obj(&[
        ("id", s("t-1")),
        ("slug", s("acme")),
        ("region", s("eu")),
        ("tier", s("free")),
        ("retention_days", Value::Number(Number::Int(30))),
        (
            "labels",
            Value::Map(BTreeMap::from([
                ("env".into(), s("prod")),
                ("team".into(), s("a")),
            ])),
        ),
        ("api_secret", s("hunter2")),
        (
            "contact",
            Value::List(vec![obj(&[("name", s("Ann")), ("email", s("a@x"))])]),
        ),
    ])
}

/// [`acme`] in another tier.
fn acme_in_tier(tier: &str) -> Value {
    with(acme(), &[("tier", s(tier))])
}

fn with(mut value: Value, changes: &[(&str, Value)]) -> Value {
    if let Value::Object(entries) = &mut value {
        for (name, v) in changes {
            entries.insert(name.to_string(), v.clone());
        }
    }
    value
}

#[test]
fn create_with_unknowns_sensitive_values_maps_and_blocks() {
    let planned = with(
        acme(),
        &[
            ("id", Value::Unknown),
            ("api_secret", Value::Unknown),
            ("tier", Value::Null),
        ],
    );
    let create = change("tenant.acme", Action::Create, Value::Null, planned);
    let text = render_plan(&plan(vec![create], vec![]), &tenant_schemas(), false);
    let expected = r#"tenantform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  + create

tenantform will perform the following actions:

  # tenant.acme will be created
  + resource "tenant" "acme" {
      + api_secret     = (sensitive value)
      + id             = (known after apply)
      + labels         = {
          + "env"  = "prod"
          + "team" = "a"
        }
      + region         = "eu"
      + retention_days = 30
      + slug           = "acme"

      + contact {
          + email = "a@x"
          + name  = "Ann"
        }
    }

Plan: 1 to add, 0 to change, 0 to destroy.
"#;
    assert_eq!(text, expected);
}

#[test]
fn replacement_and_update_hide_unchanged_values() {
    let updated = with(
        acme(),
        &[
            ("tier", s("standard")),
            ("region", s("us")),
            ("api_secret", s("s3cr3t-new")),
            (
                "labels",
                Value::Map(BTreeMap::from([
                    ("env".into(), s("dev")),
                    ("team".into(), s("a")),
                    ("new".into(), s("x")),
                ])),
            ),
            (
                "contact",
                Value::List(vec![obj(&[("name", s("Ann")), ("email", s("b@x"))])]),
            ),
        ],
    );
    let mut replace = change("tenant.beta", Action::DeleteThenCreate, acme(), updated);
    replace.requires_replace = vec![AttributePath::attr("region")];
    replace.action_reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    let text = render_change(&replace, schema_block(&tenant_schemas(), &replace), false);
    let expected = r#"  # tenant.beta must be replaced
-/+ resource "tenant" "beta" {
      ~ api_secret     = (sensitive value)
        id             = "t-1"
      ~ labels         = {
          ~ "env"  = "prod" -> "dev"
          + "new"  = "x"
            # (1 unchanged element hidden)
        }
      ~ region         = "eu" -> "us" # forces replacement
      ~ tier           = "free" -> "standard"
        # (2 unchanged attributes hidden)

      ~ contact {
          ~ email = "a@x" -> "b@x"
            name  = "Ann"
        }
    }
"#;
    assert_eq!(text, expected);
    assert!(
        !text.contains("hunter2") && !text.contains("s3cr3t-new"),
        "sensitive value printed"
    );
}

#[test]
fn destroy_shows_every_value_going_to_null_and_the_reason() {
    let mut delete = change("tenant.old", Action::Delete, acme(), Value::Null);
    delete.action_reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    let text = render_change(&delete, None, false);
    let expected = r#"  # tenant.old will be destroyed
  # (because tenant.old is not in configuration)
  - resource "tenant" "old" {
      - api_secret     = (sensitive value) -> null
      - contact        = [
          - {
              - email = "a@x"
              - name  = "Ann"
            },
        ] -> null
      - id             = "t-1" -> null
      - labels         = {
          - "env"  = "prod"
          - "team" = "a"
        } -> null
      - region         = "eu" -> null
      - retention_days = 30 -> null
      - slug           = "acme" -> null
      - tier           = "free" -> null
    }
"#;
    assert_eq!(text, expected);
    assert!(!text.contains("hunter2"));
}

#[test]
fn lists_diff_by_element_and_unknowns_show_known_after_apply() {
    let before = obj(&[
        ("id", s("k-1")),
        (
            "scopes",
            Value::Set(vec![s("admin"), s("read"), s("write")]),
        ),
        ("fingerprint", s("ab")),
    ]);
    let after = obj(&[
        ("id", s("k-1")),
        (
            "scopes",
            Value::Set(vec![s("read"), s("tenant"), s("write")]),
        ),
        ("fingerprint", Value::Unknown),
    ]);
    let mut update = change("tenant_api_key.ci[\"x\"]", Action::Update, before, after);
    update.provider_local_name = "other".into();
    let text = render_change(&update, None, false);
    let expected = r#"  # tenant_api_key.ci["x"] will be updated in-place
  ~ resource "tenant_api_key" "ci" {
      ~ fingerprint = "ab" -> (known after apply)
        id          = "k-1"
      ~ scopes      = [
          - "admin",
          + "tenant",
            # (2 unchanged elements hidden)
        ]
    }
"#;
    assert_eq!(text, expected);
}

#[test]
fn outputs_only_and_sensitive_outputs() {
    let outputs = vec![
        OutputChange {
            name: "tenant_id".into(),
            action: Action::Create,
            before: Value::Null,
            after: Value::Unknown,
            sensitive: false,
        },
        OutputChange {
            name: "secret".into(),
            action: Action::Update,
            before: s("a"),
            after: s("b"),
            sensitive: true,
        },
        OutputChange {
            name: "ids".into(),
            action: Action::Create,
            before: Value::Null,
            after: Value::List(vec![s("a")]),
            sensitive: false,
        },
    ];
    let text = render_plan(&plan(vec![], outputs), &Schemas::new(), false);
    let expected = r#"
Changes to Outputs:
  + ids       = [
      + "a",
    ]
  ~ secret    = (sensitive value)
  + tenant_id = (known after apply)

You can apply this plan to save these new output values to the tenantform
state, without changing any real infrastructure.
"#;
    assert_eq!(text, expected);
}

#[test]
fn no_changes_and_summary_counts() {
    let noop = change("tenant.a", Action::NoOp, acme(), acme());
    let text = render_plan(&plan(vec![noop], vec![]), &Schemas::new(), false);
    assert!(text.starts_with("No changes. Your infrastructure matches the configuration.\n"));
    let p = plan(
        vec![
            change("tenant.a", Action::Create, Value::Null, acme()),
            change("tenant.b", Action::CreateThenDelete, acme(), acme()),
            change("tenant.c", Action::Update, acme(), acme()),
            change("tenant.d", Action::Delete, acme(), Value::Null),
        ],
        vec![],
    );
    assert_eq!(
        Counts::of(&p),
        Counts {
            add: 2,
            change: 1,
            destroy: 2,
            import: 0
        }
    );
}

#[test]
fn color_marks_symbols_and_headers() {
    let create = change(
        "tenant.acme",
        Action::Create,
        Value::Null,
        obj(&[("slug", s("a"))]),
    );
    let text = render_plan(&plan(vec![create], vec![]), &Schemas::new(), true);
    assert!(
        text.contains("\x1b[32m+\x1b[0m resource \"tenant\" \"acme\" {"),
        "{text}"
    );
    assert!(
        text.contains("\x1b[1m# tenant.acme will be created\x1b[0m"),
        "{text}"
    );
    assert!(text.contains("\x1b[1mPlan:\x1b[0m 1 to add"), "{text}");
}

#[test]
fn imports_show_the_whole_object_and_count_in_the_summary() {
    let object = obj(&[
        ("id", s("t-1")),
        ("slug", s("acme")),
        ("region", s("eu")),
        ("tier", Value::Null),
        (
            "labels",
            Value::Map(BTreeMap::from([("env".into(), s("prod"))])),
        ),
        (
            "contact",
            Value::List(vec![obj(&[("name", s("Jo")), ("email", s("jo@acme.io"))])]),
        ),
    ]);
    let mut imported = change("tenant.acme", Action::NoOp, object.clone(), object.clone());
    imported.importing = Some(crate::plan::Importing { id: "acme".into() });
    let mut updated = change(
        "tenant.beta",
        Action::Update,
        object.clone(),
        obj(&[("id", s("t-1")), ("slug", s("acme")), ("region", s("us"))]),
    );
    updated.importing = Some(crate::plan::Importing { id: "beta".into() });
    let only_import = render_plan(
        &plan(vec![imported.clone()], vec![]),
        &tenant_schemas(),
        false,
    );
    assert_eq!(
        only_import,
        "\ntenantform will perform the following actions:\n\n  # tenant.acme will be imported\n    \
         resource \"tenant\" \"acme\" {\n        id     = \"t-1\"\n        labels = {\n            \
         \"env\" = \"prod\"\n        }\n        region = \"eu\"\n        slug   = \"acme\"\n\n        \
         contact {\n            email = \"jo@acme.io\"\n            name  = \"Jo\"\n        }\n    }\n\n\
         Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.\n"
    );
    let both = render_plan(
        &plan(vec![imported, updated], vec![]),
        &tenant_schemas(),
        false,
    );
    assert!(
        both.contains("  # tenant.beta will be updated in-place\n  # (imported from \"beta\")\n")
    );
    assert!(both.contains("Plan: 2 to import, 0 to add, 1 to change, 0 to destroy.\n"));
    assert!(
        both.contains("  ~ update in-place\n"),
        "the legend lists real actions"
    );
}

#[test]
fn refresh_only_plans_show_the_drift_and_no_actions() {
    let renamed = acme_in_tier("enterprise");
    let changed = change("tenant.a", Action::Update, acme(), renamed);
    let deleted = change("tenant.b", Action::Delete, acme(), Value::Null);
    let mut p = plan(vec![], vec![]);
    p.mode = PlanMode::RefreshOnly;
    p.drift = vec![changed, deleted];
    let text = render_plan(&p, &tenant_schemas(), false);
    assert!(text.starts_with(DRIFT_OF_TENANT_A), "{text}");
    assert!(
        text.contains("      ~ tier           = \"free\" -> \"enterprise\"\n"),
        "{text}"
    );
    assert!(text.contains("  # tenant.b has been deleted\n  - resource \"tenant\" \"b\" {\n"));
    assert!(text.ends_with(
        "This is a refresh-only plan, so tenantform will not take any actions to undo\n\
         these. If you were expecting these changes then you can apply this plan to\n\
         record the updated values in the tenantform state without changing any remote\n\
         objects.\n"
    ));
    assert!(!p.is_empty(), "drift makes a refresh-only plan applyable");

    p.drift.clear();
    assert!(p.is_empty());
    let text = render_plan(&p, &tenant_schemas(), false);
    assert_eq!(
        text,
        "\nNo changes. Your infrastructure still matches the configuration.\n\n\
         tenantform has checked that the real remote objects still match the result of\n\
         your most recent changes, and found no differences.\n"
    );
}

fn moved(mut change: ResourceChange, from: &str) -> ResourceChange {
    change.previous_address = Some(from.parse().unwrap());
    change
}

#[test]
fn a_moved_instance_without_changes_is_shown_and_counted_as_nothing() {
    let only_moved = moved(change("tenant.c", Action::NoOp, acme(), acme()), "tenant.b");
    let text = render_plan(&plan(vec![only_moved], vec![]), &tenant_schemas(), false);
    let expected = "\ntenantform will perform the following actions:\n\n  # tenant.b has moved to tenant.c\n    resource \"tenant\" \"c\" {\n        id             = \"t-1\"\n";
    assert!(text.starts_with(expected), "{text}");
    assert!(
        !text.contains("symbols"),
        "no legend for moves only: {text}"
    );
    assert!(
        text.ends_with("\nPlan: 0 to add, 0 to change, 0 to destroy.\n"),
        "{text}"
    );
}

#[test]
fn a_moved_instance_with_changes_notes_where_it_came_from() {
    let change = moved(
        change("tenant.c", Action::Update, acme(), acme_in_tier("pro")),
        "tenant.b",
    );
    let text = render_change(&change, None, false);
    assert!(
        text.starts_with(
            "  # tenant.c will be updated in-place\n  # (moved from tenant.b)\n  ~ resource"
        ),
        "{text}"
    );
    let mut gone = moved(
        change_without_config("tenant.c", Action::Delete),
        "tenant.b",
    );
    gone.action_reason = Some(ActionReason::DeleteBecauseNoMoveTarget);
    let text = render_change(&gone, None, false);
    assert!(
        text.starts_with(
            "  # tenant.c will be destroyed\n  # (because tenant.b was moved to tenant.c, which is \
             not in configuration)\n  # (moved from tenant.b)\n"
        ),
        "{text}"
    );
}

fn change_without_config(addr: &str, action: Action) -> ResourceChange {
    change(addr, action, acme(), Value::Null)
}

#[test]
fn a_forgotten_object_is_shown_unchanged_and_not_counted() {
    let mut forgotten = change_without_config("tenant.f", Action::Forget);
    forgotten.action_reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    let p = plan(vec![forgotten], vec![]);
    let text = render_plan(&p, &tenant_schemas(), false);
    assert!(
        text.contains(
            "\n # tenant.f will no longer be managed by tenantform, but will not be destroyed\n \
             # (destroy = false is set in the configuration)\n . resource \"tenant\" \"f\" {\n        \
             id             = \"t-1\"\n"
        ),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(Counts::of(&p), Counts::default());

    let mut deposed = change_without_config("tenant.f", Action::Forget);
    deposed.deposed = Some("1a2b3c4d".into());
    let text = render_change(&deposed, None, false);
    assert!(
        text.starts_with(
            " # tenant.f (deposed object 1a2b3c4d) will be removed from tenantform state, but \
             will not be destroyed\n # (left over from a partially-failed replacement of this \
             instance)\n # (destroy = false is set in the configuration)\n"
        ),
        "{text}"
    );
}

#[test]
fn refresh_only_plans_show_moves_as_drift_without_being_applyable_for_them() {
    let mut p = plan(vec![], vec![]);
    p.mode = PlanMode::RefreshOnly;
    let changed = acme_in_tier("pro");
    p.drift = vec![
        moved(change("tenant.c", Action::NoOp, acme(), acme()), "tenant.b"),
        moved(
            change("tenant.e", Action::Update, acme(), changed),
            "tenant.d",
        ),
    ];
    let text = render_plan(&p, &tenant_schemas(), false);
    assert!(
        text.contains("  # tenant.b has moved to tenant.c\n    resource \"tenant\" \"c\" {\n"),
        "{text}"
    );
    assert!(
        text.contains("  # tenant.e has changed\n  # (moved from tenant.d)\n  ~ resource"),
        "{text}"
    );
    assert!(!p.is_empty());
    p.drift.pop();
    assert!(p.is_empty(), "a move alone is no refresh-only change");
}

fn relevant(resource: &str, attribute: &str) -> crate::plan::RelevantAttribute {
    crate::plan::RelevantAttribute {
        resource: resource.parse().unwrap(),
        attribute: AttributePath::attr(attribute),
    }
}

/// A normal plan updating tenant.b, after drift on tenant.a (tier and region) and tenant.c.
fn plan_after_drift() -> Plan {
    let update = change("tenant.b", Action::Update, acme(), acme_in_tier("pro"));
    let mut p = plan(vec![update], vec![]);
    let drifted = with(acme(), &[("tier", s("enterprise")), ("region", s("us"))]);
    p.drift = vec![
        change("tenant.a", Action::Update, acme(), drifted.clone()),
        change("tenant.c", Action::Update, acme(), drifted),
    ];
    p.relevant_attributes = vec![relevant("tenant.a", "tier"), relevant("tenant.c", "id")];
    p
}

#[test]
fn normal_plans_note_only_the_drift_their_changes_refer_to() {
    let text = render_plan(&plan_after_drift(), &tenant_schemas(), false);
    assert!(text.starts_with(DRIFT_OF_TENANT_A), "{text}");
    assert!(
        text.contains("      ~ tier           = \"free\" -> \"enterprise\"\n"),
        "{text}"
    );
    assert!(
        !text.contains("\"eu\" -> \"us\""),
        "irrelevant drift is hidden:\n{text}"
    );
    assert!(
        !text.contains("tenant.c has changed"),
        "no relevant change:\n{text}"
    );
    let rule = "─".repeat(77);
    let warning = format!(
        "\n\nUnless you have made equivalent changes to your configuration, or ignored the\n\
         relevant attributes using ignore_changes, the following plan may include\n\
         actions to undo or respond to these changes.\n\n{rule}\n\n\
         tenantform used the selected providers"
    );
    assert!(text.contains(&warning), "{text}");
}

#[test]
fn drift_without_relevant_changes_or_planned_changes_shows_no_note() {
    let mut p = plan_after_drift();
    p.relevant_attributes = vec![relevant("tenant.a", "id")];
    let text = render_plan(&p, &tenant_schemas(), false);
    assert!(
        text.starts_with("tenantform used the selected providers"),
        "{text}"
    );

    let mut p = plan_after_drift();
    p.changes[0].action = Action::NoOp;
    let text = render_plan(&p, &tenant_schemas(), false);
    assert!(
        text.starts_with("No changes. Your infrastructure matches the configuration.\n\n"),
        "{text}"
    );
}

#[test]
fn destroy_plans_without_objects_say_nothing_needs_destroying() {
    let mut p = plan(vec![], vec![]);
    p.mode = PlanMode::Destroy;
    let text = render_plan(&p, &tenant_schemas(), false);
    assert_eq!(
        text,
        "No changes. No objects need to be destroyed.\n\n\
         Either you have not created any objects yet or the existing objects were\n\
         already deleted outside of tenantform.\n"
    );
}

#[test]
fn a_stored_object_shows_every_attribute_and_block_without_symbols() {
    let schemas = tenant_schemas();
    let block = &schemas["tenant"].resources["tenant"].block;
    let value = with(acme(), &[("tier", s("note:\nline two"))]);
    let sensitive = [AttributePath::attr("api_secret")];
    let text = render_stored(
        "resource \"tenant\" \"acme\"",
        &value,
        Some(block),
        &sensitive,
    );
    assert_eq!(
        text,
        "resource \"tenant\" \"acme\" {\n    api_secret     = (sensitive value)\n    \
         id             = \"t-1\"\n    labels         = {\n        \"env\"  = \"prod\"\n        \
         \"team\" = \"a\"\n    }\n    region         = \"eu\"\n    retention_days = 30\n    \
         slug           = \"acme\"\n    tier           = <<-EOT\n        note:\n        line two\n    \
         EOT\n\n    contact {\n        email = \"a@x\"\n        name  = \"Ann\"\n    }\n}"
    );
}

#[test]
fn a_stored_output_is_shown_whole_or_hidden() {
    let value = obj(&[("n", Value::Number(Number::Int(1)))]);
    assert_eq!(
        render_stored_output("summary", &value, false),
        "summary = {\n    n = 1\n}"
    );
    assert_eq!(
        render_stored_output("secret", &s("x"), true),
        "secret = (sensitive value)"
    );
}
