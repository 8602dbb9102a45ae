//! Change-scoped planning (`plan -scope=changed`, a tenantform extension): what one plan
//! knows about its scope, and the instance record an apply leaves for the next plan.
//!
//! A `-scope=changed` plan trusts the record ([`ScopeRecord`]) only when it describes exactly
//! the state being planned (lineage and serial), was written by this program version and with
//! the same provider versions, and when the configuration reads nothing a digest cannot see
//! outside resource blocks (an impure function in a local, module argument, output or
//! provider block) and has no `import` blocks. Otherwise it plans everything and says why
//! ([`ScopeRun::fallback`]). Which instances it then leaves out is decided per instance in
//! `scoped_plan`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tenantform_proto::value::Value;

use crate::addrs::{ConfigResourceAddr, InstanceAddr, ModuleStep, static_module_path};
use crate::config::Config;
use crate::lang::functions::impure::{impure_call_in_body, impure_call_in_expr};
use crate::plan::planfile::EncodedValue;
use crate::plan::scope::PlanScope;
use crate::providers::Providers;
use crate::state::scope_record::SCOPE_RECORD_FORMAT;
use crate::state::{PROGRAM_VERSION, ScopeRecord, State};

use super::fast_map::FastMap;

/// What the plan's scope is to be.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum ScopeRequest {
    /// Plan everything (`-scope=all`, the default).
    #[default]
    All,
    /// Plan only what changed since the recorded apply (`-scope=changed`), with the record
    /// the store holds, if any.
    Changed(Option<Arc<ScopeRecord>>),
}

/// One plan's scope: the record it compares with (none: it plans everything), and what it
/// learns while planning.
#[derive(Debug, Default)]
pub(crate) struct ScopeRun {
    /// The record, when the plan is change-scoped.
    record: Option<Arc<ScopeRecord>>,
    /// Why a `-scope=changed` plan plans everything.
    fallback: Option<String>,
    /// What the record and the state hold under each root module call instance.
    modules: FastMap<ModuleStep, ModuleRecord>,
    learned: Mutex<Learned>,
}

/// What the record and the state hold under one root module call instance.
#[derive(Debug, Default)]
pub(super) struct ModuleRecord {
    /// Its name in the record, `module.NAME[KEY]` (empty when the record names nothing
    /// under it).
    key: String,
    /// How many instances the record holds under it.
    recorded: usize,
    /// The stored instances under it.
    pub stored: StoredGroup,
}

/// The stored instances under one root module call instance.
#[derive(Debug, Default)]
pub(super) struct StoredGroup {
    pub addrs: Vec<InstanceAddr>,
    /// Whether any object there is tainted or deposed.
    pub tainted_or_deposed: bool,
}

/// What the input digests of every instance of one root module call share.
#[derive(Clone, Debug)]
pub(super) struct CallPrefix {
    /// The hasher fed with it (`None`: the arguments refer to something not wholly known).
    pub hasher: Option<Sha256>,
    /// Whether the arguments call a file-reading function: their text and the values they
    /// refer to do not determine their values, which are then digested too.
    pub reads_files: bool,
}

#[derive(Debug, Default)]
struct Learned {
    digests: BTreeMap<InstanceAddr, String>,
    /// The instances left out as unchanged.
    unchanged: BTreeSet<InstanceAddr>,
    /// The input digest of each root module call instance (`None`: it has none).
    module_digests: FastMap<ModuleStep, Option<String>>,
    /// Whether each root module call's tree reads only what its input digest sees.
    trees_plain: BTreeMap<String, bool>,
    /// What the input digests of every instance of a root module call share, by call name.
    call_prefixes: HashMap<String, CallPrefix>,
    /// The digest of each root module call instance's arguments (`None`: they refer to
    /// something not wholly known).
    call_digests: FastMap<ModuleStep, Option<[u8; 32]>>,
    /// The digest of the configurations of the providers each root module call's tree
    /// uses, once all are known.
    provider_digests: HashMap<String, [u8; 32]>,
    /// The planned instances whose change is not a no-op (and every data source read), by
    /// their resource's configuration address: what their dependents must be planned for.
    changing: BTreeMap<ConfigResourceAddr, Vec<InstanceAddr>>,
    /// Whether each frozen root module call instance is left out of evaluation whole.
    left_out_whole: FastMap<ModuleStep, bool>,
    /// How many instances the plan leaves out without a change of their own (a plan that
    /// is only shown).
    unlisted_unchanged: usize,
}

impl ScopeRun {
    /// The scope of a plan of `state` with `config` and `providers`.
    pub(crate) fn new(
        request: &ScopeRequest,
        config: &Config,
        state: &State,
        providers: &Providers,
    ) -> ScopeRun {
        let ScopeRequest::Changed(record) = request else {
            return ScopeRun::default();
        };
        match unusable_record(record.as_deref(), config, state, providers) {
            Some(reason) => ScopeRun {
                fallback: Some(reason),
                ..ScopeRun::default()
            },
            None => ScopeRun {
                modules: module_records(state, record.as_deref()),
                record: record.clone(),
                ..ScopeRun::default()
            },
        }
    }

    /// Whether the plan leaves unchanged instances out.
    pub(super) fn is_scoped(&self) -> bool {
        self.record.is_some()
    }

    /// The digest the record holds for an instance.
    pub(super) fn recorded(&self, addr: &InstanceAddr) -> Option<&str> {
        self.record
            .as_ref()
            .and_then(|record| record.instances.get(&addr.to_string()))
            .map(String::as_str)
    }

    pub(super) fn note_digest(&self, addr: &InstanceAddr, digest: String) {
        crate::sync::locked(&self.learned)
            .digests
            .insert(addr.clone(), digest);
    }

    pub(super) fn note_unchanged(&self, addr: &InstanceAddr) {
        crate::sync::locked(&self.learned)
            .unchanged
            .insert(addr.clone());
    }

    /// Notes a planned instance whose dependents must be planned too.
    pub(super) fn note_changing(&self, addr: &InstanceAddr) {
        let resource = ConfigResourceAddr::new(&static_module_path(&addr.module), &addr.resource);
        crate::sync::locked(&self.learned)
            .changing
            .entry(resource)
            .or_default()
            .push(addr.clone());
    }

    /// Whether an instance of one of `dependencies` that `addr` can see is changing: one in
    /// the same instance of every module the two share.
    pub(super) fn dependency_changing(
        &self,
        addr: &InstanceAddr,
        dependencies: &[ConfigResourceAddr],
    ) -> bool {
        let learned = crate::sync::locked(&self.learned);
        dependencies.iter().any(|dependency| {
            learned.changing.get(dependency).is_some_and(|changing| {
                changing
                    .iter()
                    .any(|other| same_shared_module_instances(addr, other))
            })
        })
    }

    /// What the plan records about its scope.
    pub(super) fn plan_scope(&self, sweep: Option<String>) -> PlanScope {
        let learned = std::mem::take(&mut *crate::sync::locked(&self.learned));
        PlanScope {
            changed_only: self.is_scoped(),
            fallback: self.fallback.clone(),
            unchanged: learned.unchanged,
            unlisted_unchanged: learned.unlisted_unchanged,
            digests: learned.digests,
            sweep,
            // Only a saved plan needs them: `cli/scope.rs` adds them as the plan is saved.
            stored: BTreeMap::new(),
            modules: learned
                .module_digests
                .into_iter()
                .filter_map(|(outer, digest)| {
                    Some((module_key(std::slice::from_ref(&outer)), digest?))
                })
                .collect(),
        }
    }

    /// The recorded input digest of a root module call instance.
    pub(super) fn recorded_module(&self, outer: &ModuleStep) -> Option<&str> {
        let key = &self.modules.get(outer)?.key;
        self.record.as_ref()?.modules.get(key).map(String::as_str)
    }

    /// How many instances the record holds under a root module call instance.
    pub(super) fn recorded_count_under(&self, outer: &ModuleStep) -> usize {
        self.modules.get(outer).map_or(0, |module| module.recorded)
    }

    /// The stored instances under a root module call instance (`None`: there are none).
    pub(super) fn stored_under(&self, outer: &ModuleStep) -> Option<&StoredGroup> {
        self.modules
            .get(outer)
            .map(|module| &module.stored)
            .filter(|stored| !stored.addrs.is_empty())
    }

    /// The recorded outputs of a root module call instance.
    pub(super) fn recorded_outputs(
        &self,
        outer: &ModuleStep,
    ) -> Option<&BTreeMap<String, serde_json::Value>> {
        let key = &self.modules.get(outer)?.key;
        self.record.as_ref()?.module_outputs.get(key)
    }

    /// The input digest computed for a module instance, once it is.
    pub(super) fn module_digest(&self, outer: &ModuleStep) -> Option<Option<String>> {
        crate::sync::locked(&self.learned)
            .module_digests
            .get(outer)
            .cloned()
    }

    pub(super) fn note_module_digest(&self, outer: &ModuleStep, digest: Option<String>) {
        crate::sync::locked(&self.learned)
            .module_digests
            .insert(outer.clone(), digest);
    }

    pub(super) fn call_prefix(&self, call: &str) -> Option<CallPrefix> {
        crate::sync::locked(&self.learned)
            .call_prefixes
            .get(call)
            .cloned()
    }

    pub(super) fn note_call_prefix(&self, call: &str, prefix: CallPrefix) {
        crate::sync::locked(&self.learned)
            .call_prefixes
            .insert(call.to_string(), prefix);
    }

    /// The digest of a root module call instance's arguments, once the call's visit noted
    /// it (`Some(None)`: they refer to something not wholly known).
    pub(super) fn call_digest(&self, outer: &ModuleStep) -> Option<Option<[u8; 32]>> {
        crate::sync::locked(&self.learned)
            .call_digests
            .get(outer)
            .copied()
    }

    pub(super) fn provider_digest(&self, call: &str) -> Option<[u8; 32]> {
        crate::sync::locked(&self.learned)
            .provider_digests
            .get(call)
            .copied()
    }

    pub(super) fn note_provider_digest(&self, call: &str, digest: [u8; 32]) {
        crate::sync::locked(&self.learned)
            .provider_digests
            .insert(call.to_string(), digest);
    }

    pub(super) fn note_call_digest(&self, outer: &ModuleStep, digest: Option<[u8; 32]>) {
        crate::sync::locked(&self.learned)
            .call_digests
            .insert(outer.clone(), digest);
    }

    /// Whether a frozen module instance is left out of evaluation whole, once decided.
    pub(super) fn left_out_whole(&self, outer: &ModuleStep) -> Option<bool> {
        crate::sync::locked(&self.learned)
            .left_out_whole
            .get(outer)
            .copied()
    }

    /// Notes whether a frozen module instance is left out of evaluation whole; when the
    /// plan keeps no change for its instances, `unlisted` counts them.
    pub(super) fn note_left_out_whole(&self, outer: &ModuleStep, whole: bool, unlisted: usize) {
        let mut learned = crate::sync::locked(&self.learned);
        learned.left_out_whole.insert(outer.clone(), whole);
        learned.unlisted_unchanged += unlisted;
    }

    pub(super) fn tree_plain(&self, name: &str) -> Option<bool> {
        crate::sync::locked(&self.learned)
            .trees_plain
            .get(name)
            .copied()
    }

    pub(super) fn note_tree_plain(&self, name: &str, plain: bool) {
        crate::sync::locked(&self.learned)
            .trees_plain
            .insert(name.to_string(), plain);
    }
}

/// How a root module call instance is named in the record: `module.NAME[KEY]`.
pub(crate) fn module_key(tenant: &[ModuleStep]) -> String {
    tenant
        .iter()
        .map(|step| format!("module.{}{}", step.name, step.key))
        .collect::<Vec<_>>()
        .join(".")
}

/// What the record and the state hold under each root module call instance: the stored
/// instances, with whether any object there is tainted or deposed, and how many instances
/// the record holds there (one pass over each). A usable record describes exactly this
/// state, and an apply records only instances of the state it wrote, so the recorded
/// instances under a module instance are some of the stored ones: all of them when the two
/// counts are equal.
fn module_records(
    state: &State,
    record: Option<&ScopeRecord>,
) -> FastMap<ModuleStep, ModuleRecord> {
    let mut modules: FastMap<ModuleStep, ModuleRecord> = FastMap::default();
    for (addr, object) in &state.instances {
        if let Some(outer) = addr.module.first() {
            if !modules.contains_key(outer) {
                modules.insert(outer.clone(), ModuleRecord::default());
            }
            let Some(module) = modules.get_mut(outer) else {
                continue;
            };
            let group = &mut module.stored;
            group.addrs.push(addr.clone());
            group.tainted_or_deposed |= object.tainted;
        }
    }
    for (addr, _) in state.deposed.keys() {
        if let Some(outer) = addr.module.first() {
            modules
                .entry(outer.clone())
                .or_default()
                .stored
                .tainted_or_deposed = true;
        }
    }
    let Some(record) = record else {
        return modules;
    };
    for text in record.instances.keys() {
        if let Some((outer, key)) = outer_module_step(text) {
            let module = modules.entry(outer).or_default();
            module.recorded += 1;
            if module.key.is_empty() {
                module.key = key.to_string();
            }
        }
    }
    for key in record.modules.keys() {
        if let Some((outer, _)) = outer_module_step(key) {
            let module = modules.entry(outer).or_default();
            if module.key.is_empty() {
                module.key = key.clone();
            }
        }
    }
    modules
}

/// The root module call instance a recorded address starts with, and its name in the
/// record (`module.NAME[KEY]`, the prefix of `text`), without reading the rest.
fn outer_module_step(text: &str) -> Option<(ModuleStep, &str)> {
    let after = text.strip_prefix("module.")?;
    let (step, rest) = crate::addrs::ModuleStep::read_prefix(after).ok()?;
    let key = &text[..text.len() - rest.len()];
    Some((step, key))
}

/// Whether two instances sit in the same instance of every module call their paths share
/// from the root.
pub(crate) fn same_shared_module_instances(a: &InstanceAddr, b: &InstanceAddr) -> bool {
    for (step_a, step_b) in a.module.iter().zip(&b.module) {
        if step_a.name != step_b.name {
            return true;
        }
        if step_a.key != step_b.key {
            return false;
        }
    }
    true
}

/// Why the record cannot scope a plan of `state`; `None` when it can.
fn unusable_record(
    record: Option<&ScopeRecord>,
    config: &Config,
    state: &State,
    providers: &Providers,
) -> Option<String> {
    let serial = state.serial;
    let Some(record) = record else {
        return Some(format!("no instance record for serial {serial}"));
    };
    if record.format != SCOPE_RECORD_FORMAT || record.lineage != state.lineage {
        return Some(format!("no instance record for serial {serial}"));
    }
    if record.serial != serial {
        return Some(format!(
            "no instance record for serial {serial}: the record is of serial {}",
            record.serial
        ));
    }
    if !record.state_file_matches && record.state_sha256 != state.content_sha256() {
        return Some(format!(
            "the state at serial {serial} is not the one the instance record describes"
        ));
    }
    if record.program_version != PROGRAM_VERSION {
        return Some(format!(
            "the instance record was written by tenantform {}",
            record.program_version
        ));
    }
    if record.providers != provider_versions(providers) {
        return Some("the provider versions changed since the instance record".into());
    }
    if !config.imports.is_empty() {
        return Some("the configuration has import blocks".into());
    }
    impure_outside_resources(config).map(|(function, module)| {
        let place = if module.is_empty() {
            "the root module".to_string()
        } else {
            format!("module.{}", module.join(".module."))
        };
        format!("{function}() is called outside a resource block in {place}")
    })
}

/// Each provider's version identity by source address.
pub(crate) fn provider_versions(providers: &Providers) -> BTreeMap<String, String> {
    providers
        .sources
        .iter()
        .map(|(local, source)| {
            let version = providers.versions.get(local).cloned().unwrap_or_default();
            (source.clone(), version)
        })
        .collect()
}

/// The first impure function a local, module call, output or provider block of the tree
/// calls, with its module's path: values no resource digest can vouch for.
fn impure_outside_resources(config: &Config) -> Option<(String, Vec<String>)> {
    let found = config
        .locals
        .values()
        .find_map(|local| impure_call_in_expr(&local.expr))
        .or_else(|| {
            config
                .outputs
                .values()
                .find_map(|output| impure_call_in_expr(&output.expr))
        })
        .or_else(|| {
            config.module_calls.values().find_map(|call| {
                impure_call_in_body(&call.inputs)
                    .or_else(|| call.count.as_ref().and_then(impure_call_in_expr))
                    .or_else(|| call.for_each.as_ref().and_then(impure_call_in_expr))
            })
        })
        .or_else(|| {
            config
                .providers
                .values()
                .find_map(|provider| impure_call_in_body(&provider.body))
        });
    if let Some(function) = found {
        return Some((function, config.path.clone()));
    }
    config.children.values().find_map(impure_outside_resources)
}

/// The outputs of module instances, by module instance (`module.NAME[KEY]`) and name.
pub(crate) type ModuleOutputs = BTreeMap<String, BTreeMap<String, Value>>;

/// What an apply hands over for the record it leaves: the digest of each instance's
/// configuration it evaluated, and the outputs of root module call instances.
#[derive(Debug, Default)]
pub(crate) struct AppliedScope {
    pub digests: BTreeMap<InstanceAddr, String>,
    pub module_outputs: ModuleOutputs,
}

/// Module outputs in the record's form: each a plan file's typed value.
fn encode_outputs(outputs: &BTreeMap<String, Value>) -> BTreeMap<String, serde_json::Value> {
    outputs
        .iter()
        .filter_map(|(name, value)| {
            let encoded = serde_json::to_value(EncodedValue::encode(value)).ok()?;
            Some((name.clone(), encoded))
        })
        .collect()
}

/// Module outputs read back from the record; `None` when one does not decode.
pub(crate) fn decode_outputs(
    outputs: &BTreeMap<String, serde_json::Value>,
) -> Option<BTreeMap<String, Value>> {
    outputs
        .iter()
        .map(|(name, encoded)| {
            let value = EncodedValue::deserialize(encoded).ok()?.decode().ok()?;
            Some((name.clone(), value))
        })
        .collect()
}

/// The record an apply of `plan` leaves when it succeeded and wrote `state` at `serial`:
/// for each instance in the new state, the digest its apply computed (`applied`) or else
/// the one the plan computed. Instances with neither are left out, so the next
/// change-scoped plan plans them.
pub(crate) fn record_after_apply(
    plan: &PlanScope,
    targeted: bool,
    applied: &AppliedScope,
    state: &State,
    serial: u64,
    providers: &Providers,
) -> ScopeRecord {
    let instances: BTreeMap<String, String> = state
        .instances
        .keys()
        .filter_map(|addr| {
            let digest = applied
                .digests
                .get(addr)
                .or_else(|| plan.digests.get(addr))?;
            Some((addr.to_string(), digest.clone()))
        })
        .collect();
    // A module instance's input digest vouches for it only when the plan covered all of it
    // and every instance it left in the state has a digest (one pass over the state).
    let mut complete: BTreeMap<String, bool> = BTreeMap::new();
    for addr in state.instances.keys() {
        if let Some(outer) = addr.module.first() {
            let covered = instances.contains_key(&addr.to_string());
            *complete
                .entry(module_key(std::slice::from_ref(outer)))
                .or_insert(true) &= covered;
        }
    }
    let complete = |module: &str| complete.get(module).copied().unwrap_or(true);
    let modules: BTreeMap<String, String> = if targeted {
        BTreeMap::new()
    } else {
        plan.modules
            .iter()
            .filter(|(module, _)| complete(module))
            .map(|(module, digest)| (module.clone(), digest.clone()))
            .collect()
    };
    let module_outputs = applied
        .module_outputs
        .iter()
        .filter(|(module, _)| modules.contains_key(*module))
        .map(|(module, outputs)| (module.clone(), encode_outputs(outputs)))
        .collect();
    ScopeRecord {
        format: SCOPE_RECORD_FORMAT,
        lineage: state.lineage.clone(),
        serial,
        state_sha256: state.content_sha256(),
        program_version: PROGRAM_VERSION.to_string(),
        providers: provider_versions(providers),
        instances,
        modules,
        module_outputs,
        state_file_sha256: None,
        state_file_matches: false,
    }
}

/// The hex SHA-256 of each stored object of `state` (its state file JSON), by address;
/// deposed objects as `ADDRESS deposed KEY`.
pub(crate) fn stored_digests(state: &State) -> BTreeMap<String, String> {
    let digest = |object: &crate::state::InstanceState| {
        let bytes = serde_json::to_vec(object).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    };
    let current = state
        .instances
        .iter()
        .map(|(addr, object)| (addr.to_string(), digest(object)));
    let deposed = state
        .deposed
        .iter()
        .map(|((addr, key), object)| (format!("{addr} deposed {key}"), digest(object)));
    current.chain(deposed).collect()
}
