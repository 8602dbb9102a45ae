//! `-sweep=K/N`: a refresh-only plan reads again only the instances of its slice.

use std::collections::BTreeSet;

use super::expansion::config_files;
use super::*;
use crate::engine::sweep::{Sweep, slice_of};

const FLEET_ROOT: &str = r#"
module "tenant" {
  source   = "./modules/tenant"
  for_each = toset(["acme", "globex", "umbrella", "initech"])
  name     = each.key
}

resource "fake_thing" "shared" {
  name = "shared"
}
"#;

const FLEET_TENANT: &str = r#"
variable "name" {}

resource "fake_thing" "db" {
  name = "${var.name}-db"
}

data "fake_lookup" "of" {
  name = "${var.name}-lookup"
}
"#;

fn with_size_large(object: &Value) -> Value {
    let Value::Object(fields) = object else {
        panic!("a fake object is an object: {object:?}");
    };
    let mut fields = fields.clone();
    fields.insert("size".into(), Value::string("large"));
    Value::Object(fields)
}

const TENANTS: [&str; 4] = ["acme", "globex", "umbrella", "initech"];

fn sweep_options(sweep: Option<Sweep>) -> PlanOptions {
    PlanOptions {
        show_only: false,
        sweep,
        ..options(PlanMode::RefreshOnly)
    }
}

fn drift_addresses(plan: &Plan) -> BTreeSet<String> {
    plan.drift
        .iter()
        .filter(|d| d.action != Action::NoOp)
        .map(|d| d.addr.to_string())
        .collect()
}

/// The provider reads a plan made: `read NAME` and `read data NAME` events.
fn reads(fake: &FakeProvider) -> BTreeSet<String> {
    fake.events()
        .into_iter()
        .filter(|e| e.starts_with("read "))
        .collect()
}

#[tokio::test]
async fn a_sweep_reads_only_its_slice_and_the_slices_add_up_to_a_full_refresh() {
    let fake = FakeProvider::new();
    let config = config_files(&[
        ("main.tf", FLEET_ROOT),
        ("modules/tenant/main.tf", FLEET_TENANT),
    ]);
    let state = converge(&config, &State::new(), &fake).await;
    // Every object drifts: only what a sweep reads can show it.
    for object in fake.objects.lock().unwrap().values_mut() {
        *object = with_size_large(object);
    }
    fake.events.lock().unwrap().clear();
    let full = plan_with(&config, &state, &fake, &sweep_options(None)).await;
    let full_drift = drift_addresses(&full);
    assert_eq!(full_drift.len(), 5, "{full_drift:?}");

    let mut union = BTreeSet::new();
    for k in 1..=3 {
        fake.events.lock().unwrap().clear();
        let sweep = Sweep::parse(&format!("{k}/3")).unwrap();
        let plan = plan_with(&config, &state, &fake, &sweep_options(Some(sweep))).await;
        let mut expected_reads = BTreeSet::new();
        let mut expected_drift = BTreeSet::new();
        for tenant in TENANTS.iter().filter(|t| slice_of(t, 3) == k) {
            expected_reads.insert(format!("read {tenant}-db"));
            expected_reads.insert(format!("read data {tenant}-lookup"));
            expected_drift.insert(format!("module.tenant[\"{tenant}\"].fake_thing.db"));
        }
        if slice_of("fake_thing.shared", 3) == k {
            expected_reads.insert("read shared".to_string());
            expected_drift.insert("fake_thing.shared".to_string());
        }
        assert_eq!(reads(&fake), expected_reads, "slice {k}/3");
        assert_eq!(drift_addresses(&plan), expected_drift, "slice {k}/3");
        // Outside the slice: the stored object, unchanged.
        for change in &plan.changes {
            assert_eq!(change.action, Action::NoOp, "{}", change.addr);
        }
        union.extend(expected_drift);
    }
    assert_eq!(union, full_drift);
    // The fleet spreads over more than one slice, so the test shows something.
    let slices: BTreeSet<u64> = TENANTS.iter().map(|t| slice_of(t, 3)).collect();
    assert_eq!(slices.len(), 3, "{slices:?}");
}

#[tokio::test]
async fn a_sweep_of_one_slice_is_a_full_refresh_only_plan() {
    let fake = FakeProvider::new();
    let config = config_files(&[
        ("main.tf", FLEET_ROOT),
        ("modules/tenant/main.tf", FLEET_TENANT),
    ]);
    let state = converge(&config, &State::new(), &fake).await;
    fake.objects
        .lock()
        .unwrap()
        .retain(|_, object| object.get_attr("name") != Some(&Value::string("globex-db")));
    fake.events.lock().unwrap().clear();
    let full = plan_with(&config, &state, &fake, &sweep_options(None)).await;
    let full_reads = reads(&fake);
    fake.events.lock().unwrap().clear();
    let one = Sweep::parse("1/1").unwrap();
    let swept = plan_with(&config, &state, &fake, &sweep_options(Some(one))).await;
    assert_eq!(reads(&fake), full_reads);
    assert_eq!(full_reads.len(), 9, "{full_reads:?}");
    assert_eq!(drift_addresses(&swept), drift_addresses(&full));
    assert_eq!(
        drift_addresses(&swept),
        BTreeSet::from(["module.tenant[\"globex\"].fake_thing.db".to_string()])
    );
}
