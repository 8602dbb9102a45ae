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

const GUARDED_TENANT: &str = r#"
variable "name" {}
variable "release" {}
variable "shared" {}

resource "fake_thing" "db" {
  name = "${var.name}-${var.release}"
  zone = var.shared

  lifecycle {
    postcondition {
      # A new object's id is known only once created, so only the apply can fail this.
      condition     = !(self.name == "c-bad" && self.id != "")
      error_message = "tenant c cannot run the bad release"
    }
  }
}

resource "fake_thing" "extra" {
  for_each = toset([])
  name     = each.key
}

output "name" {
  value = fake_thing.db.name
}

output "extras" {
  value = fake_thing.extra
}
"#;

#[tokio::test]
async fn a_failed_postcondition_fails_the_wave_that_applies_it() {
    let guarded = |release: &str, tenants: &str| {
        let root = FLEET_ROOT
            .replace("\"v1\"", &format!("\"{release}\""))
            .replace("[\"d\", \"c\", \"b\", \"a\"]", tenants);
        config_files(&[
            ("main.tf", &root),
            ("modules/tenant/main.tf", GUARDED_TENANT),
        ])
    };
    let fake = FakeProvider::new();
    let without_c = guarded("v1", "[\"d\", \"b\", \"a\"]");
    let state = converge(&without_c, &State::new(), &fake).await;
    // Tenant c is onboarded with the bad release, which the others get too.
    let config = guarded("bad", "[\"d\", \"c\", \"b\", \"a\"]");
    let plan = plan(&config, &state, &fake).await;
    let rollout = rollout_of(&plan, &config, "2,3,100%");
    let first = wave(&config, &state, &plan, &rollout, 0, &fake).await;
    assert!(!first.diags.has_errors(), "{}", first.diags);
    let second = wave(&config, &first.state, &plan, &rollout, 1, &fake).await;
    error_mentioning(
        &second.diags,
        "Resource postcondition failed",
        "tenant c cannot run the bad release",
    );
    assert_eq!(
        string_attr(&second.state, "module.tenant[\"d\"].fake_thing.db", "name"),
        Value::string("d-v1")
    );
}

#[tokio::test]
async fn a_nested_module_call_partitions_the_plan_by_its_instances() {
    let root = r#"
module "region" {
  source   = "./region"
  for_each = toset(["us", "eu"])
  region   = each.key
}
"#;
    let region = r#"
variable "region" {}

resource "fake_thing" "gateway" {
  name = "gw-${var.region}"
}

module "tenant" {
  source   = "./tenant"
  for_each = toset(["b", "a"])
  name     = "${var.region}-${each.key}"
}
"#;
    let tenant = "variable \"name\" {}\n\nresource \"fake_thing\" \"db\" {\n  name = var.name\n}\n";
    let config = config_files(&[
        ("main.tf", root),
        ("region/main.tf", region),
        ("region/tenant/main.tf", tenant),
    ]);
    let fake = FakeProvider::new();
    let plan = plan(&config, &State::new(), &fake).await;
    let partition = Partition::parse("module.region.module.tenant").unwrap();
    partition.check(&config).unwrap();
    let sizes = WaveSizes::parse("1,100%").unwrap();
    let rollout = Rollout::new(&plan, &config, partition, &sizes).unwrap();
    let order: Vec<Vec<String>> = rollout
        .waves
        .iter()
        .map(|w| {
            w.partitions
                .iter()
                .map(|p| crate::addrs::module_instance_string(p))
                .collect()
        })
        .collect();
    assert_eq!(
        order,
        [
            vec!["module.region[\"eu\"].module.tenant[\"a\"]"],
            vec![
                "module.region[\"eu\"].module.tenant[\"b\"]",
                "module.region[\"us\"].module.tenant[\"a\"]",
                "module.region[\"us\"].module.tenant[\"b\"]",
            ],
        ]
    );
    fake.events.lock().unwrap().clear();
    let mut state = State::new();
    let mut made = Vec::new();
    for index in 0..rollout.waves.len() {
        let outcome = wave(&config, &state, &plan, &rollout, index, &fake).await;
        assert!(!outcome.diags.has_errors(), "{}", outcome.diags);
        state = outcome.state;
        made.push(changes_made(&fake));
    }
    // The gateways sit outside the partitions: the first wave creates them.
    assert_eq!(
        made,
        [
            vec!["create eu-a", "create gw-eu", "create gw-us"],
            vec!["create eu-b", "create us-a", "create us-b"],
        ]
    );
    assert!(super::plan(&config, &state, &fake).await.is_empty());
}
