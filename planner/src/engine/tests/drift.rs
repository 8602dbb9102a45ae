//! Drift (objects changed or deleted outside) and data source reads that wait for apply.

use super::*;
use crate::plan::ActionReason;

fn drift_of<'p>(plan: &'p Plan, addr: &str) -> &'p crate::plan::ResourceChange {
    plan.drift
        .iter()
        .find(|c| c.addr.to_string() == addr)
        .expect("drift for the address")
}

#[tokio::test]
async fn refresh_records_changed_and_deleted_objects_as_drift() {
    let (fake, config, state) = converged(THING_AND_CHILD).await;
    {
        let mut objects = fake.objects.lock().unwrap();
        objects.retain(|id, _| !id.starts_with("fake_child"));
        for object in objects.values_mut() {
            *object = with_size(object, "large");
        }
    }
    let plan = plan(&config, &state, &fake).await;
    assert_eq!(plan.drift.len(), 2, "{:?}", plan.drift);
    let thing = drift_of(&plan, "fake_thing.a");
    assert_eq!(thing.action, Action::Update);
    assert_eq!(thing.prior.get_attr("size"), Some(&Value::string("small")));
    assert_eq!(
        thing.planned.get_attr("size"),
        Some(&Value::string("large"))
    );
    assert_eq!(drift_of(&plan, "fake_child.b").action, Action::Delete);
    // The configuration does not set the (computed) size, so the plan keeps the new one; the
    // deleted child is created again.
    assert_eq!(change(&plan, "fake_thing.a").action, Action::NoOp);
    assert_eq!(change(&plan, "fake_child.b").action, Action::Create);
}

#[tokio::test]
async fn a_refresh_only_plan_records_drift_without_actions() {
    let (fake, config, state) = converged(THING_AND_CHILD).await;
    let unchanged = plan_mode(&config, &state, &fake, PlanMode::RefreshOnly).await;
    assert!(unchanged.is_empty() && unchanged.drift.is_empty());

    fake.objects
        .lock()
        .unwrap()
        .retain(|id, _| !id.starts_with("fake_child"));
    let plan = plan_mode(&config, &state, &fake, PlanMode::RefreshOnly).await;
    assert!(
        !plan.is_empty(),
        "drift makes a refresh-only plan applyable"
    );
    assert!(plan.changes.iter().all(|c| c.action == Action::NoOp));
    let (state, diags) = apply(&config, &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let addresses: Vec<String> = state
        .instances
        .keys()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(addresses, vec!["fake_thing.a".to_string()]);
}

const LOOKUP_OF_THING: &str = r#"
resource "fake_thing" "a" {
  name = var.name
}

variable "name" {
  default = "a"
}

data "fake_lookup" "of_a" {
  name = fake_thing.a.name
}
"#;

#[tokio::test]
async fn a_data_source_waits_for_a_pending_change_of_what_it_refers_to() {
    let (fake, config, first) = planned_afresh(LOOKUP_OF_THING).await;
    assert_action(
        &first,
        "data.fake_lookup.of_a",
        Action::Read,
        Some(ActionReason::ReadBecauseDependencyPending),
    );
    let state = converge(&config, &State::new(), &fake).await;
    let again = plan(&config, &state, &fake).await;
    assert_eq!(change(&again, "data.fake_lookup.of_a").action, Action::NoOp);
}

fn with_size(object: &Value, size: &str) -> Value {
    let Value::Object(fields) = object else {
        return object.clone();
    };
    let mut fields = fields.clone();
    fields.insert("size".into(), Value::string(size));
    Value::Object(fields)
}

#[tokio::test]
async fn validate_checks_data_blocks_with_the_provider() {
    let fake = FakeProvider::new();
    let fine = super::super::validate(&config(LOOKUP_OF_THING), &providers(&fake)).await;
    assert!(!fine.has_errors(), "{fine}");
    let empty = "data \"fake_lookup\" \"x\" {\n  name = \"\"\n}\n";
    let diags = super::super::validate(&config(empty), &providers(&fake)).await;
    error_mentioning(&diags, "Invalid name", "data.fake_lookup.x");
    // A plan asks the provider too.
    let planned = plan_result(
        &config(empty),
        &State::new(),
        &fake,
        &options(PlanMode::Normal),
    )
    .await;
    assert!(planned.is_err());
}
