//! Canary waves: a plan applied wave by wave, each wave a part of the plan applied against
//! the state the waves before it left, ends as the whole plan applied at once does; a
//! failed `check` in an applied partition is the wave's verdict.

use super::expansion::config_files;
use super::*;
use crate::engine::waves::{Partition, Rollout, WaveOutcome, WaveSizes, apply_wave};

const FLEET_ROOT: &str = r#"
variable "release" {
  default = "v1"
}

resource "fake_thing" "shared" {
  name = "shared"
}

module "tenant" {
  source   = "./modules/tenant"
  for_each = toset(["d", "c", "b", "a"])
  name     = each.key
  release  = var.release
  shared   = fake_thing.shared.id
}

output "names" {
  value = { for k, t in module.tenant : k => t.name }
}

output "extras" {
  value = { for k, t in module.tenant : k => t.extras }
}
"#;

const FLEET_TENANT: &str = r#"
variable "name" {}
variable "release" {}
variable "shared" {}

resource "fake_thing" "db" {
  name = "${var.name}-${var.release}"
  zone = var.shared
}

resource "fake_thing" "extra" {
  for_each = toset([])
  name     = each.key
}

check "release" {
  assert {
    condition     = fake_thing.db.name != "c-bad"
    error_message = "tenant c cannot run the bad release"
  }
}

output "name" {
  value = fake_thing.db.name
}

output "extras" {
  value = fake_thing.extra
}
"#;

fn fleet(release: &str) -> Config {
    let root = FLEET_ROOT.replace("\"v1\"", &format!("\"{release}\""));
    config_files(&[("main.tf", &root), ("modules/tenant/main.tf", FLEET_TENANT)])
}

fn rollout_of(plan: &Plan, config: &Config, sizes: &str) -> Rollout {
    let partition = Partition::parse("module.tenant").unwrap();
    partition.check(config).unwrap();
    Rollout::new(plan, config, partition, &WaveSizes::parse(sizes).unwrap()).unwrap()
}

/// Applies wave `index`, recording into `recorder`.
async fn wave(
    config: &Config,
    state: &State,
    plan: &Plan,
    rollout: &Rollout,
    index: usize,
    fake: &Arc<FakeProvider>,
) -> WaveOutcome {
    let recorder = Recorder::new(fake);
    let (_cancel, cancel) = tokio::sync::watch::channel(false);
    let hooks = Hooks {
        cancel_on_start: None,
    };
    let options = ApplyOptions {
        parallelism: 4,
        recorder: &recorder,
        hooks: &hooks,
        provisioners: &crate::provisioners::RecordingRunner::default(),
        cancel,
    };
    apply_wave(
        config,
        state,
        plan,
        rollout,
        index,
        &providers(fake),
        options,
    )
    .await
}

/// The provider's create and update events since the last call, sorted.
fn changes_made(fake: &FakeProvider) -> Vec<String> {
    let mut made: Vec<String> = fake
        .events
        .lock()
        .unwrap()
        .drain(..)
        .filter(|e| e.starts_with("create ") || e.starts_with("update "))
        .collect();
    made.sort();
    made
}

#[tokio::test]
async fn waves_apply_their_partitions_in_order_and_end_as_one_apply_does() {
    let fake = FakeProvider::new();
    let config = fleet("v1");
    let plan = plan(&config, &State::new(), &fake).await;
    let rollout = rollout_of(&plan, &config, "1,50%,100%");
    fake.events.lock().unwrap().clear();
    let mut state = State::new();
    let mut made = Vec::new();
    for index in 0..rollout.waves.len() {
        let outcome = wave(&config, &state, &plan, &rollout, index, &fake).await;
        assert!(!outcome.diags.has_errors(), "{}", outcome.diags);
        assert!(
            outcome.failed_checks.is_empty(),
            "{:?}",
            outcome.failed_checks
        );
        assert!(
            !outcome
                .diags
                .iter()
                .any(|d| d.summary.contains("incomplete")),
            "a wave does not warn about targeting: {}",
            outcome.diags
        );
        state = outcome.state;
        made.push(changes_made(&fake));
        if index + 1 < rollout.waves.len() {
            assert!(state.outputs.is_empty(), "outputs wait for the last wave");
        }
    }
    // The shared object goes with the first wave; tenants in key order, 1, 2, then 4.
    assert_eq!(
        made,
        [
            vec!["create a-v1", "create shared"],
            vec!["create b-v1"],
            vec!["create c-v1", "create d-v1"],
        ]
    );
    // The same state as one apply of the whole plan, outputs included (an empty for_each
    // resource is an empty map, not a value left unknown), and nothing left to do.
    let whole = converge(&config, &State::new(), &FakeProvider::new()).await;
    assert_eq!(state.outputs, whole.outputs);
    assert_eq!(
        state.instances.keys().collect::<Vec<_>>(),
        whole.instances.keys().collect::<Vec<_>>()
    );
    let again = super::plan(&config, &state, &fake).await;
    assert!(again.is_empty(), "{:?}", actions(&again));
}

#[tokio::test]
async fn a_failed_check_in_an_applied_partition_is_the_waves_verdict() {
    let fake = FakeProvider::new();
    let state = converge(&fleet("v1"), &State::new(), &fake).await;
    // "c-bad" fails tenant c's check: a release named "bad" for every tenant.
    let config = fleet("bad");
    let plan = plan(&config, &state, &fake).await;
    let rollout = rollout_of(&plan, &config, "2,3,100%");
    let first = wave(&config, &state, &plan, &rollout, 0, &fake).await;
    assert!(first.failed_checks.is_empty(), "{:?}", first.failed_checks);
    let second = wave(&config, &first.state, &plan, &rollout, 1, &fake).await;
    assert!(!second.diags.has_errors(), "{}", second.diags);
    assert_eq!(
        second.failed_checks,
        ["module.tenant[\"c\"].check.release: tenant c cannot run the bad release"]
    );
    // Tenant d, in the third wave, is untouched.
    assert_eq!(
        string_attr(&second.state, "module.tenant[\"d\"].fake_thing.db", "name"),
        Value::string("d-v1")
    );
    assert_eq!(
        string_attr(&second.state, "module.tenant[\"c\"].fake_thing.db", "name"),
        Value::string("c-bad")
    );
}
