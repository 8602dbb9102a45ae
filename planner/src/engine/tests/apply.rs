//! Applying: ordering, recording, failures, cancellation, destroy and import.

use std::time::Duration;

use tenantform_proto::value::Value;

use super::*;
use crate::plan::ActionReason;

#[tokio::test]
async fn each_instance_is_recorded_before_its_dependents_start() {
    let (fake, config, plan) = planned_afresh(THING_AND_CHILD).await;
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let events = fake.events();
    assert_in_order(&events, &["create a", "record fake_thing.a", "create b"]);
    // The unknown parent id was resolved at apply time.
    assert_eq!(
        string_attr(&state, "fake_child.b", "parent_id"),
        Value::string("fake_thing-1")
    );
    let child = &state.instances[&"fake_child.b".parse().unwrap()];
    assert_eq!(child.dependencies, vec!["fake_thing.a".to_string()]);
    assert_eq!(child.provider, "registry.terraform.io/test/fake");
    assert_eq!(
        child.sensitive_attributes,
        crate::state::StoredJson::from_json(
            &serde_json::json!([[{"type": "get_attr", "value": "secret"}]])
        )
    );
}

#[tokio::test]
async fn a_failure_skips_only_its_dependents() {
    let fake = FakeProvider::new();
    fake.fail_apply.lock().unwrap().insert("a".into());
    let source =
        format!("{THING_AND_CHILD}\nresource \"fake_thing\" \"c\" {{\n  name = \"c\"\n}}\n");
    let config = config(&source);
    let plan = plan(&config, &State::new(), &fake).await;
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    let error = error_mentioning(&diags, "Backend failure", "with fake_thing.a");
    assert!(error.range.is_some());
    let events = fake.events();
    assert!(events.contains(&"create c".to_string()), "{events:?}");
    assert!(!events.contains(&"create b".to_string()), "{events:?}");
    let addrs: Vec<String> = state.instances.keys().map(ToString::to_string).collect();
    assert_eq!(addrs, vec!["fake_thing.c"]);
}

#[tokio::test]
async fn cancelling_finishes_and_records_in_flight_work_and_starts_nothing_new() {
    let fake = FakeProvider::new();
    fake.apply_delay
        .lock()
        .unwrap()
        .insert("a".into(), Duration::from_millis(50));
    let config = config(THING_AND_CHILD);
    let plan = plan(&config, &State::new(), &fake).await;
    let recorder = Recorder::new(&fake);
    let (state, diags) = cancelled_on_start(&recorder, "fake_thing.a", &config, &plan, &fake).await;
    assert!(
        diags.iter().any(|d| d.summary == "Apply interrupted"),
        "{diags}"
    );
    let events = fake.events();
    assert!(
        events.contains(&"record fake_thing.a".to_string()),
        "{events:?}"
    );
    assert!(!events.contains(&"create b".to_string()), "{events:?}");
    assert_eq!(state.instances.len(), 1);
    assert_eq!(recorder.recorded.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn cancelling_inside_one_block_leaves_its_remaining_instances_alone() {
    let fake = FakeProvider::new();
    let config = config(
        r#"
resource "fake_thing" "many" {
  count = 40
  name  = "n${count.index}"
}
"#,
    );
    let plan = plan(&config, &State::new(), &fake).await;
    let recorder = Recorder::new(&fake);
    let (state, diags) =
        cancelled_on_start(&recorder, "fake_thing.many[0]", &config, &plan, &fake).await;
    let interrupted = diags
        .iter()
        .find(|d| d.summary == "Apply interrupted")
        .unwrap_or_else(|| panic!("no interruption reported: {diags}"));
    let created = fake
        .events()
        .iter()
        .filter(|e| e.starts_with("create "))
        .count();
    // Instances already started when the switch flipped finish; the rest never start.
    assert!((1..40).contains(&created), "{created} of 40 created");
    assert_eq!(state.instances.len(), created);
    assert_eq!(recorder.recorded.lock().unwrap().len(), created);
    let left = (40 - created).to_string();
    assert!(interrupted.detail.contains(&left), "{}", interrupted.detail);
}

#[tokio::test]
async fn destroy_deletes_dependents_first() {
    let (fake, config, state) = converged(THING_AND_CHILD).await;
    let plan = plan_mode(&config, &state, &fake, PlanMode::Destroy).await;
    assert!(plan.changes.iter().all(|c| c.action == Action::Delete));
    let (state, diags) = apply(&config, &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let events = fake.events();
    assert_in_order(&events, &["delete b", "delete a"]);
    assert_in_order(&events, &["forget fake_child.b", "delete a"]);
    assert!(state.instances.is_empty());
    assert!(fake.object_names().is_empty());
}

#[tokio::test]
async fn a_replacement_deletes_before_it_creates() {
    let (fake, _, state) = converged(THING_AND_CHILD).await;
    let moved = config(&THING_AND_CHILD.replace("name = \"a\"", "name = \"a\"\n  zone = \"eu\""));
    let plan = plan(&moved, &state, &fake).await;
    assert_eq!(
        change(&plan, "fake_thing.a").action_reason,
        Some(ActionReason::ReplaceBecauseCannotUpdate)
    );
    fake.events.lock().unwrap().clear();
    let (state, diags) = apply(&moved, &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let events = fake.events();
    assert_in_order(&events, &["delete a", "create a", "update b"]);
    assert_eq!(
        string_attr(&state, "fake_child.b", "parent_id"),
        string_attr(&state, "fake_thing.a", "id")
    );
    assert!(plan_is_empty(&moved, &state, &fake).await);
}

#[tokio::test]
async fn orphans_are_deleted_and_forgotten() {
    let (fake, _, state) = converged(THING_AND_CHILD).await;
    let only_thing = config("resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n");
    let state = converge(&only_thing, &state, &fake).await;
    assert_eq!(state.instances.len(), 1);
    assert_eq!(fake.object_names(), vec!["a"]);
    assert!(plan_is_empty(&only_thing, &state, &fake).await);
}

#[tokio::test]
async fn import_adopts_an_existing_object() {
    let fake = FakeProvider::new();
    existing(&fake, "x-1", "a");
    let config = config("resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n");
    let addr: InstanceAddr = "fake_thing.a".parse().unwrap();
    let providers = providers(&fake);
    let state = super::super::import(&config, &State::new(), &providers, &addr, "x-1")
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        string_attr(&state, "fake_thing.a", "id"),
        Value::string("x-1")
    );
    assert!(plan_is_empty(&config, &state, &fake).await);
    // Neither twice nor to an address the configuration lacks.
    let again = super::super::import(&config, &state, &providers, &addr, "x-1").await;
    assert!(again.is_err());
    let elsewhere: InstanceAddr = "fake_thing.z".parse().unwrap();
    let missing = super::super::import(&config, &State::new(), &providers, &elsewhere, "x-1").await;
    assert_eq!(
        missing.err().unwrap().iter().next().unwrap().summary,
        "Configuration for import target does not exist"
    );
}

async fn plan_is_empty(config: &Config, state: &State, fake: &Arc<FakeProvider>) -> bool {
    let plan = plan(config, state, fake).await;
    plan.is_empty() && !plan.changes.iter().any(|c| c.action != Action::NoOp)
}

#[tokio::test]
async fn attributes_the_configuration_makes_sensitive_stay_sensitive_in_state() {
    let source = with_sensitive_variable(
        "size",
        "large",
        r#"
resource "fake_thing" "a" {
  name = "a"
  size = var.size
}
"#,
    );
    let (fake, _, state) = converged(&source).await;
    let stored = &state.instances[&"fake_thing.a".parse().unwrap()];
    let paths = crate::state::sensitive::decode_stored(&stored.sensitive_attributes);
    assert!(
        paths.contains(&tenantform_proto::value::AttributePath::attr("size")),
        "{paths:?}"
    );
    // A destroy plan keeps what the state recorded, though the configuration is gone.
    let destroy = plan(&config(""), &state, &fake).await;
    let change = change(&destroy, "fake_thing.a");
    assert!(
        change
            .sensitive_paths
            .contains(&tenantform_proto::value::AttributePath::attr("size")),
        "{:?}",
        change.sensitive_paths
    );
}

#[tokio::test]
async fn plantimestamp_keeps_the_plan_time_while_applying() {
    let fake = FakeProvider::new();
    let config = config(
        "resource \"fake_thing\" \"a\" {\n  name = plantimestamp()\n}\n\
         output \"planned_at\" {\n  value = plantimestamp()\n}\n",
    );
    let plan = plan(&config, &State::new(), &fake).await;
    assert!(!plan.timestamp.is_empty());
    let planned = change(&plan, "fake_thing.a")
        .planned
        .get_attr("name")
        .cloned();
    assert_eq!(planned, Some(Value::string(&plan.timestamp)));
    // Timestamps have whole seconds: apply in a later second than the plan.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(
        string_attr(&state, "fake_thing.a", "name"),
        Value::string(&plan.timestamp)
    );
    assert_eq!(
        state.outputs["planned_at"].value.to_json(),
        serde_json::json!(plan.timestamp)
    );
}

/// Applies `plan` from an empty state, cancelling when `addr` starts.
async fn cancelled_on_start(
    recorder: &Recorder,
    addr: &str,
    config: &Config,
    plan: &Plan,
    fake: &Arc<FakeProvider>,
) -> (State, Diagnostics) {
    let applying = Applying {
        recorder,
        cancel_on_start: Some(addr),
        runner: &crate::provisioners::RecordingRunner::default(),
    };
    applying.apply(config, &State::new(), plan, fake).await
}
