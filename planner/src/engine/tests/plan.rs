//! Planning: actions, unknown propagation, orphans, provider refusals, cycles, validation.

use tenantform_proto::value::Value;

use super::*;
use crate::plan::ActionReason;

#[tokio::test]
async fn plans_creates_with_unknowns_flowing_into_dependents() {
    let fake = FakeProvider::new();
    let plan = plan(&config(THING_AND_CHILD), &State::new(), &fake).await;
    assert_eq!(
        actions(&plan),
        vec![
            ("fake_child.b".into(), Action::Create),
            ("fake_thing.a".into(), Action::Create)
        ]
    );
    let child = change(&plan, "fake_child.b");
    assert_eq!(child.planned.get_attr("parent_id"), Some(&Value::Unknown));
    assert_eq!(child.dependencies, vec!["fake_thing.a".to_string()]);
    let thing = change(&plan, "fake_thing.a");
    assert_eq!(
        thing.planned.get_attr("size"),
        Some(&Value::string("small"))
    );
    assert!(fake.events().contains(&"configure".to_string()));
}

#[tokio::test]
async fn plans_nothing_after_apply() {
    let (fake, config, state) = converged(THING_AND_CHILD).await;
    let again = plan(&config, &state, &fake).await;
    assert!(again.is_empty(), "{:?}", actions(&again));
    assert_eq!(
        actions(&again),
        vec![
            ("fake_child.b".into(), Action::NoOp),
            ("fake_thing.a".into(), Action::NoOp)
        ]
    );
}

#[tokio::test]
async fn a_no_op_holds_its_prior_object_once_and_an_update_holds_two() {
    let (fake, _, state) = converged(THING_AND_CHILD).await;
    let bigger = THING_AND_CHILD.replace("name = \"a\"", "name = \"a\"\n  size = \"large\"");
    let plan = plan(&config(&bigger), &state, &fake).await;
    let unchanged = change(&plan, "fake_child.b");
    assert_eq!(unchanged.action, Action::NoOp);
    assert!(std::sync::Arc::ptr_eq(&unchanged.prior, &unchanged.planned));
    let updated = change(&plan, "fake_thing.a");
    assert_eq!(updated.action, Action::Update);
    assert!(!std::sync::Arc::ptr_eq(&updated.prior, &updated.planned));
    assert_ne!(updated.prior, updated.planned);
}

#[tokio::test]
async fn plans_update_and_replace() {
    let (fake, _, state) = converged(THING_AND_CHILD).await;

    let bigger = THING_AND_CHILD.replace("name = \"a\"", "name = \"a\"\n  size = \"large\"");
    let plan1 = plan(&config(&bigger), &state, &fake).await;
    assert_eq!(change(&plan1, "fake_thing.a").action, Action::Update);
    assert_eq!(change(&plan1, "fake_child.b").action, Action::NoOp);

    let moved = THING_AND_CHILD.replace("name = \"a\"", "name = \"a\"\n  zone = \"eu\"");
    let plan2 = plan(&config(&moved), &state, &fake).await;
    let thing = assert_action(
        &plan2,
        "fake_thing.a",
        Action::DeleteThenCreate,
        Some(ActionReason::ReplaceBecauseCannotUpdate),
    );
    assert_eq!(thing.planned.get_attr("id"), Some(&Value::Unknown));
    // The new id is unknown, so the child's reference to it is too.
    let child = change(&plan2, "fake_child.b");
    assert_eq!(child.action, Action::Update);
    assert_eq!(child.planned.get_attr("parent_id"), Some(&Value::Unknown));
}

#[tokio::test]
async fn plans_deletion_of_instances_without_configuration() {
    let (fake, _, state) = converged(THING_AND_CHILD).await;
    let only_thing = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n";
    let plan = plan(&config(only_thing), &state, &fake).await;
    let child = assert_action(
        &plan,
        "fake_child.b",
        Action::Delete,
        Some(ActionReason::DeleteBecauseNoResourceConfig),
    );
    assert_eq!(*child.planned, Value::Null);
    assert_eq!(change(&plan, "fake_thing.a").action, Action::NoOp);
}

#[tokio::test]
async fn a_provider_can_refuse_a_deletion() {
    let fake = FakeProvider::new();
    let protected = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  protected = true\n}\n\
                     resource \"fake_thing\" \"keep\" {\n  name = \"keep\"\n}\n";
    let state = converge(&config(protected), &State::new(), &fake).await;
    let without = "resource \"fake_thing\" \"keep\" {\n  name = \"keep\"\n}\n";
    let diags = plan_error(&config(without), &state, &fake).await;
    error_mentioning(
        &diags,
        "Deletion protection is enabled",
        "with fake_thing.a",
    );
    // Destroy mode asks the provider too.
    let result = plan_result(
        &config(protected),
        &state,
        &fake,
        &options(PlanMode::Destroy),
    )
    .await;
    let diags = result.expect_err("destroy of a protected object is refused");
    let error = diags
        .iter()
        .find(|d| d.summary == "Deletion protection is enabled")
        .unwrap();
    assert_eq!(error.range.as_ref().unwrap().start.line, 1);
}

#[tokio::test]
async fn a_vanished_object_is_planned_for_creation() {
    let (fake, config, state) = converged(THING_AND_CHILD).await;
    fake.objects
        .lock()
        .unwrap()
        .retain(|id, _| !id.starts_with("fake_child"));
    let plan = plan(&config, &state, &fake).await;
    assert_eq!(change(&plan, "fake_child.b").action, Action::Create);
    assert_eq!(change(&plan, "fake_thing.a").action, Action::NoOp);
}

#[tokio::test]
async fn a_cycle_is_reported_as_its_path() {
    let fake = FakeProvider::new();
    let cyclic = r#"
resource "fake_thing" "a" {
  name = fake_child.b.id
}

resource "fake_child" "b" {
  parent_id = fake_thing.a.id
}
"#;
    let diags = plan_error(&config(cyclic), &State::new(), &fake).await;
    let cycle = diags
        .iter()
        .find(|d| d.summary.starts_with("Cycle: "))
        .expect("a cycle");
    assert!(
        cycle.summary == "Cycle: fake_thing.a, fake_child.b, fake_thing.a"
            || cycle.summary == "Cycle: fake_child.b, fake_thing.a, fake_child.b",
        "{}",
        cycle.summary
    );
    assert!(cycle.range.is_some());
}

#[tokio::test]
async fn references_to_undeclared_objects_are_errors_with_ranges() {
    let fake = FakeProvider::new();
    let broken = "resource \"fake_child\" \"b\" {\n  parent_id = fake_thing.nope.id\n  label = var.missing\n}\n";
    let diags = plan_error(&config(broken), &State::new(), &fake).await;
    let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert!(
        summaries.contains(&"Reference to undeclared resource"),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&"Reference to undeclared input variable"),
        "{summaries:?}"
    );
    assert!(diags.iter().all(|d| {
        d.range
            .as_ref()
            .is_some_and(|r| r.start.line == 2 || r.start.line == 3)
    }));
}

#[tokio::test]
async fn outputs_are_planned_from_planned_values() {
    let fake = FakeProvider::new();
    let source = format!("{THING_AND_CHILD}\noutput \"id\" {{\n  value = fake_thing.a.id\n}}\n");
    let config = config(&source);
    let plan1 = plan(&config, &State::new(), &fake).await;
    assert_eq!(plan1.outputs.len(), 1);
    assert_eq!(plan1.outputs[0].action, Action::Create);
    assert_eq!(plan1.outputs[0].after, Value::Unknown);
    let state = converge(&config, &State::new(), &fake).await;
    assert_eq!(
        state.outputs["id"].value.to_json(),
        serde_json::json!("fake_thing-1")
    );
    assert!(plan(&config, &state, &fake).await.is_empty());
}

#[tokio::test]
async fn validate_reports_provider_complaints_at_the_block() {
    let fake = FakeProvider::new();
    let huge = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  size = \"huge\"\n}\n";
    let diags = super::super::validate(&config(huge), &providers(&fake)).await;
    let error = error_mentioning(&diags, "Invalid size", "with fake_thing.a, attribute size");
    assert!(error.range.is_some());
    let fine = super::super::validate(&config(THING_AND_CHILD), &providers(&fake)).await;
    assert!(!fine.has_errors(), "{fine}");
    assert!(!fake.events().contains(&"configure".to_string()));
}

#[tokio::test]
async fn validate_sees_count_and_each_as_unknown() {
    let fake = FakeProvider::new();
    let repeated = r#"
resource "fake_thing" "by_key" {
  for_each = toset(["a", "b"])
  name     = each.key
}

resource "fake_thing" "by_index" {
  count = 2
  name  = "n${count.index}"
}
"#;
    let diags = super::super::validate(&config(repeated), &providers(&fake)).await;
    assert!(!diags.has_errors(), "{diags}");
}

#[tokio::test]
async fn validate_fills_in_optional_attribute_defaults_of_variable_defaults() {
    let fake = FakeProvider::new();
    let source = "variable \"settings\" {\n\
                  type = object({ name = optional(string, \"x\"), n = optional(number) })\n\
                  default = {}\n}\n\
                  resource \"fake_thing\" \"a\" {\n  name = var.settings.name\n}\n\
                  output \"n\" {\n  value = var.settings.n\n}\n";
    let diags = super::super::validate(&config(source), &providers(&fake)).await;
    assert!(!diags.has_errors(), "{diags}");
    let typo = source.replace("var.settings.n\n", "var.settings.missing\n");
    let diags = super::super::validate(&config(&typo), &providers(&fake)).await;
    assert!(
        diags.iter().any(|d| d.summary == "Unsupported attribute"),
        "{diags}"
    );
}
