//! Tests of the planner core against the in-process fake provider: helpers shared by the
//! plan, apply and import tests.

/// Configuration text declaring `fake_child.k`: a child of each instance of `fake_thing.e`,
/// labelled `k-KEY` (a literal, for `concat!`).
macro_rules! child_per_e {
    () => {
        r#"
resource "fake_child" "k" {
  for_each  = fake_thing.e
  parent_id = each.value.id
  label     = "k-${each.key}"
}
"#
    };
}

mod apply;
mod deposed;
mod drift;
mod expansion;
mod parallelism;
mod plan;
mod provisioner;
mod refactor;
mod scale;
mod scoped;
mod sensitivity;
mod sweep;
mod targeting;
mod unknown_outcome;
mod waves;
mod workspace;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tenantform_proto::value::Value;

use super::{ApplyHooks, ApplyOptions, ApplyRecorder, PlanOptions};
use crate::addrs::InstanceAddr;
use crate::config::{Config, load_sources};
use crate::diags::Diagnostics;
use crate::plan::{Action, Plan, PlanMode};
use crate::providers::Providers;
use crate::providers::fake::{EventLog, FakeProvider};
use crate::state::{DeposedChange, InstanceState, State};

pub(super) fn config(source: &str) -> Config {
    let files = BTreeMap::from([("main.tf".to_string(), source.to_string())]);
    match load_sources(Path::new("."), files) {
        Ok(config) => config,
        Err(diags) => panic!("configuration does not load:\n{diags}"),
    }
}

pub(super) fn providers(fake: &Arc<FakeProvider>) -> Providers {
    crate::test_support::fake_providers(fake.clone())
}

pub(super) fn options(mode: PlanMode) -> PlanOptions {
    PlanOptions {
        show_only: false,
        mode,
        refresh: true,
        parallelism: 4,
        targets: Vec::new(),
        excludes: Vec::new(),
        replace: Vec::new(),
        generate_config: false,
        workspace: "default".into(),
        sweep: None,
        scope: Default::default(),
    }
}

pub(super) async fn plan(config: &Config, state: &State, fake: &Arc<FakeProvider>) -> Plan {
    plan_mode(config, state, fake, PlanMode::Normal).await
}

pub(super) async fn plan_mode(
    config: &Config,
    state: &State,
    fake: &Arc<FakeProvider>,
    mode: PlanMode,
) -> Plan {
    plan_with(config, state, fake, &options(mode)).await
}

/// Plans with `options` and no variables, expecting success.
pub(super) async fn plan_with(
    config: &Config,
    state: &State,
    fake: &Arc<FakeProvider>,
    options: &PlanOptions,
) -> Plan {
    match plan_result(config, state, fake, options).await {
        Ok(plan) => plan,
        Err(diags) => panic!("plan failed:\n{diags}"),
    }
}

/// Plans with `options` and no variables.
pub(super) async fn plan_result(
    config: &Config,
    state: &State,
    fake: &Arc<FakeProvider>,
    options: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    super::plan(config, state, &providers(fake), &BTreeMap::new(), options).await
}

pub(super) async fn plan_error(
    config: &Config,
    state: &State,
    fake: &Arc<FakeProvider>,
) -> Diagnostics {
    match plan_result(config, state, fake, &options(PlanMode::Normal)).await {
        Ok(plan) => panic!("plan succeeded: {:?}", actions(&plan)),
        Err(diags) => diags,
    }
}

/// The errors planning `source` from an empty state with a fresh fake provider gives.
pub(super) async fn plan_error_afresh(source: &str) -> Diagnostics {
    plan_error(&config(source), &State::new(), &FakeProvider::new()).await
}

/// `(address, action)` of every change.
pub(super) fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.addr.to_string(), c.action))
        .collect()
}

pub(super) fn change<'p>(plan: &'p Plan, addr: &str) -> &'p crate::plan::ResourceChange {
    plan.changes
        .iter()
        .find(|c| c.addr.to_string() == addr)
        .expect("a change for the address")
}

/// The change of `addr` in `plan`, checked to be `action` for `reason`.
pub(super) fn assert_action<'p>(
    plan: &'p Plan,
    addr: &str,
    action: Action,
    reason: Option<crate::plan::ActionReason>,
) -> &'p crate::plan::ResourceChange {
    let found = change(plan, addr);
    assert_eq!(
        (found.action, found.action_reason),
        (action, reason),
        "{addr}"
    );
    found
}

/// Records into the fake's event log (so tests see the interleaving) and keeps a state.
pub(super) struct Recorder {
    events: EventLog,
    pub recorded: Mutex<Vec<(InstanceAddr, Option<InstanceState>)>>,
    pub deposed: Mutex<Vec<DeposedChange>>,
    pub moves: Mutex<Vec<(InstanceAddr, InstanceAddr)>>,
}

impl Recorder {
    pub(super) fn new(fake: &FakeProvider) -> Recorder {
        Recorder {
            events: fake.events.clone(),
            recorded: Mutex::new(Vec::new()),
            deposed: Mutex::new(Vec::new()),
            moves: Mutex::new(Vec::new()),
        }
    }
}

impl ApplyRecorder for Recorder {
    fn record(&self, addr: &InstanceAddr, instance: Option<&InstanceState>) -> Result<(), String> {
        let verb = if instance.is_some() {
            "record"
        } else {
            "forget"
        };
        self.events.lock().unwrap().push(format!("{verb} {addr}"));
        self.recorded
            .lock()
            .unwrap()
            .push((addr.clone(), instance.cloned()));
        Ok(())
    }

    fn record_deposed(&self, change: &DeposedChange) -> Result<(), String> {
        let verb = match change {
            DeposedChange::Depose { .. } => "depose",
            DeposedChange::Restore { .. } => "restore",
            DeposedChange::Remove { .. } => "forget deposed",
        };
        let event = format!("{verb} {}", change.addr());
        self.events.lock().unwrap().push(event);
        self.deposed.lock().unwrap().push(change.clone());
        Ok(())
    }

    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), String> {
        self.events
            .lock()
            .unwrap()
            .push(format!("move {from} to {to}"));
        self.moves.lock().unwrap().push((from.clone(), to.clone()));
        Ok(())
    }
}

/// Hooks that may flip the cancel switch when a given instance starts.
pub(super) struct Hooks {
    pub cancel_on_start: Option<(String, tokio::sync::watch::Sender<bool>)>,
}

impl ApplyHooks for Hooks {
    fn started(&self, addr: &InstanceAddr, _action: Action, _prior_id: Option<&str>) {
        if let Some((target, sender)) = &self.cancel_on_start
            && addr.to_string() == *target
        {
            let _ = sender.send(true);
        }
    }

    fn finished(&self, _addr: &InstanceAddr, _action: Action, _id: Option<&str>, _ok: bool) {}

    fn provisioning(&self, _addr: &InstanceAddr, _kind: &str) {}

    fn provision_output(&self, _addr: &InstanceAddr, _kind: &str, _line: &str) {}
}

pub(super) async fn apply(
    config: &Config,
    state: &State,
    plan: &Plan,
    fake: &Arc<FakeProvider>,
) -> (State, Diagnostics) {
    let runner = crate::provisioners::RecordingRunner::default();
    apply_with_runner(config, state, plan, fake, &runner).await
}

/// [`apply`] with the provisioner runner given.
pub(super) async fn apply_with_runner(
    config: &Config,
    state: &State,
    plan: &Plan,
    fake: &Arc<FakeProvider>,
    runner: &crate::provisioners::RecordingRunner,
) -> (State, Diagnostics) {
    let recorder = Recorder::new(fake);
    let applying = Applying {
        recorder: &recorder,
        cancel_on_start: None,
        runner,
    };
    applying.apply(config, state, plan, fake).await
}

/// How a test applies: through which recorder, cancelled when which instance starts (if
/// any), running provisioners with which runner.
pub(super) struct Applying<'r> {
    pub recorder: &'r dyn ApplyRecorder,
    pub cancel_on_start: Option<&'r str>,
    pub runner: &'r crate::provisioners::RecordingRunner,
}

impl Applying<'_> {
    pub(super) async fn apply(
        &self,
        config: &Config,
        state: &State,
        plan: &Plan,
        fake: &Arc<FakeProvider>,
    ) -> (State, Diagnostics) {
        let (sender, cancel) = tokio::sync::watch::channel(false);
        let (hooks, _kept_open) = match self.cancel_on_start {
            Some(addr) => {
                let cancel_on_start = Some((addr.to_string(), sender));
                (Hooks { cancel_on_start }, None)
            }
            None => (
                Hooks {
                    cancel_on_start: None,
                },
                Some(sender),
            ),
        };
        let options = ApplyOptions {
            parallelism: 4,
            recorder: self.recorder,
            hooks: &hooks,
            provisioners: self.runner,
            cancel,
        };
        super::apply(config, state, plan, &providers(fake), options).await
    }
}

/// Plans and applies, expecting success.
pub(super) async fn converge(config: &Config, state: &State, fake: &Arc<FakeProvider>) -> State {
    let plan = plan(config, state, fake).await;
    let (state, diags) = apply(config, state, &plan, fake).await;
    assert!(!diags.has_errors(), "apply failed:\n{diags}");
    state
}

/// A fresh fake provider, the configuration `source` and its plan from an empty state.
pub(super) async fn planned_afresh(source: &str) -> (Arc<FakeProvider>, Config, Plan) {
    let fake = FakeProvider::new();
    let config = config(source);
    let plan = plan(&config, &State::new(), &fake).await;
    (fake, config, plan)
}

/// A fresh fake provider, the configuration `source` and the state of applying it.
pub(super) async fn converged(source: &str) -> (Arc<FakeProvider>, Config, State) {
    let fake = FakeProvider::new();
    let config = config(source);
    let state = converge(&config, &State::new(), &fake).await;
    (fake, config, state)
}

/// The diagnostic summarised `summary`, checked to mention `text` in its detail.
pub(super) fn error_mentioning<'d>(
    diags: &'d Diagnostics,
    summary: &str,
    text: &str,
) -> &'d crate::diags::Diagnostic {
    let error = diags
        .iter()
        .find(|d| d.summary == summary)
        .unwrap_or_else(|| panic!("no {summary:?} in:\n{diags}"));
    assert!(error.detail.contains(text), "{}", error.detail);
    error
}

/// Puts a small `fake_thing` object `id` named `name` in the fake, as if made elsewhere.
pub(super) fn existing(fake: &Arc<FakeProvider>, id: &str, name: &str) {
    let object = Value::Object(
        [
            ("id", Value::string(id)),
            ("name", Value::string(name)),
            ("size", Value::string("small")),
            ("zone", Value::Null),
            ("protected", Value::Null),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    fake.objects.lock().unwrap().insert(id.into(), object);
}

/// `rest` after a sensitive variable `name` whose default is the string `default`.
pub(super) fn with_sensitive_variable(name: &str, default: &str, rest: &str) -> String {
    format!("\nvariable \"{name}\" {{\n  default   = \"{default}\"\n  sensitive = true\n}}{rest}")
}

/// Asserts that `order` occur in `events` in this order.
pub(super) fn assert_in_order(events: &[String], order: &[&str]) {
    for pair in order.windows(2) {
        assert!(
            position(events, pair[0]) < position(events, pair[1]),
            "{pair:?} out of order in {events:?}"
        );
    }
}

fn position(events: &[String], event: &str) -> usize {
    events
        .iter()
        .position(|e| e == event)
        .unwrap_or_else(|| panic!("no event {event:?} in {events:?}"))
}

pub(super) fn string_attr(state: &State, addr: &str, name: &str) -> Value {
    let addr: InstanceAddr = addr.parse().unwrap();
    let attrs = state.instances[&addr].attributes.to_json();
    match &attrs[name] {
        serde_json::Value::String(s) => Value::string(s.clone()),
        serde_json::Value::Null => Value::Null,
        other => panic!("{name} is not a string: {other}"),
    }
}

pub(super) const THING_AND_CHILD: &str = r#"
resource "fake_thing" "a" {
  name = "a"
}

resource "fake_child" "b" {
  parent_id = fake_thing.a.id
  label     = "b"
}
"#;
