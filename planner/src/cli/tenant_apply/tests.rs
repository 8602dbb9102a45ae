//! Which plans a per-tenant apply may take, and what it locks and writes for them.

use super::*;
use crate::plan::{OutputChange, ResourceChange};
use crate::test_support::{resource_change, s};
use tenantform_proto::value::Value;

const A: &str = "module.tenant[\"a\"].tenant.this";
const B: &str = "module.tenant[\"b\"].tenant.this";

fn change(addr: &str, action: Action) -> ResourceChange {
    resource_change(addr, action, Value::Null, s("x"))
}

fn plan_of(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        ..Plan::default()
    }
}

fn addresses(scope: &ApplyScope) -> Vec<String> {
    scope.instances().iter().map(ToString::to_string).collect()
}

#[test]
fn a_plain_change_scopes_the_changed_instances_only() {
    let plan = plan_of(vec![
        change(A, Action::Update),
        change(B, Action::NoOp),
        change("tenant.shared", Action::Delete),
    ]);
    let scope = scope_of(&plan).expect("a per-tenant apply");
    assert_eq!(
        addresses(&scope),
        ["tenant.shared", "module.tenant[\"a\"].tenant.this"]
    );
    let partitions: Vec<String> = scope.partitions().into_iter().collect();
    assert_eq!(partitions, ["a", "tenant.shared"]);
}

#[test]
fn a_destroy_plan_is_scoped_too() {
    let mut plan = plan_of(vec![change(A, Action::Delete)]);
    plan.mode = PlanMode::Destroy;
    assert_eq!(addresses(&scope_of(&plan).unwrap()), [A]);
}

#[test]
fn plans_that_need_the_whole_state_have_no_scope() {
    let mut refresh_only = plan_of(vec![change(A, Action::NoOp)]);
    refresh_only.mode = PlanMode::RefreshOnly;
    assert_eq!(scope_of(&refresh_only), None);

    let mut moved = change(A, Action::NoOp);
    moved.previous_address = Some(B.parse().unwrap());
    assert_eq!(scope_of(&plan_of(vec![moved])), None);

    let mut imported = change(A, Action::NoOp);
    imported.importing = Some(crate::plan::Importing { id: "a".into() });
    assert_eq!(scope_of(&plan_of(vec![imported])), None);

    assert_eq!(scope_of(&plan_of(vec![change(A, Action::Forget)])), None);

    let mut outputs_only = plan_of(vec![change(A, Action::NoOp)]);
    outputs_only.outputs.push(OutputChange {
        name: "count".into(),
        action: Action::Update,
        before: s("1"),
        after: s("2"),
        sensitive: false,
    });
    assert_eq!(scope_of(&outputs_only), None);
}

#[test]
fn an_empty_plan_has_an_empty_scope_and_writes_nothing() {
    let scope = scope_of(&plan_of(vec![change(A, Action::NoOp)])).unwrap();
    assert!(scope.instances().is_empty());
}

#[test]
fn a_saved_plan_records_the_stored_objects_of_its_scope() {
    let mut state = State::new();
    state.set_instance(A.parse().unwrap(), crate::test_support::stored_tenant("a"));
    let plan = plan_of(vec![change(A, Action::Update), change(B, Action::Create)]);
    let objects = planned_objects(&plan, &state).unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects.get(B).map(String::as_str), Some("absent"));
    assert_ne!(objects.get(A).map(String::as_str), Some("absent"));
    let mut refresh_only = plan.clone();
    refresh_only.mode = PlanMode::RefreshOnly;
    assert_eq!(planned_objects(&refresh_only, &state), None);
}

/// Records nothing: the output tests keep states in memory.
struct NoRecorder;

impl engine::ApplyRecorder for NoRecorder {
    fn record(
        &self,
        _addr: &crate::addrs::InstanceAddr,
        _instance: Option<&crate::state::InstanceState>,
    ) -> Result<(), String> {
        Ok(())
    }

    fn record_deposed(&self, _change: &crate::state::DeposedChange) -> Result<(), String> {
        Ok(())
    }

    fn record_move(
        &self,
        _from: &crate::addrs::InstanceAddr,
        _to: &crate::addrs::InstanceAddr,
    ) -> Result<(), String> {
        Ok(())
    }
}

/// Reports nothing.
struct NoHooks;

impl engine::ApplyHooks for NoHooks {
    fn started(&self, _: &crate::addrs::InstanceAddr, _: Action, _: Option<&str>) {}
    fn finished(&self, _: &crate::addrs::InstanceAddr, _: Action, _: Option<&str>, _: bool) {}
    fn provisioning(&self, _: &crate::addrs::InstanceAddr, _: &str) {}
    fn provision_output(&self, _: &crate::addrs::InstanceAddr, _: &str, _: &str) {}
}

/// Root module source: one `fake_thing` per key of `keys`, and an output naming them all.
fn things(keys: &str) -> Config {
    let source = format!(
        "resource \"fake_thing\" \"e\" {{\n  for_each = toset([{keys}])\n  name     = each.key\n}}\n\n\
         output \"names\" {{\n  value = sort([for thing in fake_thing.e : thing.name])\n}}\n"
    );
    let files = BTreeMap::from([("main.tf".to_string(), source)]);
    crate::config::load_sources(std::path::Path::new("."), files)
        .unwrap_or_else(|diags| panic!("configuration does not load:\n{diags}"))
}

/// The state of applying `config` to an empty state.
async fn converged(config: &Config, providers: &Providers) -> State {
    let options = PlanOptions {
        show_only: false,
        mode: PlanMode::Normal,
        refresh: true,
        parallelism: 4,
        targets: Vec::new(),
        excludes: Vec::new(),
        replace: Vec::new(),
        generate_config: false,
        workspace: "default".into(),
        sweep: None,
        scope: Default::default(),
    };
    let empty = State::new();
    let plan = engine::plan_with_hooks(
        config,
        &empty,
        providers,
        &BTreeMap::new(),
        &options,
        &Quiet,
    )
    .await
    .unwrap_or_else(|diags| panic!("plan failed:\n{diags}"));
    let (_cancel, cancelled) = tokio::sync::watch::channel(false);
    let runner = crate::provisioners::RecordingRunner::default();
    let apply_options = engine::ApplyOptions {
        parallelism: 4,
        recorder: &NoRecorder,
        hooks: &NoHooks,
        provisioners: &runner,
        cancel: cancelled,
    };
    let (state, diags) = engine::apply(config, &empty, &plan, providers, apply_options).await;
    assert!(!diags.has_errors(), "apply failed:\n{diags}");
    state
}

#[tokio::test]
async fn outputs_are_evaluated_again_over_the_merged_state() {
    let fake = crate::providers::fake::FakeProvider::new();
    let providers = crate::test_support::fake_providers(fake);
    // This apply created tenant a; another one created tenant b meanwhile.
    let applied = converged(&things("\"a\""), &providers).await;
    let stored = converged(&things("\"b\""), &providers).await;
    assert_eq!(
        applied.outputs["names"].value.to_json(),
        serde_json::json!(["a"])
    );

    let config = things("\"a\", \"b\"");
    let scope = ApplyScope::new(applied.instances.keys().cloned().collect());
    let base = MergeBase {
        state: stored,
        folded: Vec::new(),
    };
    let plan = Plan {
        workspace: "default".into(),
        ..Plan::default()
    };
    let merged = merged_with_outputs(&config, &providers, &plan, &applied, &scope, &base)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(merged.instances.len(), 2);
    assert_eq!(
        merged.outputs["names"].value.to_json(),
        serde_json::json!(["a", "b"])
    );

    // Nothing else changed: the apply's own outputs stand, nothing is evaluated again.
    let alone = MergeBase {
        state: State::new(),
        folded: Vec::new(),
    };
    let kept = merged_with_outputs(&config, &providers, &plan, &applied, &scope, &alone)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.outputs, applied.outputs);
}

#[tokio::test]
async fn a_destroy_leaves_no_outputs() {
    let fake = crate::providers::fake::FakeProvider::new();
    let providers = crate::test_support::fake_providers(fake);
    let stored = converged(&things("\"b\""), &providers).await;
    let plan = Plan {
        mode: PlanMode::Destroy,
        ..Plan::default()
    };
    let outputs = root_outputs(&things("\"b\""), &providers, &plan, &stored)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(outputs.is_empty());
}
