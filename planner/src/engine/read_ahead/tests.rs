use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::value::{Number, Value};

use super::ReadAhead;
use crate::config::{Config, load_dir};
use crate::diags::Diagnostics;
use crate::engine::NoPlanHooks;
use crate::engine::plan::{PlanInputs, plan_reading_ahead};
use crate::engine::tests::{options, providers};
use crate::plan::{OutputChange, Plan, PlanMode};
use crate::providers::fake::FakeProvider;
use crate::state::State;

const MAIN_TF: &str = r#"
variable "environment" {
  type    = string
  default = "production"
}

locals {
  inventory = yamldecode(file("${path.module}/tenants.yaml"))
  tenants   = local.inventory.tenants
  count     = length(local.tenants)
  where     = "${terraform.workspace}:${basename(path.cwd) != ""}"
  secret    = sensitive(local.inventory.key)
  labels    = { environment = var.environment }
  derived   = merge(local.labels, { count = local.count })
  stamp     = timestamp()
  broken    = local.inventory.missing
  after     = "${local.broken}-x"
}

output "tenants" {
  value = { for slug, tenant in local.tenants : slug => upper(tenant.name) }
}

output "where" {
  value = local.where
}

output "derived" {
  value = local.derived
}

output "secret" {
  value     = local.secret
  sensitive = true
}
"#;

const TENANTS_YAML: &str =
    "key: hunter2\ntenants:\n  acme:\n    name: Acme\n  globex:\n    name: Globex\n";

fn fleet_config(dir: &tempfile::TempDir) -> Config {
    std::fs::write(dir.path().join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(dir.path().join("tenants.yaml"), TENANTS_YAML).unwrap();
    load_dir(dir.path()).unwrap_or_else(|diags| panic!("{diags}"))
}

#[test]
fn only_locals_that_need_nothing_but_locals_paths_and_the_workspace_are_read_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let config = fleet_config(&dir);
    let read_ahead = ReadAhead::start(&config, "staging");
    let tenants = read_ahead.take("tenants").expect("tenants read ahead");
    assert!(matches!(&tenants.value, Value::Object(t) | Value::Map(t) if t.len() == 2));
    let count = read_ahead.take("count").unwrap().value;
    assert_eq!(count, Value::Number(Number::from_u64(2)));
    assert_eq!(
        read_ahead.take("where").unwrap().value,
        Value::String("staging:true".into())
    );
    assert!(read_ahead.take("secret").unwrap().marks.is_whole());
    // A variable, an impure function and a failing expression, and what follows from them,
    // are the walk's to evaluate (and report).
    for name in [
        "labels",
        "derived",
        "stamp",
        "broken",
        "after",
        "undeclared",
    ] {
        assert!(read_ahead.take(name).is_none(), "{name}");
    }
    // Each value is taken once.
    assert!(read_ahead.take("tenants").is_none());
}

#[test]
fn a_cycle_of_locals_is_left_to_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let main = "locals {\n  a = local.b\n  b = local.a\n  c = 1\n}\n";
    std::fs::write(dir.path().join("main.tf"), main).unwrap();
    let files = BTreeMap::from([("main.tf".to_string(), main.to_string())]);
    let config = crate::config::load_sources(dir.path(), files);
    // The loader may refuse the cycle itself; read ahead, it must only end.
    if let Ok(config) = config {
        let read_ahead = ReadAhead::start(&config, "default");
        assert!(read_ahead.take("a").is_none());
        assert!(read_ahead.take("b").is_none());
        let c = read_ahead.take("c").unwrap().value;
        assert_eq!(c, Value::Number(Number::from_u64(1)));
    }
}

/// A chain of locals longer than the read ahead follows is left to the walk where it is too
/// long, without exhausting the thread's stack; what is read ahead has the walk's values.
#[test]
fn a_long_chain_of_locals_is_read_ahead_only_as_far_as_it_follows() {
    let dir = tempfile::tempdir().unwrap();
    let links = 2 * super::LONGEST_CHAIN + 10;
    // `c_0000` refers to `c_0001` and so on: the first local read is the chain's far end.
    let mut main = String::from("locals {\n");
    for link in 0..links - 1 {
        main.push_str(&format!("  c_{link:04} = local.c_{:04} + 1\n", link + 1));
    }
    main.push_str(&format!("  c_{:04} = 1\n}}\n", links - 1));
    std::fs::write(dir.path().join("main.tf"), &main).unwrap();
    let config = load_dir(dir.path()).unwrap_or_else(|diags| panic!("{diags}"));
    let read_ahead = ReadAhead::start(&config, "default");
    let number = |n: usize| Value::Number(Number::from_u64(n as u64));
    let read: Vec<bool> = (0..links)
        .map(|link| {
            let taken = read_ahead.take(&format!("c_{link:04}"));
            if let Some(marked) = &taken {
                assert_eq!(marked.value, number(links - link), "c_{link:04}");
            }
            taken.is_some()
        })
        .collect();
    // The far end is read ahead; the head of the chain, more than LONGEST_CHAIN links from
    // it, is not.
    assert!(read[links - 1] && !read[0]);
}

/// The outputs of a plan, by name.
fn outputs(changes: Vec<OutputChange>) -> BTreeMap<String, (Value, bool)> {
    changes
        .into_iter()
        .map(|change| (change.name, (change.after, change.sensitive)))
        .collect()
}

/// Plans `config` on an empty state twice: evaluating every local, and taking those
/// `read_ahead` holds.
async fn plans_both_ways(
    config: &Config,
    read_ahead: &ReadAhead,
) -> (Result<Plan, Diagnostics>, Result<Plan, Diagnostics>) {
    let providers = providers(&Arc::new(FakeProvider::default()));
    let state = State::default();
    let variables = BTreeMap::new();
    let options = options(PlanMode::Normal);
    let inputs = || PlanInputs {
        config,
        state: &state,
        providers: &providers,
        variables: &variables,
    };
    let evaluated = plan_reading_ahead(inputs(), &options, &NoPlanHooks, None).await;
    let taken = plan_reading_ahead(inputs(), &options, &NoPlanHooks, Some(read_ahead)).await;
    (evaluated, taken)
}

#[tokio::test]
async fn a_plan_taking_locals_read_ahead_equals_one_evaluating_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = fleet_config(&dir);
    let read_ahead = ReadAhead::start(&config, "default");
    // `local.broken` fails both ways, with the same report.
    match plans_both_ways(&config, &read_ahead).await {
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("the broken local must fail both plans: {a:?} / {b:?}"),
    }
    let fixed = MAIN_TF.replace("local.inventory.missing", "\"fixed\"");
    std::fs::write(dir.path().join("main.tf"), fixed).unwrap();
    let config = load_dir(dir.path()).unwrap();
    let read_ahead = ReadAhead::start(&config, "default");
    let (evaluated, taken) = plans_both_ways(&config, &read_ahead).await;
    // The walk took the value read ahead (which another read ahead holds).
    assert!(read_ahead.take("inventory").is_none());
    assert!(
        ReadAhead::start(&config, "default")
            .take("inventory")
            .is_some()
    );
    let expected = outputs(evaluated.unwrap().outputs);
    assert_eq!(expected.len(), 4);
    assert_eq!(outputs(taken.unwrap().outputs), expected);
}
