//! `-scope=changed`: on random fleets (a `module "tenant"` with `for_each`, a shared resource
//! every tenant refers to, per-tenant `count` children) and random edits (configuration
//! changes, new and removed tenants, tainted or forgotten objects), a change-scoped
//! `-refresh=false` plan is exactly the full `-refresh=false` plan (same changes, outputs and
//! JSON plan), and the provider is asked to plan none of the instances it leaves out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use proptest::collection::btree_map;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};

use super::expansion::config_files;
use super::*;
use crate::engine::scoped::{AppliedScope, ScopeRequest, record_after_apply};
use crate::state::ScopeRecord;

const DEFAULT_CASES: u32 = 200;
const SEED: u64 = 0x5c09_ed1f;

const TENANT_MODULE: &str = r#"
variable "name" {}
variable "size" {}
variable "zone" {
  validation {
    condition     = length(var.zone) > 0
    error_message = "A zone is named."
  }
}
variable "label" {}
variable "admins" {}
variable "shared_id" {}

resource "fake_thing" "t" {
  name = var.name
  size = var.size
  zone = var.zone
}

resource "fake_child" "admin" {
  count     = var.admins
  parent_id = fake_thing.t.id
  label     = "${var.name}-${var.label}-${count.index}"
}

resource "fake_child" "link" {
  parent_id = var.shared_id
  label     = "link-${var.name}"
}

locals {
  summary = "${fake_thing.t.id}/${var.zone}"
}

output "id" {
  value = fake_thing.t.id
}

output "summary" {
  value = local.summary
}
"#;

#[derive(Clone, Debug, PartialEq)]
struct Tenant {
    size: u8,
    zone: u8,
    label: u8,
    admins: u8,
}

#[derive(Clone, Debug)]
struct Fleet {
    tenants: BTreeMap<String, Tenant>,
    shared_size: u8,
    /// A suffix per size, in a shared local the tenants' labels read by their size.
    size_suffixes: [u8; 3],
    /// `moved` blocks from one tenant key to another.
    moves: Vec<(String, String)>,
}

/// One random edit between the apply and the plans.
#[derive(Clone, Debug)]
enum Edit {
    /// Sets a field (0 size, 1 zone, 2 label, 3 admins) of the n-th tenant.
    Field(usize, u8, u8),
    Add(String, Tenant),
    Remove(usize),
    SharedSize(u8),
    /// Sets the suffix of one size in the shared local.
    SizeSuffix(u8, u8),
    /// Marks the n-th stored instance tainted (state only).
    Taint(usize),
    /// Forgets the n-th stored instance (state only).
    Forget(usize),
    /// Renames the n-th tenant, with a `moved` block.
    Rename(usize, String),
}

const SIZES: [&str; 3] = ["small", "medium", "large"];

fn tenant() -> impl Strategy<Value = Tenant> {
    (0..3u8, 0..2u8, 0..3u8, 0..3u8).prop_map(|(size, zone, label, admins)| Tenant {
        size,
        zone,
        label,
        admins,
    })
}

fn fleet() -> impl Strategy<Value = Fleet> {
    (btree_map("[a-f]{1,2}", tenant(), 1..5), 0..3u8).prop_map(|(tenants, shared_size)| Fleet {
        tenants,
        shared_size,
        size_suffixes: [0; 3],
        moves: Vec::new(),
    })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..8usize, 0..4u8, 0..3u8).prop_map(|(n, field, value)| Edit::Field(n, field, value)),
        1 => ("[g-k]{1,2}", tenant()).prop_map(|(name, tenant)| Edit::Add(name, tenant)),
        1 => (0..8usize).prop_map(Edit::Remove),
        1 => (0..3u8).prop_map(Edit::SharedSize),
        1 => (0..3u8, 0..3u8).prop_map(|(size, suffix)| Edit::SizeSuffix(size, suffix)),
        1 => (0..40usize).prop_map(Edit::Taint),
        1 => (0..40usize).prop_map(Edit::Forget),
        1 => (0..8usize, "[m-p]{1,2}").prop_map(|(n, name)| Edit::Rename(n, name)),
    ]
}

impl Fleet {
    fn root(&self) -> String {
        let tenants: Vec<String> = self
            .tenants
            .iter()
            .map(|(name, t)| {
                format!(
                    "    {name} = {{ size = \"{}\", zone = \"z{}\", label = \"l{}\", admins = {} }}",
                    SIZES[usize::from(t.size)],
                    t.zone,
                    t.label,
                    t.admins
                )
            })
            .collect();
        let suffixes: Vec<String> = SIZES
            .iter()
            .zip(self.size_suffixes)
            .map(|(size, suffix)| format!("{size} = \"-s{suffix}\""))
            .collect();
        format!(
            r#"
locals {{
  tenants = {{
{}
  }}
  size_suffixes = {{ {} }}
}}

resource "fake_thing" "shared" {{
  name = "shared"
  size = "{}"
}}

module "tenant" {{
  source    = "./modules/tenant"
  for_each  = local.tenants
  name      = each.key
  size      = each.value.size
  zone      = each.value.zone
  label     = "${{each.value.label}}${{local.size_suffixes[each.value.size]}}"
  admins    = each.value.admins
  shared_id = fake_thing.shared.id
}}

resource "fake_child" "index" {{
  parent_id = fake_thing.shared.id
  label     = "index:${{join(",", sort(keys(module.tenant)))}}"
}}

output "ids" {{
  value = {{ for k, t in module.tenant : k => t.id }}
}}
"#,
            tenants.join("\n"),
            suffixes.join(", "),
            SIZES[usize::from(self.shared_size)]
        )
    }

    fn config(&self) -> Config {
        let moves: String = self
            .moves
            .iter()
            .map(|(from, to)| {
                format!(
                    "\nmoved {{\n  from = module.tenant[\"{from}\"]\n  to   = module.tenant[\"{to}\"]\n}}\n"
                )
            })
            .collect();
        config_files(&[
            ("main.tf", &format!("{}{moves}", self.root())),
            ("modules/tenant/main.tf", TENANT_MODULE),
        ])
    }

    /// Applies a configuration edit; state edits are left to [`edit_state`].
    fn edit(&mut self, edit: &Edit) {
        let names: Vec<String> = self.tenants.keys().cloned().collect();
        match edit {
            Edit::Field(n, field, value) if !names.is_empty() => {
                let Some(tenant) = self.tenants.get_mut(&names[n % names.len()]) else {
                    return;
                };
                match field {
                    0 => tenant.size = *value,
                    1 => tenant.zone = value % 2,
                    2 => tenant.label = *value,
                    _ => tenant.admins = *value,
                }
            }
            Edit::Add(name, tenant) => {
                self.tenants.insert(name.clone(), tenant.clone());
            }
            Edit::Remove(n) if names.len() > 1 => {
                self.tenants.remove(&names[n % names.len()]);
            }
            Edit::SharedSize(size) => self.shared_size = *size,
            Edit::SizeSuffix(size, suffix) => self.size_suffixes[usize::from(size % 3)] = *suffix,
            Edit::Rename(n, to) if !names.is_empty() && !self.tenants.contains_key(to) => {
                let from = &names[n % names.len()];
                if let Some(tenant) = self.tenants.remove(from) {
                    self.tenants.insert(to.clone(), tenant);
                    self.moves.push((from.clone(), to.clone()));
                }
            }
            _ => {}
        }
    }
}

/// Applies a state edit (without a new serial, so that the record still applies and the
/// per-instance rules are what is exercised).
fn edit_state(state: &mut State, edit: &Edit) {
    let addrs: Vec<InstanceAddr> = state.instances.keys().cloned().collect();
    if addrs.is_empty() {
        return;
    }
    match edit {
        Edit::Taint(n) => {
            if let Some(instance) = state.instances.get_mut(&addrs[n % addrs.len()]) {
                instance.tainted = true;
            }
        }
        Edit::Forget(n) => {
            state.instances.remove(&addrs[n % addrs.len()]);
        }
        _ => {}
    }
}

/// Keeps the digests and module outputs an apply computes.
struct DigestCollector {
    inner: Recorder,
    applied: Mutex<AppliedScope>,
}

impl ApplyRecorder for DigestCollector {
    fn record(&self, addr: &InstanceAddr, instance: Option<&InstanceState>) -> Result<(), String> {
        self.inner.record(addr, instance)
    }

    fn record_deposed(&self, change: &DeposedChange) -> Result<(), String> {
        self.inner.record_deposed(change)
    }

    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), String> {
        self.inner.record_move(from, to)
    }

    fn applied_config_digest(&self, addr: &InstanceAddr, digest: String) {
        self.applied
            .lock()
            .unwrap()
            .digests
            .insert(addr.clone(), digest);
    }

    fn applied_module_outputs(&self, module: &str, outputs: BTreeMap<String, Value>) {
        self.applied
            .lock()
            .unwrap()
            .module_outputs
            .insert(module.to_string(), outputs);
    }
}

fn scoped_options(scope: ScopeRequest, refresh: bool) -> PlanOptions {
    PlanOptions {
        show_only: false,
        refresh,
        scope,
        ..options(PlanMode::Normal)
    }
}

/// A change-scoped plan of `config` from `state` with `record`, without refresh.
async fn scoped_plan_without_refresh(
    config: &Config,
    state: &State,
    fake: &Arc<FakeProvider>,
    record: ScopeRecord,
) -> Plan {
    let request = ScopeRequest::Changed(Some(Arc::new(record)));
    plan_with(config, state, fake, &scoped_options(request, false)).await
}

/// Plans and applies `config` from `state` as the command line does; returns the state the
/// apply wrote (at the next serial) and the record it leaves.
async fn apply_recorded(
    config: &Config,
    state: &State,
    fake: &Arc<FakeProvider>,
) -> (State, ScopeRecord) {
    let plan = plan_with(
        config,
        state,
        fake,
        &scoped_options(ScopeRequest::All, true),
    )
    .await;
    let collector = DigestCollector {
        inner: Recorder::new(fake),
        applied: Mutex::new(AppliedScope::default()),
    };
    let runner = crate::provisioners::RecordingRunner::default();
    let applying = Applying {
        recorder: &collector,
        cancel_on_start: None,
        runner: &runner,
    };
    let (mut applied, diags) = applying.apply(config, state, &plan, fake).await;
    assert!(!diags.has_errors(), "{diags}");
    applied.serial = state.serial + 1;
    let applied_scope = std::mem::take(&mut *collector.applied.lock().unwrap());
    let record = record_after_apply(
        &plan.scope,
        plan.targeted,
        &applied_scope,
        &applied,
        applied.serial,
        &providers(fake),
    );
    (applied, record)
}

/// Applies `config` from an empty state, then once more with nothing to change: the first
/// apply cannot record the input digest of a module instance whose inputs were unknown while
/// planning (ids of objects it created), the second does.
async fn settled(config: &Config, fake: &Arc<FakeProvider>) -> (State, ScopeRecord) {
    let (state, _) = apply_recorded(config, &State::new(), fake).await;
    apply_recorded(config, &state, fake).await
}

/// The JSON plan without what differs between any two plans (`timestamp`).
fn json_without_timestamp(plan: &Plan) -> serde_json::Value {
    let mut json = crate::plan::json::saved_plan_json(plan, serde_json::Value::Null);
    if let Some(top) = json.as_object_mut() {
        top.remove("timestamp");
    }
    json
}

fn debug_all<T: std::fmt::Debug>(items: &[T]) -> Vec<String> {
    items.iter().map(|item| format!("{item:?}")).collect()
}

/// The changes without their configuration value, which the no-op of an instance of a
/// module left out whole does not evaluate (no JSON plan shows it, and applying a no-op
/// never reads it).
fn changes_without_config(plan: &Plan) -> Vec<String> {
    let mut changes = plan.changes.clone();
    for change in &mut changes {
        change.config = Value::Null;
    }
    debug_all(&changes)
}

/// A label the fake knows an instance's object by (its `name` or `label`).
fn object_label(change: &crate::plan::ResourceChange) -> Option<String> {
    let value = if change.prior.is_null() {
        &change.planned
    } else {
        &change.prior
    };
    value
        .get_attr("name")
        .or_else(|| value.get_attr("label"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Checks one fleet and edits; returns how many instances the scoped plan left out.
async fn check_case(fleet: Fleet, edits: Vec<Edit>) -> usize {
    let fake = FakeProvider::new();
    let (mut state, mut record) = settled(&fleet.config(), &fake).await;
    let mut edited = fleet.clone();
    for edit in &edits {
        edited.edit(edit);
        edit_state(&mut state, edit);
    }
    // A state edited under the same serial gives a full plan (see below); the record is
    // stamped with the edited state so that the per-instance rules (tainted, forgotten
    // objects) are what this property exercises.
    record.state_sha256 = state.content_sha256();
    let config = edited.config();
    let full = plan_with(
        &config,
        &state,
        &fake,
        &scoped_options(ScopeRequest::All, false),
    )
    .await;
    fake.planned.lock().unwrap().clear();
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record)));
    let scoped = plan_with(&config, &state, &fake, &scoped_options(request, false)).await;
    assert!(scoped.scope.changed_only, "{:?}", scoped.scope.fallback);
    assert_eq!(
        changes_without_config(&scoped),
        changes_without_config(&full)
    );
    assert_eq!(debug_all(&scoped.outputs), debug_all(&full.outputs));
    assert_eq!(
        json_without_timestamp(&scoped),
        json_without_timestamp(&full)
    );
    let asked: BTreeSet<String> = fake.planned.lock().unwrap().iter().cloned().collect();
    for change in scoped
        .changes
        .iter()
        .filter(|c| scoped.scope.unchanged.contains(&c.addr))
    {
        assert_eq!(change.action, Action::NoOp, "{} left out", change.addr);
        let label = object_label(change).unwrap_or_default();
        assert!(
            !asked.contains(&label),
            "{} was planned by the provider: {asked:?} {edits:?} {fleet:?}",
            change.addr
        );
    }
    scoped.scope.unchanged.len()
}

fn runner() -> TestRunner {
    let cases = std::env::var("TENANTFORM_PROPTEST_CASES")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let config = ProptestConfig {
        cases,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let seed: Vec<u8> = SEED.to_le_bytes().repeat(4);
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

#[test]
fn a_scoped_plan_without_refresh_is_the_full_plan_without_refresh() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let scenario = (fleet(), proptest::collection::vec(edit(), 0..4));
    let (cases, scoped) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    );
    let result = runner().run(&scenario, |(fleet, edits)| {
        let left_out = runtime.block_on(check_case(fleet, edits));
        cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if left_out > 0 {
            scoped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("the scoped plan property failed: {failure}");
    }
    let (cases, scoped) = (cases.into_inner(), scoped.into_inner());
    println!("{scoped} of {cases} cases left instances out");
    assert!(
        scoped * 2 > cases,
        "only {scoped} of {cases} cases left instances out"
    );
}

fn three_tenants() -> Fleet {
    let tenant = Tenant {
        size: 0,
        zone: 0,
        label: 0,
        admins: 1,
    };
    Fleet {
        tenants: ["a", "b", "c"]
            .iter()
            .map(|name| (name.to_string(), tenant.clone()))
            .collect(),
        shared_size: 0,
        size_suffixes: [0; 3],
        moves: Vec::new(),
    }
}

#[tokio::test]
async fn an_unchanged_fleet_is_left_out_whole_and_one_changed_tenant_is_all_that_is_planned() {
    let fleet = three_tenants();
    let fake = FakeProvider::new();
    let (state, record) = settled(&fleet.config(), &fake).await;
    let stored = state.instances.len();
    let mut edited = fleet.clone();
    edited.edit(&Edit::Field(1, 0, 2));
    fake.events.lock().unwrap().clear();
    fake.planned.lock().unwrap().clear();
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record.clone())));
    let plan = plan_with(
        &edited.config(),
        &state,
        &fake,
        &scoped_options(request, true),
    )
    .await;
    let changed: Vec<(String, Action)> = actions(&plan)
        .into_iter()
        .filter(|(_, action)| *action != Action::NoOp)
        .collect();
    assert_eq!(
        changed,
        [(
            "module.tenant[\"b\"].fake_thing.t".to_string(),
            Action::Update
        )]
    );
    // Tenant b's thing, its admin (which refers to it) and the index (which refers to every
    // tenant) are planned; everything else is left out.
    assert_eq!(plan.scope.unchanged.len(), stored - 3, "{:?}", plan.scope);
    let reads: BTreeSet<String> = fake
        .events()
        .into_iter()
        .filter(|e| e.starts_with("read "))
        .collect();
    let expected = ["read b", "read b-l0-s0-0", "read index:a,b,c"];
    assert_eq!(reads, expected.map(String::from).into());
    let planned: BTreeSet<String> = fake.planned.lock().unwrap().iter().cloned().collect();
    assert_eq!(
        planned,
        ["b", "b-l0-s0-0", "index:a,b,c"].map(String::from).into()
    );
    // Tenants a and c are left out whole (their inputs have the recorded digests); tenant
    // b's inputs changed, so its link is evaluated, and left out as it is unchanged.
    assert_eq!(
        record.modules.keys().collect::<Vec<_>>(),
        [
            "module.tenant[\"a\"]",
            "module.tenant[\"b\"]",
            "module.tenant[\"c\"]"
        ]
    );
    for frozen in ["a", "c"] {
        let link = change(
            &plan,
            &format!("module.tenant[\"{frozen}\"].fake_child.link"),
        );
        assert_eq!(link.action, Action::NoOp, "{frozen}");
        assert!(plan.scope.unchanged.contains(&link.addr), "{frozen}");
    }
    let evaluated = change(&plan, "module.tenant[\"b\"].fake_child.link");
    assert_eq!(evaluated.action, Action::NoOp);
    assert!(plan.scope.unchanged.contains(&evaluated.addr));
}

/// A module instance with a stored instance the record holds no digest for (an apply that
/// recorded only part of it) is not left out whole: that instance is planned.
#[tokio::test]
async fn a_tenant_with_an_unrecorded_instance_is_not_left_out_whole() {
    let fleet = three_tenants();
    let fake = FakeProvider::new();
    let (state, mut record) = settled(&fleet.config(), &fake).await;
    let unrecorded = "module.tenant[\"a\"].fake_thing.t";
    assert!(record.instances.remove(unrecorded).is_some());
    fake.planned.lock().unwrap().clear();
    let plan = scoped_plan_without_refresh(&fleet.config(), &state, &fake, record).await;
    let planned: BTreeSet<String> = fake.planned.lock().unwrap().iter().cloned().collect();
    assert!(planned.contains("a"), "{planned:?}");
    let addr = change(&plan, unrecorded).addr.clone();
    assert!(!plan.scope.unchanged.contains(&addr));
    // The other tenants are left out as before.
    assert!(
        !planned.contains("b") && !planned.contains("c"),
        "{planned:?}"
    );
}

#[tokio::test]
async fn a_plan_only_shown_counts_the_tenants_left_out_whole_and_reads_as_the_listed_plan() {
    let fleet = three_tenants();
    let fake = FakeProvider::new();
    let (state, record) = settled(&fleet.config(), &fake).await;
    // The record holds every tenant's outputs as the apply evaluated them.
    let summary = |tenant: &str| {
        let outputs = &record.module_outputs[&format!("module.tenant[\"{tenant}\"]")];
        let decoded = crate::engine::scoped::decode_outputs(outputs).unwrap_or_default();
        decoded.get("summary").cloned()
    };
    let stored_id = |tenant: &str| {
        let addr: InstanceAddr = format!("module.tenant[\"{tenant}\"].fake_thing.t")
            .parse()
            .unwrap();
        let attributes = state.instances[&addr].attributes.to_json();
        attributes["id"].as_str().map(str::to_string)
    };
    for tenant in ["a", "b", "c"] {
        let expected = stored_id(tenant).map(|id| Value::String(format!("{id}/z0")));
        assert_eq!(summary(tenant), expected, "{tenant}");
    }
    let mut edited = fleet.clone();
    edited.edit(&Edit::Field(1, 0, 2));
    let config = edited.config();
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record)));
    let listed = plan_with(
        &config,
        &state,
        &fake,
        &scoped_options(request.clone(), true),
    )
    .await;
    let shown_options = PlanOptions {
        show_only: true,
        ..scoped_options(request, true)
    };
    let shown = plan_with(&config, &state, &fake, &shown_options).await;
    // Tenants a and c have no change in the plan that is only shown, only a count.
    let under = |plan: &Plan, tenant: &str| {
        let prefix = format!("module.tenant[\"{tenant}\"].");
        plan.changes
            .iter()
            .filter(|change| change.addr.to_string().starts_with(&prefix))
            .count()
    };
    let left_out_whole = under(&listed, "a") + under(&listed, "c");
    assert!(left_out_whole > 0);
    assert_eq!(under(&shown, "a") + under(&shown, "c"), 0);
    assert_eq!(under(&shown, "b"), under(&listed, "b"));
    assert_eq!(shown.scope.unlisted_unchanged, left_out_whole);
    assert_eq!(
        shown.scope.unchanged.len() + left_out_whole,
        listed.scope.unchanged.len()
    );
    assert_eq!(shown.scope.summary(), listed.scope.summary());
    // Their input variables are not evaluated either: only tenant b's validation is checked.
    assert_eq!(shown.checks.len() + 2, listed.checks.len());
    assert_eq!(debug_all(&shown.outputs), debug_all(&listed.outputs));
    assert_eq!(shown.is_empty(), listed.is_empty());
    let schemas = providers(&fake).schemas;
    assert_eq!(
        crate::plan::render::render_plan(&shown, &schemas, false),
        crate::plan::render::render_plan(&listed, &schemas, false)
    );
}

#[tokio::test]
async fn a_record_of_another_serial_lineage_or_provider_version_gives_a_full_plan() {
    let fleet = three_tenants();
    let fake = FakeProvider::new();
    let (state, record) = apply_recorded(&fleet.config(), &State::new(), &fake).await;
    // Another serial, lineage or provider version: a full plan, saying why.
    for (stale, reason) in [
        (
            ScopeRecord {
                serial: record.serial - 1,
                ..record.clone()
            },
            "no instance record for serial 1: the record is of serial 0",
        ),
        (
            ScopeRecord {
                lineage: "other".into(),
                ..record.clone()
            },
            "no instance record for serial 1",
        ),
        (
            ScopeRecord {
                providers: BTreeMap::new(),
                ..record.clone()
            },
            "the provider versions changed since the instance record",
        ),
    ] {
        let plan = scoped_plan_without_refresh(&fleet.config(), &state, &fake, stale).await;
        assert!(!plan.scope.changed_only);
        assert_eq!(plan.scope.fallback.as_deref(), Some(reason));
        assert!(plan.scope.unchanged.is_empty());
    }
    let mut edited = state.clone();
    if let Some(instance) = edited.instances.values_mut().next() {
        instance.tainted = true;
    }
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record.clone())));
    let plan = plan_with(
        &fleet.config(),
        &edited,
        &fake,
        &scoped_options(request, false),
    )
    .await;
    assert_eq!(
        plan.scope.fallback.as_deref(),
        Some("the state at serial 1 is not the one the instance record describes")
    );
    let request = ScopeRequest::Changed(None);
    let plan = plan_with(
        &fleet.config(),
        &state,
        &fake,
        &scoped_options(request, false),
    )
    .await;
    assert_eq!(
        plan.scope.fallback.as_deref(),
        Some("no instance record for serial 1")
    );
}

#[tokio::test]
async fn impure_functions_and_data_sources_are_always_planned() {
    let source = r#"
data "fake_lookup" "l" {
  name = "x"
}

resource "fake_thing" "reads" {
  name = "reads-${data.fake_lookup.l.id}"
}

resource "fake_thing" "stamped" {
  name = "stamped"
  zone = substr(timestamp(), 0, 0)
}

resource "fake_thing" "plain" {
  name = "plain"
}
"#;
    let config = config(source);
    let fake = FakeProvider::new();
    let (state, record) = apply_recorded(&config, &State::new(), &fake).await;
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record)));
    let plan = plan_with(&config, &state, &fake, &scoped_options(request, false)).await;
    let unchanged: Vec<String> = plan
        .scope
        .unchanged
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(unchanged, ["fake_thing.plain"]);

    let local_stamp = format!("locals {{\n  at = timestamp()\n}}\n{source}");
    let config = super::config(&local_stamp);
    let (state, record) = apply_recorded(&config, &State::new(), &FakeProvider::new()).await;
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record)));
    let plan = plan_with(&config, &state, &fake, &scoped_options(request, false)).await;
    assert_eq!(
        plan.scope.fallback.as_deref(),
        Some("timestamp() is called outside a resource block in the root module")
    );
}

/// A fleet of `tenants` tenants with one admin each.
fn uniform_fleet(tenants: usize) -> Fleet {
    let tenant = Tenant {
        size: 0,
        zone: 0,
        label: 0,
        admins: 1,
    };
    Fleet {
        tenants: (0..tenants)
            .map(|i| (format!("t{i:05}"), tenant.clone()))
            .collect(),
        shared_size: 0,
        size_suffixes: [0; 3],
        moves: Vec::new(),
    }
}

#[tokio::test]
#[ignore = "a benchmark, not a unit test"]
async fn scoped_plan_timings() {
    for tenants in [250, 1000] {
        let fleet = uniform_fleet(tenants);
        let fake = FakeProvider::new();
        let (state, record) = settled(&fleet.config(), &fake).await;
        let mut edited = fleet.clone();
        edited.edit(&Edit::Field(0, 0, 2));
        let config = edited.config();
        for (name, request, refresh) in [
            ("full", ScopeRequest::All, true),
            ("full -refresh=false", ScopeRequest::All, false),
            (
                "scoped",
                ScopeRequest::Changed(Some(std::sync::Arc::new(record.clone()))),
                true,
            ),
        ] {
            fake.events.lock().unwrap().clear();
            fake.planned.lock().unwrap().clear();
            let started = std::time::Instant::now();
            let plan = plan_with(&config, &state, &fake, &scoped_options(request, refresh)).await;
            let reads = fake.events().len();
            let planned = fake.planned.lock().unwrap().len();
            println!(
                "{tenants} tenants, {name}: {:.2}s, {reads} reads, {planned} PlanResourceChange, {} left out",
                started.elapsed().as_secs_f64(),
                plan.scope.unchanged.len()
            );
        }
    }
}

#[tokio::test]
async fn replace_is_planned_and_warns_as_in_a_full_plan() {
    let fleet = three_tenants();
    let fake = FakeProvider::new();
    let (state, record) = settled(&fleet.config(), &fake).await;
    let mut options = scoped_options(
        ScopeRequest::Changed(Some(std::sync::Arc::new(record))),
        false,
    );
    options.replace = vec![
        "module.tenant[\"a\"].fake_thing.t".parse().unwrap(),
        "module.tenant[\"c\"].fake_child.admin".parse().unwrap(),
    ];
    let plan = plan_with(&fleet.config(), &state, &fake, &options).await;
    assert!(plan.scope.changed_only);
    assert_action(
        &plan,
        "module.tenant[\"a\"].fake_thing.t",
        Action::DeleteThenCreate,
        Some(crate::plan::ActionReason::ReplaceByRequest),
    );
    options.scope = ScopeRequest::All;
    let full = plan_with(&fleet.config(), &state, &fake, &options).await;
    assert_eq!(changes_without_config(&plan), changes_without_config(&full));
    let summaries = |plan: &Plan| -> Vec<String> {
        plan.warnings.0.iter().map(|w| w.summary.clone()).collect()
    };
    assert_eq!(summaries(&plan), summaries(&full));
    assert!(
        summaries(&full)
            .iter()
            .any(|s| s.contains("Incompletely-matched")),
        "{:?}",
        summaries(&full)
    );
}

/// Arguments that read a file are digested by their values: the file can change under the
/// same text, and a tenant whose argument file changed is planned, not left out.
#[tokio::test]
async fn a_tenant_whose_argument_file_changed_is_planned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("size.txt"), "small").unwrap();
    let root = r#"
module "tenant" {
  source   = "./modules/tenant"
  for_each = toset(["a", "b"])
  name     = each.key
  size     = each.key == "a" ? trimspace(file("${path.module}/size.txt")) : "medium"
}
"#;
    let module = r#"
variable "name" {}
variable "size" {}

resource "fake_thing" "t" {
  name = var.name
  size = var.size
}

output "id" {
  value = fake_thing.t.id
}
"#;
    let files: BTreeMap<String, String> = [("main.tf", root), ("modules/tenant/main.tf", module)]
        .into_iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let config = crate::config::load_sources(dir.path(), files).unwrap_or_else(|d| panic!("{d}"));
    let fake = FakeProvider::new();
    let (state, record) = settled(&config, &fake).await;
    std::fs::write(dir.path().join("size.txt"), "large").unwrap();
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record)));
    let shown_options = PlanOptions {
        show_only: true,
        ..scoped_options(request, false)
    };
    let shown = plan_with(&config, &state, &fake, &shown_options).await;
    let changed: Vec<String> = shown
        .changes
        .iter()
        .filter(|change| change.action != Action::NoOp)
        .map(|change| change.addr.to_string())
        .collect();
    assert_eq!(changed, ["module.tenant[\"a\"].fake_thing.t"]);
    // Tenant b's argument reads no file that changed: it is left out whole.
    assert_eq!(shown.scope.unlisted_unchanged, 1);
}

/// A tenant's input digest covers the configuration of the providers its module uses: with
/// the provider block edited, no tenant is left out.
#[tokio::test]
async fn an_edited_provider_configuration_leaves_no_tenant_out() {
    let fleet = three_tenants();
    let config_with = |endpoint: &str| {
        let root = format!(
            "{}\nprovider \"fake\" {{\n  endpoint = \"{endpoint}\"\n}}\n",
            fleet.root()
        );
        config_files(&[
            ("main.tf", root.as_str()),
            ("modules/tenant/main.tf", TENANT_MODULE),
        ])
    };
    let fake = FakeProvider::new();
    let (state, record) = settled(&config_with("a"), &fake).await;
    let request = ScopeRequest::Changed(Some(std::sync::Arc::new(record)));
    let shown_options = PlanOptions {
        show_only: true,
        ..scoped_options(request, false)
    };
    let same = plan_with(&config_with("a"), &state, &fake, &shown_options).await;
    assert!(same.scope.unlisted_unchanged > 0);
    let edited = plan_with(&config_with("b"), &state, &fake, &shown_options).await;
    assert_eq!(edited.scope.unlisted_unchanged, 0);
}
