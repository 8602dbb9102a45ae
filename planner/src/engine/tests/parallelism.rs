//! `-parallelism` bounds a whole apply, as Terraform's walker does: a module fleet with
//! `count` inside runs no more provider calls at once than the flag says, although the walk,
//! the module instances and the instances of each block are each planned and applied
//! concurrently.

use std::time::Duration;

use super::expansion::config_files;
use super::*;
use crate::engine::ApplyOptions;

const FLEET: &str = r#"
module "tenant" {
  source   = "./modules/tenant"
  for_each = toset(["a", "b", "c", "d", "e", "f"])
  name     = each.key
}
"#;

const TENANT: &str = r#"
variable "name" {
  type = string
}

resource "fake_thing" "db" {
  count = 3
  name  = "${var.name}-${count.index}"
}
"#;

/// Applies the fleet with every create taking a while; returns the most creates that ran
/// at once.
async fn most_concurrent_creates(parallelism: usize, limited: bool) -> usize {
    let fake = FakeProvider::new();
    for tenant in ["a", "b", "c", "d", "e", "f"] {
        for index in 0..3 {
            let name = format!("{tenant}-{index}");
            let delay = Duration::from_millis(15);
            fake.apply_delay.lock().unwrap().insert(name, delay);
        }
    }
    let config = config_files(&[("main.tf", FLEET), ("modules/tenant/main.tf", TENANT)]);
    let plan = plan(&config, &State::new(), &fake).await;
    let mut providers = providers(&fake);
    if limited {
        providers.limit_calls(parallelism);
    }
    let recorder = Recorder::new(&fake);
    let hooks = Hooks {
        cancel_on_start: None,
    };
    let (_sender, cancel) = tokio::sync::watch::channel(false);
    let options = ApplyOptions {
        parallelism,
        recorder: &recorder,
        hooks: &hooks,
        provisioners: &crate::provisioners::RecordingRunner::default(),
        cancel,
    };
    let (state, diags) =
        crate::engine::apply(&config, &State::new(), &plan, &providers, options).await;
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(state.instances.len(), 18);
    fake.most_concurrent_applies()
}

#[tokio::test]
async fn parallelism_bounds_the_provider_calls_of_a_whole_fleet() {
    assert_eq!(most_concurrent_creates(2, true).await, 2);
    assert_eq!(most_concurrent_creates(1, true).await, 1);
}

#[tokio::test]
async fn the_walk_alone_runs_more_calls_than_the_flag_says() {
    let unbounded = most_concurrent_creates(2, false).await;
    assert!(
        unbounded > 2,
        "module instances and count instances each run two at a time: {unbounded}"
    );
}
