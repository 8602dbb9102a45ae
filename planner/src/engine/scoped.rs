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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::addrs::{ConfigResourceAddr, InstanceAddr, ModuleStep, static_module_path};
use crate::config::Config;
use crate::lang::functions::impure::{impure_call_in_body, impure_call_in_expr};
use crate::plan::scope::PlanScope;
use crate::providers::Providers;
use crate::state::scope_record::SCOPE_RECORD_FORMAT;
use crate::state::{PROGRAM_VERSION, ScopeRecord, State};

/// What the plan's scope is to be.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum ScopeRequest {
    /// Plan everything (`-scope=all`, the default).
    #[default]
    All,
    /// Plan only what changed since the recorded apply (`-scope=changed`), with the record
    /// the store holds, if any.
    Changed(Option<Box<ScopeRecord>>),
}

/// One plan's scope: the recorded digests it compares with (none: it plans everything), and
/// what it learns while planning.
#[derive(Debug, Default)]
pub(crate) struct ScopeRun {
    /// The recorded digest of each instance, when the plan is change-scoped.
    baseline: Option<BTreeMap<String, String>>,
    /// Why a `-scope=changed` plan plans everything.
    fallback: Option<String>,
    /// The recorded input digest of each root module call instance.
    recorded_modules: BTreeMap<String, String>,
    /// How many instances the record holds under each root module call instance.
    recorded_under: BTreeMap<String, usize>,
    /// The stored instances under each root module call instance.
    stored_under: BTreeMap<String, StoredGroup>,
    learned: Mutex<Learned>,
}

/// The stored instances under one root module call instance.
#[derive(Debug, Default)]
pub(super) struct StoredGroup {
    pub addrs: Vec<InstanceAddr>,
    /// Whether any object there is tainted or deposed.
    pub tainted_or_deposed: bool,
    /// Whether any of them has no recorded digest.
    pub unrecorded: bool,
}

#[derive(Debug, Default)]
struct Learned {
    digests: BTreeMap<InstanceAddr, String>,
    /// The instances left out as unchanged.
    unchanged: BTreeSet<InstanceAddr>,
    /// The input digest of each root module call instance (`None`: it has none).
    module_digests: BTreeMap<String, Option<String>>,
    /// Whether each root module call's tree reads only what its input digest sees.
    trees_plain: BTreeMap<String, bool>,
    /// The input digest's hasher fed with what all instances of a module call share.
    digest_prefixes: BTreeMap<String, Sha256>,
    /// The planned instances whose change is not a no-op (and every data source read), by
    /// their resource's configuration address: what their dependents must be planned for.
    changing: BTreeMap<ConfigResourceAddr, Vec<InstanceAddr>>,
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
                baseline: record.as_ref().map(|record| record.instances.clone()),
                recorded_modules: record
                    .as_ref()
                    .map(|record| record.modules.clone())
                    .unwrap_or_default(),
                recorded_under: record
                    .as_ref()
                    .map(|record| count_under_modules(&record.instances))
                    .unwrap_or_default(),
                stored_under: stored_under_modules(state, record.as_deref()),
                ..ScopeRun::default()
            },
        }
    }

    /// Whether the plan leaves unchanged instances out.
    pub(super) fn is_scoped(&self) -> bool {
        self.baseline.is_some()
    }

    /// The digest the record holds for an instance.
    pub(super) fn recorded(&self, addr: &InstanceAddr) -> Option<&str> {
        self.baseline
            .as_ref()
            .and_then(|baseline| baseline.get(&addr.to_string()))
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
            digests: learned.digests,
            sweep,
            // Only a saved plan needs them: `cli/scope.rs` adds them as the plan is saved.
            stored: BTreeMap::new(),
            modules: learned
                .module_digests
                .into_iter()
                .filter_map(|(module, digest)| Some((module, digest?)))
                .collect(),
        }
    }

    /// The recorded input digest of a root module call instance.
    pub(super) fn recorded_module(&self, tenant: &[ModuleStep]) -> Option<&str> {
        self.recorded_modules
            .get(&module_key(tenant))
            .map(String::as_str)
    }

    /// How many instances the record holds under a root module call instance.
    pub(super) fn recorded_count_under(&self, tenant: &[ModuleStep]) -> usize {
        self.recorded_under
            .get(&module_key(tenant))
            .copied()
            .unwrap_or(0)
    }

    /// The stored instances under a root module call instance (`None`: there are none).
    pub(super) fn stored_under(&self, tenant: &[ModuleStep]) -> Option<&StoredGroup> {
        self.stored_under.get(&module_key(tenant))
    }

    /// The input digest computed for a module instance, once it is.
    pub(super) fn module_digest(&self, tenant: &[ModuleStep]) -> Option<Option<String>> {
        crate::sync::locked(&self.learned)
            .module_digests
            .get(&module_key(tenant))
            .cloned()
    }

    pub(super) fn note_module_digest(&self, tenant: &[ModuleStep], digest: Option<String>) {
        crate::sync::locked(&self.learned)
            .module_digests
            .insert(module_key(tenant), digest);
    }

    pub(super) fn digest_prefix(&self, call: &str) -> Option<Sha256> {
        crate::sync::locked(&self.learned)
            .digest_prefixes
            .get(call)
            .cloned()
    }

    pub(super) fn note_digest_prefix(&self, call: String, prefix: Sha256) {
        crate::sync::locked(&self.learned)
            .digest_prefixes
            .insert(call, prefix);
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

/// The stored instances under each root module call instance, with whether any object
/// there is tainted or deposed and whether any has no digest in `record` (one pass over
/// the state).
fn stored_under_modules(
    state: &State,
    record: Option<&ScopeRecord>,
) -> BTreeMap<String, StoredGroup> {
    let mut groups: BTreeMap<String, StoredGroup> = BTreeMap::new();
    for (addr, object) in &state.instances {
        if let Some(outer) = addr.module.first() {
            let group = groups
                .entry(module_key(std::slice::from_ref(outer)))
                .or_default();
            group.addrs.push(addr.clone());
            group.tainted_or_deposed |= object.tainted;
            group.unrecorded |=
                !record.is_some_and(|record| record.instances.contains_key(&addr.to_string()));
        }
    }
    for (addr, _) in state.deposed.keys() {
        if let Some(outer) = addr.module.first() {
            groups
                .entry(module_key(std::slice::from_ref(outer)))
                .or_default()
                .tainted_or_deposed = true;
        }
    }
    groups
}

/// How many recorded instances sit under each root module call instance.
fn count_under_modules(instances: &BTreeMap<String, String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for text in instances.keys() {
        if let Ok(addr) = text.parse::<InstanceAddr>()
            && let Some(outer) = addr.module.first()
        {
            *counts
                .entry(module_key(std::slice::from_ref(outer)))
                .or_insert(0) += 1;
        }
    }
    counts
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

/// The record an apply of `plan` leaves when it succeeded and wrote `state` at `serial`:
/// for each instance in the new state, the digest its apply computed (`applied`) or else
/// the one the plan computed. Instances with neither are left out, so the next
/// change-scoped plan plans them.
pub(crate) fn record_after_apply(
    plan: &PlanScope,
    targeted: bool,
    applied: &BTreeMap<InstanceAddr, String>,
    state: &State,
    serial: u64,
    providers: &Providers,
) -> ScopeRecord {
    let instances: BTreeMap<String, String> = state
        .instances
        .keys()
        .filter_map(|addr| {
            let digest = applied.get(addr).or_else(|| plan.digests.get(addr))?;
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
    let modules = if targeted {
        BTreeMap::new()
    } else {
        plan.modules
            .iter()
            .filter(|(module, _)| complete(module))
            .map(|(module, digest)| (module.clone(), digest.clone()))
            .collect()
    };
    ScopeRecord {
        format: SCOPE_RECORD_FORMAT,
        lineage: state.lineage.clone(),
        serial,
        state_sha256: state.content_sha256(),
        program_version: PROGRAM_VERSION.to_string(),
        providers: provider_versions(providers),
        instances,
        modules,
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
