//! count, for_each, modules, data sources and lifecycle rules against the fake provider.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::config::load_sources;
use crate::plan::ActionReason;

pub(super) fn config_files(files: &[(&str, &str)]) -> Config {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    load_sources(Path::new("."), files).unwrap_or_else(|d| panic!("{d}"))
}

fn sorted(mut actions: Vec<(String, Action)>) -> Vec<(String, Action)> {
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    actions
}

const COUNTED: &str = concat!(
    r#"
variable "n" {
  default = 2
}

resource "fake_thing" "c" {
  count = var.n
  name  = "c${count.index}"
}

resource "fake_thing" "e" {
  for_each = toset(["x", "y"])
  name     = "e-${each.key}"
}
"#,
    child_per_e!(),
    r#"
output "ids" {
  value = fake_thing.c[*].name
}
"#
);

#[tokio::test]
async fn count_and_for_each_expand_into_keyed_instances() {
    let (fake, config, plan) = planned_afresh(COUNTED).await;
    assert_eq!(
        sorted(actions(&plan)),
        vec![
            ("fake_child.k[\"x\"]".to_string(), Action::Create),
            ("fake_child.k[\"y\"]".to_string(), Action::Create),
            ("fake_thing.c[0]".to_string(), Action::Create),
            ("fake_thing.c[1]".to_string(), Action::Create),
            ("fake_thing.e[\"x\"]".to_string(), Action::Create),
            ("fake_thing.e[\"y\"]".to_string(), Action::Create),
        ]
    );
    let ids = plan.outputs.iter().find(|o| o.name == "ids").unwrap();
    assert_eq!(
        ids.after,
        Value::Tuple(vec![Value::string("c0"), Value::string("c1")])
    );
    let state = converge(&config, &State::new(), &fake).await;
    assert_eq!(
        string_attr(&state, "fake_child.k[\"y\"]", "label"),
        Value::string("k-y")
    );
    let again = plan_mode(&config, &state, &fake, PlanMode::Normal).await;
    assert!(again.is_empty(), "{:?}", actions(&again));
}

#[tokio::test]
async fn fewer_instances_delete_with_their_reasons() {
    let (fake, _, state) = converged(COUNTED).await;
    let smaller = COUNTED
        .replace("default = 2", "default = 1")
        .replace("toset([\"x\", \"y\"])", "toset([\"x\"])");
    let plan = plan(&config(&smaller), &state, &fake).await;
    let c1 = change(&plan, "fake_thing.c[1]");
    assert_eq!(
        (c1.action, c1.action_reason),
        (Action::Delete, Some(ActionReason::DeleteBecauseCountIndex))
    );
    let ey = change(&plan, "fake_thing.e[\"y\"]");
    assert_eq!(
        (ey.action, ey.action_reason),
        (Action::Delete, Some(ActionReason::DeleteBecauseEachKey))
    );
    let (state, diags) = apply(&config(&smaller), &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(state.instances.len(), 3);
}

#[tokio::test]
async fn unknown_for_each_is_an_error() {
    let source = r#"
resource "fake_thing" "a" {
  name = "a"
}
resource "fake_thing" "b" {
  for_each = toset([fake_thing.a.id])
  name     = each.key
}
resource "fake_thing" "c" {
  count = length(fake_thing.a.id)
  name  = "c"
}
"#;
    let diags = plan_error_afresh(source).await;
    let summaries: Vec<&str> = diags.0.iter().map(|d| d.summary.as_str()).collect();
    assert!(summaries.contains(&"Invalid for_each argument"), "{diags}");
    assert!(summaries.contains(&"Invalid count argument"), "{diags}");
    assert!(
        diags
            .to_string()
            .contains("cannot be determined until apply")
    );
}

const TENANT_MODULE: &str = r#"
variable "name" {}
variable "size" {
  default = "medium"
}

resource "fake_thing" "t" {
  name = "${var.name}-${basename(path.module)}"
  size = var.size
}

resource "fake_child" "admin" {
  for_each  = toset(["a@x"])
  parent_id = fake_thing.t.id
  label     = each.key
}

output "id" {
  value = fake_thing.t.id
}

output "name" {
  value = fake_thing.t.name
}
"#;

const ROOT_WITH_MODULE: &str = r#"
variable "tenants" {
  default = ["acme", "globex", "initech"]
}

module "tenant" {
  source   = "./modules/tenant"
  for_each = toset(var.tenants)
  name     = each.key
}

resource "fake_thing" "after" {
  name       = "after"
  depends_on = [module.tenant]
}

output "names" {
  value = { for k, t in module.tenant : k => t.name }
}
"#;

#[tokio::test]
async fn modules_with_for_each_plan_apply_and_converge() {
    let fake = FakeProvider::new();
    let config = config_files(&[
        ("main.tf", ROOT_WITH_MODULE),
        ("modules/tenant/main.tf", TENANT_MODULE),
    ]);
    let plan = plan(&config, &State::new(), &fake).await;
    let addrs: Vec<String> = actions(&plan).into_iter().map(|(a, _)| a).collect();
    assert!(addrs.contains(&"module.tenant[\"acme\"].fake_child.admin[\"a@x\"]".to_string()));
    assert!(addrs.contains(&"module.tenant[\"initech\"].fake_thing.t".to_string()));
    assert_eq!(addrs.len(), 7, "{addrs:?}");
    let names = plan.outputs.iter().find(|o| o.name == "names").unwrap();
    assert_eq!(
        names.after.get_attr("acme"),
        Some(&Value::string("acme-tenant"))
    );
    let t = change(&plan, "module.tenant[\"acme\"].fake_thing.t");
    assert_eq!(t.planned.get_attr("size"), Some(&Value::string("medium")));
    let after = change(&plan, "fake_thing.after");
    assert!(
        after
            .dependencies
            .contains(&"module.tenant.fake_thing.t".to_string())
    );

    let state = converge(&config, &State::new(), &fake).await;
    assert_eq!(
        state.instances.len(),
        7,
        "{:?}",
        state
            .instances
            .keys()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let again = plan_mode(&config, &state, &fake, PlanMode::Normal).await;
    assert!(again.is_empty(), "{:?}", actions(&again));

    let fewer = config_files(&[
        ("main.tf", &ROOT_WITH_MODULE.replace(", \"initech\"", "")),
        ("modules/tenant/main.tf", TENANT_MODULE),
    ]);
    let shrink = plan_mode(&fewer, &state, &fake, PlanMode::Normal).await;
    let gone = change(&shrink, "module.tenant[\"initech\"].fake_thing.t");
    assert_eq!(
        (gone.action, gone.action_reason),
        (Action::Delete, Some(ActionReason::DeleteBecauseNoModule))
    );
    let destroy = plan_mode(&config, &state, &fake, PlanMode::Destroy).await;
    assert!(destroy.changes.iter().all(|c| c.action == Action::Delete));
    assert_eq!(destroy.changes.len(), 7);
}

#[tokio::test]
async fn data_sources_are_read_during_plan_or_deferred() {
    let source = r#"
data "fake_lookup" "known" {
  name = "k"
}
resource "fake_thing" "a" {
  name = data.fake_lookup.known.id
}
data "fake_lookup" "later" {
  name = fake_thing.a.id
}
"#;
    let (fake, config, plan) = planned_afresh(source).await;
    assert_eq!(
        change(&plan, "fake_thing.a").planned.get_attr("name"),
        Some(&Value::string("lookup-k"))
    );
    assert_action(
        &plan,
        "data.fake_lookup.later",
        Action::Read,
        Some(ActionReason::ReadBecauseConfigUnknown),
    );
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let later: InstanceAddr = "data.fake_lookup.later".parse().unwrap();
    assert!(state.instances.contains_key(&later));
    let again = plan_mode(&config, &state, &fake, PlanMode::Normal).await;
    assert!(again.is_empty(), "{:?}", actions(&again));
}

#[tokio::test]
async fn lifecycle_rules_shape_the_plan() {
    let fake = FakeProvider::new();
    let source = r#"
resource "fake_thing" "kept" {
  name = "kept"
  zone = "a"
  lifecycle {
    prevent_destroy = true
  }
}
resource "fake_thing" "cbd" {
  name = "cbd"
  zone = "a"
  lifecycle {
    create_before_destroy = true
  }
}
resource "fake_thing" "ignored" {
  name = "ignored"
  size = "small"
  lifecycle {
    ignore_changes = [size]
  }
}
"#;
    let state = converge(&config(source), &State::new(), &fake).await;
    let changed = source
        .replace("zone = \"a\"", "zone = \"b\"")
        .replace("\"small\"", "\"large\"");
    let diags = plan_error(&config(&changed), &state, &fake).await;
    assert_eq!(diags.0[0].summary, "Instance cannot be destroyed");
    assert!(diags.0[0].detail.contains("fake_thing.kept"));
    let unprotected = changed.replace("prevent_destroy = true", "prevent_destroy = false");
    let plan = plan(&config(&unprotected), &state, &fake).await;
    assert_eq!(
        change(&plan, "fake_thing.cbd").action,
        Action::CreateThenDelete
    );
    assert_eq!(
        change(&plan, "fake_thing.kept").action,
        Action::DeleteThenCreate
    );
    assert_eq!(change(&plan, "fake_thing.ignored").action, Action::NoOp);
    let (state, diags) = apply(&config(&unprotected), &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let events = fake.events();
    assert_in_order(&events, &["create cbd", "delete cbd"]);
    assert!(
        state
            .instances
            .contains_key(&"fake_thing.cbd".parse::<InstanceAddr>().unwrap())
    );
}

#[tokio::test]
async fn conditions_checks_and_triggers() {
    let fake = FakeProvider::new();
    let source = r#"
variable "size" {
  default = "small"
}
resource "fake_thing" "a" {
  name = "a"
  size = var.size
}
resource "fake_thing" "b" {
  name = "b"
  lifecycle {
    replace_triggered_by = [fake_thing.a.size]
    precondition {
      condition     = var.size != "tiny"
      error_message = "Size must not be tiny."
    }
  }
}
check "small" {
  assert {
    condition     = var.size == "small"
    error_message = "Size is not small."
  }
}
"#;
    let state = converge(&config(source), &State::new(), &fake).await;
    let larger = source.replace("default = \"small\"", "default = \"large\"");
    let plan = plan(&config(&larger), &state, &fake).await;
    let b = change(&plan, "fake_thing.b");
    assert_eq!(
        (b.action, b.action_reason),
        (
            Action::DeleteThenCreate,
            Some(ActionReason::ReplaceByTriggers)
        )
    );
    assert_eq!(plan.warnings.0[0].summary, "Check block assertion failed");
    let huge = source.replace("default = \"small\"", "default = \"tiny\"");
    let diags = plan_error(&config(&huge), &state, &fake).await;
    assert!(diags.0.iter().any(
        |d| d.summary == "Resource precondition failed" && d.detail == "Size must not be tiny."
    ));
}

/// A check block whose assertion reads its own data source.
const CHECKED_LOOKUP: &str = r#"
check "lookup" {
  data "fake_lookup" "scoped" {
    name = "s"
  }
  assert {
    condition     = data.fake_lookup.scoped.id == "lookup-s"
    error_message = "Unexpected lookup."
  }
}
"#;

#[tokio::test]
async fn check_block_data_sources_are_read_again_during_apply() {
    let fake = FakeProvider::new();
    let plan = plan(&config(CHECKED_LOOKUP), &State::new(), &fake).await;
    let scoped = change(&plan, "data.fake_lookup.scoped");
    assert_eq!(
        (scoped.action, scoped.action_reason),
        (Action::Read, Some(ActionReason::ReadBecauseCheckNested))
    );
    assert_eq!(
        scoped.planned.get_attr("id"),
        Some(&Value::string("lookup-s"))
    );
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[tokio::test]
async fn targets_and_replace_requests() {
    let (fake, _, state) = converged(COUNTED).await;
    let mut options = options(PlanMode::Normal);
    options.replace = vec!["fake_thing.c[0]".parse().unwrap()];
    let plan = plan_with(&config(COUNTED), &state, &fake, &options).await;
    let c0 = change(&plan, "fake_thing.c[0]");
    assert_eq!(
        (c0.action, c0.action_reason),
        (
            Action::DeleteThenCreate,
            Some(ActionReason::ReplaceByRequest)
        )
    );
    let bigger = COUNTED.replace("default = 2", "default = 3");
    let mut options = super::options(PlanMode::Normal);
    options.targets = vec!["fake_child.k[\"x\"]".into()];
    let plan = plan_with(&config(&bigger), &state, &fake, &options).await;
    assert!(plan.is_empty(), "{:?}", actions(&plan));
    assert!(
        plan.changes
            .iter()
            .all(|c| !c.addr.to_string().starts_with("fake_thing.c"))
    );
}

#[tokio::test]
async fn condition_messages_that_refer_to_sensitive_values_are_hidden() {
    let fake = FakeProvider::new();
    let source = &with_sensitive_variable(
        "code",
        "bad",
        r#"
resource "fake_thing" "a" {
  name = "a"
  lifecycle {
    precondition {
      condition     = var.code == "good"
      error_message = "code is ${var.code}"
    }
  }
}
check "code" {
  assert {
    condition     = var.code == "good"
    error_message = "check says ${var.code}"
  }
}
"#,
    );
    let hidden = "This check failed, but has an invalid error message as described in the other \
                  accompanying messages.";
    let diags = plan_error(&config(source), &State::new(), &fake).await;
    assert!(
        diags
            .0
            .iter()
            .any(|d| d.summary == "Resource precondition failed" && d.detail == hidden),
        "{diags:?}"
    );
    assert!(diags.0.iter().all(|d| !d.detail.contains("bad")));
    let passing = source.replace(
        "precondition {\n      condition     = var.code == \"good\"",
        "precondition {\n      condition     = true",
    );
    let plan = plan(&config(&passing), &State::new(), &fake).await;
    let summaries: Vec<&str> = plan.warnings.0.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Error message refers to sensitive values",
            "Check block assertion failed"
        ]
    );
    assert_eq!(plan.warnings.0[1].detail, hidden);
}

const VALIDATED_MODULE: &str = r#"
variable "floor" {
  type = number
}

variable "size" {
  type = number
  validation {
    condition     = var.size > var.floor
    error_message = "size must exceed the floor, got ${var.size}."
  }
}

output "size" {
  value = var.size
}
"#;

fn validated_fleet(sizes: &str) -> Config {
    let root = format!(
        "module \"tenant\" {{\n  source   = \"./modules/tenant\"\n  for_each = {sizes}\n  size     = each.value\n  floor    = 3\n}}\n"
    );
    config_files(&[
        ("main.tf", &root),
        ("modules/tenant/main.tf", VALIDATED_MODULE),
    ])
}

#[tokio::test]
async fn module_variable_validations_fail_the_plan_at_the_argument() {
    let fake = FakeProvider::new();
    let config = validated_fleet("{ a = 1, b = 9 }");
    let diags = plan_error(&config, &State::new(), &fake).await;
    let failures: Vec<_> = diags
        .iter()
        .filter(|d| d.summary == "Invalid value for variable")
        .collect();
    assert_eq!(failures.len(), 1, "only instance a fails: {diags}");
    assert!(
        failures[0]
            .detail
            .starts_with("size must exceed the floor, got 1.")
    );
    let range = failures[0].range.as_ref().expect("a range");
    assert_eq!((range.filename.as_str(), range.start.line), ("main.tf", 4));
}

#[tokio::test]
async fn module_variable_validations_that_pass_are_recorded_per_instance() {
    let fake = FakeProvider::new();
    let plan = plan(&validated_fleet("{ a = 5, b = 9 }"), &State::new(), &fake).await;
    let passed: Vec<String> = plan
        .checks
        .iter()
        .filter(|c| c.status == crate::plan::checks::CheckStatus::Pass)
        .map(|c| {
            c.instance["to_display"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        passed,
        [
            "module.tenant[\"a\"].var.size",
            "module.tenant[\"b\"].var.size"
        ]
    );
}

#[tokio::test]
async fn refresh_only_plans_read_data_sources_again_and_propose_no_reads() {
    let source = r#"
data "fake_lookup" "counted" {
  name = "c"
}

resource "fake_thing" "a" {
  name = "a"
}
"#;
    let (fake, config, state) = converged(&format!("{source}{CHECKED_LOOKUP}")).await;
    existing(&fake, "outside-1", "made by hand");
    let reads_before = fake.events().iter().filter(|e| *e == "read data c").count();
    let plan = plan_mode(&config, &state, &fake, PlanMode::RefreshOnly).await;
    let reads_after = fake.events().iter().filter(|e| *e == "read data c").count();
    assert_eq!(
        reads_after,
        reads_before + 1,
        "the data source is read again"
    );
    let counted = change(&plan, "data.fake_lookup.counted");
    assert_eq!(counted.action, Action::NoOp);
    assert_eq!(
        counted.planned.get_attr("count"),
        Some(&Value::Number(tenantform_proto::value::Number::from_u64(2))),
        "the read sees the object made outside"
    );
    let scoped = change(&plan, "data.fake_lookup.scoped");
    assert_eq!((scoped.action, scoped.action_reason), (Action::NoOp, None));
}
