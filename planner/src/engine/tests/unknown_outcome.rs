//! Applying when the provider does not answer `ApplyResourceChange` in time: the instance is
//! kept in the state, tainted, and the next plan reads it again and replaces it.

use tenantform_proto::value::Value;

use super::*;
use crate::plan::ActionReason;

const ONE_THING: &str = r#"
resource "fake_thing" "a" {
  name = "a"
}
"#;

fn timing_out(name: &str) -> Arc<FakeProvider> {
    let fake = FakeProvider::new();
    fake.time_out_apply.lock().unwrap().insert(name.into());
    fake
}

#[tokio::test]
async fn a_timed_out_create_keeps_what_the_plan_knew_tainted() {
    let fake = timing_out("a");
    let config = config(ONE_THING);
    let plan = plan(&config, &State::new(), &fake).await;
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    let error = error_mentioning(&diags, "Provider failure for fake_thing.a", "within 3s");
    assert!(error.detail.contains("ApplyResourceChange"), "{diags}");
    assert!(
        diags
            .iter()
            .any(|d| d.summary == "The outcome of applying fake_thing.a is unknown"),
        "{diags}"
    );
    let kept = &state.instances[&"fake_thing.a".parse().unwrap()];
    assert!(kept.tainted, "{kept:?}");
    assert_eq!(kept.attributes.to_json()["name"], serde_json::json!("a"));
    assert_eq!(kept.attributes.to_json()["id"], serde_json::Value::Null);

    // The next plan reads the object again and replaces it.
    fake.time_out_apply.lock().unwrap().clear();
    let next = plan_with(&config, &state, &fake, &options(PlanMode::Normal)).await;
    assert!(fake.events().contains(&"read a".to_string()));
    assert_eq!(
        actions(&next),
        vec![("fake_thing.a".to_string(), Action::Create)]
    );
}

#[tokio::test]
async fn a_timed_out_update_keeps_the_prior_object_tainted() {
    let fake = FakeProvider::new();
    let config = config(ONE_THING);
    let created = plan(&config, &State::new(), &fake).await;
    let (state, diags) = apply(&config, &State::new(), &created, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let prior = state.instances[&"fake_thing.a".parse().unwrap()].clone();

    let changed = self::config(&ONE_THING.replace("name = \"a\"", "name = \"a2\""));
    let update = plan(&changed, &state, &fake).await;
    assert_action(&update, "fake_thing.a", Action::Update, None);
    fake.time_out_apply.lock().unwrap().insert("a2".into());
    let (after, diags) = apply(&changed, &state, &update, &fake).await;
    error_mentioning(
        &diags,
        "Provider failure for fake_thing.a",
        "-provider-timeout",
    );
    let kept = &after.instances[&"fake_thing.a".parse().unwrap()];
    assert!(kept.tainted, "{kept:?}");
    assert_eq!(
        kept.attributes, prior.attributes,
        "the prior object is kept"
    );

    fake.time_out_apply.lock().unwrap().clear();
    let next = plan_with(&changed, &after, &fake, &options(PlanMode::Normal)).await;
    let replace = assert_action(
        &next,
        "fake_thing.a",
        Action::DeleteThenCreate,
        Some(ActionReason::ReplaceBecauseTainted),
    );
    // The refresh read the object as the timed-out update left it.
    assert_eq!(replace.prior.get_attr("name"), Some(&Value::string("a2")));
}
