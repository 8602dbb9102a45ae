//! Import blocks against the fake provider: planning, applying, ignoring what is in state,
//! generated configuration and Terraform's errors.

use std::sync::Arc;

use tenantform_proto::value::Value;

use crate::plan::{Action, PlanMode};
use crate::providers::fake::FakeProvider;
use crate::state::State;

use super::super::tests::{apply, config, existing, options, plan, plan_result, plan_with};

async fn plan_errors(source: &str, fake: &Arc<FakeProvider>, generate: bool) -> Vec<String> {
    let mut options = options(PlanMode::Normal);
    options.generate_config = generate;
    let result = plan_result(&config(source), &State::new(), fake, &options).await;
    match result {
        Ok(_) => Vec::new(),
        Err(diags) => diags
            .iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect(),
    }
}

#[tokio::test]
async fn an_import_block_plans_the_import_and_apply_records_it() {
    let fake = FakeProvider::new();
    existing(&fake, "x-1", "a");
    let source = "locals {\n  id = \"x-1\"\n}\n\nimport {\n  to = fake_thing.a\n  id = local.id\n}\n\n\
                  resource \"fake_thing\" \"a\" {\n  name = \"b\"\n}\n";
    let config = config(source);
    let planned = plan(&config, &State::new(), &fake).await;
    let change = &planned.changes[0];
    assert_eq!(change.action, Action::Update, "the name differs");
    assert_eq!(
        change.importing.as_ref().map(|i| i.id.as_str()),
        Some("x-1")
    );
    assert_eq!(change.prior.get_attr("name"), Some(&Value::string("a")));
    assert!(!planned.is_empty());
    let (state, diags) = apply(&config, &State::new(), &planned, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let again = plan(&config, &state, &fake).await;
    assert!(
        again.is_empty(),
        "the import block is a no-op once in state"
    );
    assert!(again.changes.iter().all(|c| c.importing.is_none()));
}

#[tokio::test]
async fn an_object_already_in_state_ignores_its_import_block() {
    let fake = FakeProvider::new();
    existing(&fake, "x-1", "a");
    let plain = config("resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n");
    let state = super::super::tests::converge(&plain, &State::new(), &fake).await;
    let source = "import {\n  to = fake_thing.a\n  id = \"no-such-object\"\n}\n\n\
                  resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n";
    let planned = plan(&config(source), &state, &fake).await;
    assert!(planned.is_empty(), "{:?}", planned.changes);
}

#[tokio::test]
async fn for_each_imports_key_their_targets_by_each() {
    let fake = FakeProvider::new();
    existing(&fake, "x-1", "one");
    existing(&fake, "x-2", "two");
    let source = "variable \"ids\" {\n  default = { one = \"x-1\", two = \"x-2\" }\n}\n\n\
                  import {\n  for_each = var.ids\n  to = fake_thing.t[each.key]\n  id = each.value\n}\n\n\
                  resource \"fake_thing\" \"t\" {\n  for_each = var.ids\n  name = each.key\n}\n";
    let planned = plan(&config(source), &State::new(), &fake).await;
    let imported: Vec<(String, Action)> = planned
        .changes
        .iter()
        .map(|c| (c.addr.to_string(), c.action))
        .collect();
    assert_eq!(
        imported,
        [
            ("fake_thing.t[\"one\"]".to_string(), Action::NoOp),
            ("fake_thing.t[\"two\"]".to_string(), Action::NoOp)
        ]
    );
    assert!(planned.changes.iter().all(|c| c.importing.is_some()));
    assert!(!planned.is_empty(), "an import-only plan is a change");
}

#[tokio::test]
async fn terraforms_errors_for_import_targets() {
    let fake = FakeProvider::new();
    let resource = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n";
    let cases = [
        (
            "import {\n  to = fake_thing.none\n  id = \"x\"\n}\n",
            "Configuration for import target does not exist: The configuration for the given \
             import target fake_thing.none does not exist. If you wish",
        ),
        (
            "import {\n  to = fake_thing.a[\"k\"]\n  id = \"x\"\n}\n",
            "Invalid import 'to' expression: The target resource does not use for_each.",
        ),
        (
            "import {\n  to = fake_thing.a\n  id = \"\"\n}\n",
            "Invalid import id argument: The import ID value evaluates to an empty string",
        ),
        (
            "import {\n  to = fake_thing.a\n  id = null\n}\n",
            "Invalid import id argument: The import ID cannot be null.",
        ),
        (
            "import {\n  to = fake_thing.a\n  id = sensitive(\"x\")\n}\n",
            "Sensitive import id: The import ID is sensitive,",
        ),
        (
            "import {\n  to = module.m.fake_thing.a\n  id = \"x\"\n}\n",
            "Configuration for import target does not exist: The configuration for the given \
             import target module.m.fake_thing.a does not exist. All target instances",
        ),
    ];
    for (import, expected) in cases {
        let errors = plan_errors(&format!("{import}\n{resource}"), &fake, false).await;
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "{import}: {errors:?}"
        );
    }
    let for_each = "import {\n  for_each = toset([\"a\"])\n  to = fake_thing.n[each.key]\n  id = \
                    each.key\n}\n";
    let errors = plan_errors(for_each, &fake, false).await;
    assert!(
        errors[0].contains("The given import block is not compatible with config generation"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn generated_configuration_plans_the_import_alone() {
    let fake = FakeProvider::new();
    existing(&fake, "x-1", "a");
    let source = "provider \"fake\" {}\n\nimport {\n  to = fake_thing.a\n  id = \"x-1\"\n}\n";
    let mut options = options(PlanMode::Normal);
    options.generate_config = true;
    let planned = plan_with(&config(source), &State::new(), &fake, &options).await;
    let change = &planned.changes[0];
    assert_eq!(change.action, Action::NoOp);
    assert_eq!(
        change.generated_config.as_deref(),
        Some(
            "resource \"fake_thing\" \"a\" {\n  name      = \"a\"\n  protected = null\n  \
             size      = \"small\"\n  zone      = null\n}"
        )
    );
}

#[tokio::test]
async fn an_id_may_refer_to_what_is_known_at_plan() {
    let fake = FakeProvider::new();
    existing(&fake, "x-1", "a");
    let source = "resource \"fake_thing\" \"src\" {\n  name = \"x-1\"\n}\n\n\
                  import {\n  to = fake_thing.a\n  id = fake_thing.src.name\n}\n\n\
                  resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n";
    let planned = plan(&config(source), &State::new(), &fake).await;
    let imported = planned
        .changes
        .iter()
        .find(|c| c.addr.to_string() == "fake_thing.a")
        .expect("a change for the import target");
    assert_eq!(
        imported.importing.as_ref().map(|i| i.id.as_str()),
        Some("x-1")
    );
    let unknown = "resource \"fake_thing\" \"src\" {\n  name = \"s\"\n}\n\n\
                   import {\n  to = fake_thing.a\n  id = fake_thing.src.id\n}\n\n\
                   resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n";
    let errors = plan_errors(unknown, &fake, false).await;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("cannot be determined until apply")),
        "{errors:?}"
    );
}
