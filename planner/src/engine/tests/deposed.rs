//! Deposed objects: a create-before-destroy keeps the replaced object tracked until its
//! deletion is recorded, the next plan deletes what is left, and every step is durable.

use crate::addrs::InstanceAddr;
use crate::plan::json::plan_json;
use crate::plan::render::render_plan;
use crate::state::{MemoryStore, StateStore};

use super::*;

const CBD: &str = r#"
resource "fake_thing" "cbd" {
  name = "cbd"
  zone = "a"
  lifecycle {
    create_before_destroy = true
  }
}
"#;

/// The same block with a new name and a zone change, which forces the replacement.
fn replaced() -> Config {
    config(
        &CBD.replace("name = \"cbd\"", "name = \"cbd2\"")
            .replace("zone = \"a\"", "zone = \"b\""),
    )
}

fn cbd_addr() -> InstanceAddr {
    "fake_thing.cbd".parse().unwrap()
}

/// Records into a memory store, as the CLI records into the local store, and into the
/// fake's event log.
struct StoreRecorder {
    store: MemoryStore,
    log: Recorder,
}

impl ApplyRecorder for StoreRecorder {
    fn record(&self, addr: &InstanceAddr, instance: Option<&InstanceState>) -> Result<(), String> {
        self.log.record(addr, instance)?;
        self.store.record(addr, instance).map_err(|e| e.to_string())
    }

    fn record_deposed(&self, change: &DeposedChange) -> Result<(), String> {
        self.log.record_deposed(change)?;
        self.store.record_deposed(change).map_err(|e| e.to_string())
    }

    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), String> {
        self.log.record_move(from, to)?;
        self.store.record_move(from, to).map_err(|e| e.to_string())
    }
}

/// Applies with a recorder writing to a store that holds `state`; returns the applied state
/// and what the store holds afterwards.
async fn apply_to_store(
    config: &Config,
    state: &State,
    plan: &Plan,
    fake: &Arc<FakeProvider>,
) -> (State, Diagnostics, State) {
    let store = MemoryStore::with_state(state.clone());
    let recorder = StoreRecorder {
        store: store.clone(),
        log: Recorder::new(fake),
    };
    let applying = Applying {
        recorder: &recorder,
        cancel_on_start: None,
        runner: &crate::provisioners::RecordingRunner::default(),
    };
    let (applied, diags) = applying.apply(config, state, plan, fake).await;
    let stored = store.read().unwrap().unwrap();
    (applied, diags, stored)
}

/// A converged create-before-destroy block, and the plan replacing it with [`replaced`].
async fn replacement(fake: &Arc<FakeProvider>) -> (Config, State, Plan) {
    let state = converge(&config(CBD), &State::new(), fake).await;
    let config = replaced();
    let replacement = plan(&config, &state, fake).await;
    (config, state, replacement)
}

/// Applies `plan`, which deletes the old `cbd`, with a fresh event log, expecting success:
/// the old object is deleted before it is forgotten, and only `cbd2` stays. Returns the
/// state and what the store holds.
async fn apply_deleting_old_cbd(
    config: &Config,
    state: &State,
    plan: &Plan,
    fake: &Arc<FakeProvider>,
) -> (State, State) {
    fake.events.lock().unwrap().clear();
    let (state, diags, stored) = apply_to_store(config, state, plan, fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert_in_order(
        &fake.events(),
        &["delete cbd", "forget deposed fake_thing.cbd"],
    );
    assert_eq!(objects_of(&state), (vec!["cbd2".to_string()], vec![]));
    (state, stored)
}

/// The replaced configuration and the state a replacement whose delete failed leaves: the
/// old object deposed.
async fn left_deposed(fake: &Arc<FakeProvider>) -> (Config, State) {
    let (config, state, replacement) = replacement(fake).await;
    fake.fail_apply.lock().unwrap().insert("cbd".into());
    let (state, _, _) = apply_to_store(&config, &state, &replacement, fake).await;
    fake.fail_apply.lock().unwrap().clear();
    (config, state)
}

/// The planned changes of deposed objects.
fn deposed_changes(plan: &Plan) -> Vec<&crate::plan::ResourceChange> {
    plan.changes
        .iter()
        .filter(|c| c.deposed.is_some())
        .collect()
}

fn objects_of(state: &State) -> (Vec<String>, Vec<String>) {
    let name = |object: &InstanceState| {
        object.attributes.to_json()["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (
        state.instances.values().map(name).collect(),
        state.deposed.values().map(name).collect(),
    )
}

#[tokio::test]
async fn a_failed_delete_leaves_the_old_object_deposed_and_the_next_plan_deletes_it() {
    let fake = FakeProvider::new();
    let (config, state, replacement) = replacement(&fake).await;
    assert_eq!(
        change(&replacement, "fake_thing.cbd").action,
        Action::CreateThenDelete
    );
    fake.fail_apply.lock().unwrap().insert("cbd".into());
    fake.events.lock().unwrap().clear();

    let (state, diags, stored) = apply_to_store(&config, &state, &replacement, &fake).await;
    let error = diags.iter().find(|d| d.summary == "Backend failure");
    assert!(error.is_some(), "{diags}");
    let events = fake.events();
    assert_in_order(&events, &["depose fake_thing.cbd", "create cbd2"]);
    assert_in_order(&events, &["record fake_thing.cbd", "delete cbd"]);
    assert_eq!(
        objects_of(&state),
        (vec!["cbd2".to_string()], vec!["cbd".to_string()])
    );
    assert_eq!(
        (&stored.instances, &stored.deposed),
        (&state.instances, &state.deposed),
        "every step was recorded"
    );
    let (addr, key) = state.deposed.keys().next().unwrap();
    assert_eq!(addr, &cbd_addr());
    assert!(
        key.len() == 8 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );

    // The next plan deletes the deposed object and leaves the new one alone.
    fake.fail_apply.lock().unwrap().clear();
    let next = plan(&config, &state, &fake).await;
    let deposed = deposed_changes(&next);
    assert_eq!(deposed.len(), 1);
    assert_eq!(deposed[0].deposed.as_deref(), Some(key.as_str()));
    assert_eq!(
        (deposed[0].action, deposed[0].action_reason),
        (Action::Delete, None)
    );
    assert_eq!(change(&next, "fake_thing.cbd").action, Action::NoOp);
    let text = render_plan(&next, &Default::default(), false);
    assert!(
        text.contains(&format!(
            "# fake_thing.cbd (deposed object {key}) will be destroyed"
        )),
        "{text}"
    );
    assert!(
        text.contains("0 to add, 0 to change, 1 to destroy"),
        "{text}"
    );
    let json = plan_json(
        "test",
        &next,
        serde_json::json!({}),
        &[],
        std::iter::empty(),
    );
    let entry = &json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c.get("deposed").is_some())
        .unwrap();
    assert_eq!(entry["deposed"], serde_json::json!(key));
    assert_eq!(entry["change"]["actions"], serde_json::json!(["delete"]));
    assert!(entry.get("action_reason").is_none());

    let (state, stored) = apply_deleting_old_cbd(&config, &state, &next, &fake).await;
    assert!(stored.deposed.is_empty());
    assert_eq!(fake.object_names(), vec!["cbd2"]);
    assert!(plan(&config, &state, &fake).await.is_empty());
}

#[tokio::test]
async fn a_successful_replacement_leaves_nothing_deposed() {
    let fake = FakeProvider::new();
    let (config, state, replacement) = replacement(&fake).await;
    let (_, stored) = apply_deleting_old_cbd(&config, &state, &replacement, &fake).await;
    assert_eq!(objects_of(&stored), (vec!["cbd2".to_string()], vec![]));
    assert_eq!(fake.object_names(), vec!["cbd2"]);
}

#[tokio::test]
async fn a_create_that_produced_nothing_restores_the_deposed_object() {
    let fake = FakeProvider::new();
    let (config, state, replacement) = replacement(&fake).await;
    fake.fail_apply.lock().unwrap().insert("cbd2".into());
    fake.events.lock().unwrap().clear();
    let (state, diags, stored) = apply_to_store(&config, &state, &replacement, &fake).await;
    assert!(diags.has_errors());
    let events = fake.events();
    assert_in_order(
        &events,
        &[
            "depose fake_thing.cbd",
            "create cbd2",
            "restore fake_thing.cbd",
        ],
    );
    assert!(!events.contains(&"delete cbd".to_string()), "{events:?}");
    assert_eq!(objects_of(&state), (vec!["cbd".to_string()], vec![]));
    assert_eq!(objects_of(&stored), (vec!["cbd".to_string()], vec![]));
}

#[tokio::test]
async fn destroy_and_refresh_only_plans_cover_deposed_objects() {
    let fake = FakeProvider::new();
    let (config, state) = left_deposed(&fake).await;

    let refresh_only = plan_mode(&config, &state, &fake, PlanMode::RefreshOnly).await;
    assert!(
        refresh_only
            .changes
            .iter()
            .all(|c| c.action == Action::NoOp)
    );

    let destroy = plan_mode(&config, &state, &fake, PlanMode::Destroy).await;
    let actions: Vec<_> = destroy
        .changes
        .iter()
        .map(|c| (c.deposed.is_some(), c.action))
        .collect();
    assert_eq!(
        actions,
        vec![(false, Action::Delete), (true, Action::Delete)]
    );
    let (state, diags, stored) = apply_to_store(&config, &state, &destroy, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert!(state.instances.is_empty() && state.deposed.is_empty());
    assert!(stored.instances.is_empty() && stored.deposed.is_empty());
    assert!(fake.object_names().is_empty());
}

#[tokio::test]
async fn a_deposed_object_found_gone_is_forgotten() {
    let fake = FakeProvider::new();
    let (config, state) = left_deposed(&fake).await;
    // Someone deleted the old object by hand.
    fake.objects
        .lock()
        .unwrap()
        .retain(|_, object| object.get_attr("name") != Some(&Value::string("cbd")));

    let next = plan(&config, &state, &fake).await;
    let deposed = deposed_changes(&next);
    assert_eq!(deposed.len(), 1);
    assert_eq!(deposed[0].action, Action::NoOp);
    fake.events.lock().unwrap().clear();
    let (state, diags, stored) = apply_to_store(&config, &state, &next, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert!(!fake.events().contains(&"delete cbd".to_string()));
    assert!(state.deposed.is_empty() && stored.deposed.is_empty());
}
