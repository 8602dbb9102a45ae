use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::addrs::module_instance_string;
use crate::test_support::resource_change;
use tenantform_proto::value::Value;

const ROOT: &str = r#"
resource "tenant" "shared" {
  slug = "shared"
}

module "tenant" {
  source   = "./tenant"
  for_each = toset(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"])
  shared   = tenant.shared.id
}

resource "tenant" "registry" {
  slug = join(",", [for t in module.tenant : t.id])
}

resource "tenant" "lone" {
  slug = "lone"
}
"#;

const TENANT: &str = r#"
variable "shared" {}

resource "tenant" "this" {
  slug = var.shared
}

output "id" {
  value = tenant.this.id
}
"#;

fn fleet() -> Config {
    let files: BTreeMap<String, String> = [("main.tf", ROOT), ("tenant/main.tf", TENANT)]
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    crate::config::load_sources(Path::new("."), files).unwrap()
}

fn change(addr: &str, action: Action) -> ResourceChange {
    let (prior, planned) = match action {
        Action::Create => (Value::Null, Value::string("new")),
        Action::Delete => (Value::string("old"), Value::Null),
        _ => (Value::string("old"), Value::string("new")),
    };
    resource_change(addr, action, prior, planned)
}

fn tenant(key: &str, action: Action) -> ResourceChange {
    change(&format!("module.tenant[\"{key}\"].tenant.this"), action)
}

fn plan_of(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        ..Plan::default()
    }
}

fn rollout(plan: &Plan, sizes: &str) -> Result<Rollout, String> {
    Rollout::new(
        plan,
        &fleet(),
        Partition::parse("module.tenant").unwrap(),
        &WaveSizes::parse(sizes).unwrap(),
    )
}

/// Each wave's partitions, as `a`, `b`, ...
fn keys(rollout: &Rollout) -> Vec<Vec<String>> {
    rollout
        .waves
        .iter()
        .map(|wave| {
            wave.partitions
                .iter()
                .map(|p| {
                    module_instance_string(p)
                        .trim_start_matches("module.tenant[\"")
                        .trim_end_matches("\"]")
                        .to_string()
                })
                .collect()
        })
        .collect()
}

/// The addresses each wave's plan changes.
fn wave_addresses(rollout: &Rollout, plan: &Plan) -> Vec<Vec<String>> {
    (0..rollout.waves.len())
        .map(|i| {
            rollout
                .wave_plan(plan, i)
                .changes
                .iter()
                .map(|c| c.addr.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn partitions_go_in_key_order_in_cumulative_waves() {
    // Twelve tenants, given out of order; "b" has only a no-op.
    let mut changes: Vec<ResourceChange> = ["l", "k", "j", "i", "h", "g", "f", "e", "d", "c", "a"]
        .iter()
        .map(|key| tenant(key, Action::Update))
        .collect();
    changes.push(tenant("b", Action::NoOp));
    let plan = plan_of(changes);
    let rollout = rollout(&plan, "1,10%,50%,100%").unwrap();
    // 11 partitions with changes: 1, ceil(1.1) = 2 in all, ceil(5.5) = 6 in all, then all.
    assert_eq!(
        keys(&rollout),
        [
            vec!["a"],
            vec!["c"],
            vec!["d", "e", "f", "g"],
            vec!["h", "i", "j", "k", "l"]
        ]
    );
    assert_eq!(rollout.partition_count(), 11);
    // The no-op-only partition rides with the last wave.
    let last = wave_addresses(&rollout, &plan).pop().unwrap();
    assert!(last.contains(&"module.tenant[\"b\"].tenant.this".to_string()));
    let through: Vec<String> = rollout
        .partitions_through(1)
        .into_iter()
        .map(module_instance_string)
        .collect();
    assert_eq!(through, ["module.tenant[\"a\"]", "module.tenant[\"c\"]"]);
}

#[test]
fn string_keys_sort_as_terraform_sorts_them() {
    let plan = plan_of(
        ["b", "B", "a10", "a9", "_"]
            .iter()
            .map(|key| tenant(key, Action::Create))
            .collect(),
    );
    let rollout = rollout(&plan, "100%").unwrap();
    assert_eq!(keys(&rollout), [vec!["B", "_", "a10", "a9", "b"]]);
}

#[test]
fn changes_outside_the_partitions_go_first_unless_they_depend_on_them() {
    let plan = plan_of(vec![
        tenant("b", Action::Update),
        change("tenant.registry", Action::Update),
        tenant("a", Action::Update),
        change("tenant.shared", Action::Update),
        change("tenant.lone", Action::NoOp),
    ]);
    let rollout = rollout(&plan, "1,100%").unwrap();
    assert_eq!(keys(&rollout), [vec!["a"], vec!["b"]]);
    assert_eq!(
        wave_addresses(&rollout, &plan),
        [
            vec![
                "module.tenant[\"a\"].tenant.this",
                "tenant.shared",
                "tenant.lone"
            ],
            // The registry reads every tenant's output: it waits for the last wave.
            vec!["module.tenant[\"b\"].tenant.this", "tenant.registry"],
        ]
    );
    assert_eq!(rollout.waves[0].outside, 1, "the no-op is not counted");
    assert_eq!(rollout.waves[1].outside, 1);
}

#[test]
fn a_deletion_the_partitions_deletions_depend_on_waits_and_a_replacement_is_refused() {
    let mut gone = tenant("c", Action::Delete);
    gone.dependencies = vec!["tenant.lone".into()];
    let plan = plan_of(vec![
        tenant("a", Action::Update),
        gone.clone(),
        change("tenant.lone", Action::Delete),
    ]);
    let rollout_of_deletes = rollout(&plan, "1,100%").unwrap();
    assert_eq!(
        wave_addresses(&rollout_of_deletes, &plan),
        [
            vec!["module.tenant[\"a\"].tenant.this"],
            vec!["module.tenant[\"c\"].tenant.this", "tenant.lone"],
        ]
    );
    let replaced = plan_of(vec![
        tenant("a", Action::Update),
        gone,
        change("tenant.lone", Action::DeleteThenCreate),
    ]);
    let refused = rollout(&replaced, "1,100%").unwrap_err();
    assert!(refused.contains("tenant.lone is replaced"), "{refused}");
    assert!(refused.contains("without -waves"), "{refused}");
}

#[test]
fn every_wave_but_the_last_is_targeted_and_leaves_the_outputs() {
    let mut plan = plan_of(vec![
        tenant("a", Action::Create),
        tenant("b", Action::Create),
    ]);
    plan.outputs.push(crate::plan::OutputChange {
        name: "ids".into(),
        action: Action::Create,
        before: Value::Null,
        after: Value::Unknown,
        sensitive: false,
    });
    let rollout = rollout(&plan, "1,100%").unwrap();
    let first = rollout.wave_plan(&plan, 0);
    assert!(first.targeted);
    assert!(first.outputs.is_empty());
    let last = rollout.wave_plan(&plan, 1);
    assert!(!last.targeted);
    assert_eq!(last.outputs.len(), 1);
}

#[test]
fn a_plan_without_partition_changes_is_one_wave_of_the_rest() {
    let plan = plan_of(vec![
        change("tenant.lone", Action::Update),
        tenant("a", Action::NoOp),
    ]);
    let rollout = rollout(&plan, "1,10%,100%").unwrap();
    assert_eq!(rollout.waves.len(), 1);
    assert_eq!(rollout.partition_count(), 0);
    assert_eq!(rollout.waves[0].outside, 1);
    assert_eq!(wave_addresses(&rollout, &plan)[0].len(), 2);
}
