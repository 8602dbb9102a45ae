//! `-scope=changed|all` of `plan` and `apply` (a tenantform extension): reading the flag and
//! the store's instance record for the plan, the one line that says what a change-scoped
//! plan covered, and, after a successful apply, the new instance record (the digests the
//! apply computed, else the plan's) tied to the serial the apply wrote.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::{Failure, Ui};
use crate::addrs::{ConfigResourceAddr, InstanceAddr, static_module_path};
use crate::engine::scoped::{
    AppliedScope, ModuleOutputs, ScopeRequest, record_after_apply, same_shared_module_instances,
    stored_digests,
};
use crate::engine::{ApplyRecorder, PlanOptions};
use crate::plan::render::Schemas;
use crate::plan::{Plan, PlanMode};
use crate::providers::Providers;
use crate::state::{DeposedChange, InstanceState, State, StateStore};
use tenantform_proto::value::Value;

/// The scope `-scope` asks for (without the record yet).
pub(super) fn requested(
    parsed: &super::args::Parsed,
    command: &'static super::commands::Command,
) -> Result<ScopeRequest, Failure> {
    match parsed.last("scope").map(str::trim) {
        None | Some("all") => Ok(ScopeRequest::All),
        Some("changed") => Ok(ScopeRequest::Changed(None)),
        Some(other) => Err(command.usage_error(format!(
            "Invalid -scope {other:?}: expected \"changed\" or \"all\""
        ))),
    }
}

/// The stored state (or a new empty one) and the request with the store's instance record,
/// for a `-scope=changed` plan. A record that cannot be read counts as none: the plan is
/// then a full one.
pub(super) fn read_state_and_record(
    request: ScopeRequest,
    store: &dyn StateStore,
) -> Result<(State, ScopeRequest), Failure> {
    if request == ScopeRequest::All {
        return Ok((super::common::read_state(store)?, request));
    }
    let (state, record) = store.read_with_scope_record();
    let state = super::common::state_or_empty(state)?;
    tracing::debug!("state and instance record read");
    let request = match record {
        Ok(record) => ScopeRequest::Changed(record.map(std::sync::Arc::new)),
        Err(err) => {
            tracing::warn!("could not read the instance record: {err}");
            ScopeRequest::Changed(None)
        }
    };
    Ok((state, request))
}

/// Refuses `-scope=changed` where it has no meaning.
pub(super) fn check_options(options: &PlanOptions) -> Result<(), Failure> {
    if options.scope == ScopeRequest::All {
        return Ok(());
    }
    if options.mode != PlanMode::Normal {
        return Err(Failure::error(
            "Invalid -scope option",
            "The -scope=changed option is valid only in normal planning mode: a destroy or \
             refresh-only plan covers every instance.",
        ));
    }
    if !options.targets.is_empty() || !options.excludes.is_empty() {
        return Err(Failure::error(
            "Invalid -scope option",
            "The -scope=changed option cannot be combined with -target or -exclude.",
        ));
    }
    Ok(())
}

/// Prints what a change-scoped plan covered (nothing for other plans).
pub(super) fn report(ui: &Ui, plan: &Plan) {
    if let Some(line) = plan.scope.summary()
        && !ui.view.is_json()
    {
        ui.out(&format!("\n{line}\n"));
    }
}

/// A recorder that also keeps the digests the apply computed.
pub(super) struct DigestRecorder<'a> {
    inner: &'a dyn ApplyRecorder,
    applied: Mutex<BTreeMap<InstanceAddr, String>>,
    module_outputs: Mutex<ModuleOutputs>,
}

impl<'a> DigestRecorder<'a> {
    pub(super) fn new(inner: &'a dyn ApplyRecorder) -> DigestRecorder<'a> {
        DigestRecorder {
            inner,
            applied: Mutex::new(BTreeMap::new()),
            module_outputs: Mutex::new(BTreeMap::new()),
        }
    }
}

impl ApplyRecorder for DigestRecorder<'_> {
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
        crate::sync::locked(&self.applied).insert(addr.clone(), digest);
    }

    fn applied_module_outputs(&self, module: &str, outputs: BTreeMap<String, Value>) {
        crate::sync::locked(&self.module_outputs).insert(module.to_string(), outputs);
    }
}

/// Writes the instance record after a successful apply of a normal plan that left `state`
/// at `serial`. Failing to write it only costs the next change-scoped plan its scope (the
/// old record names another serial), so it warns.
pub(super) fn record_apply(
    store: &dyn StateStore,
    plan: &Plan,
    recorder: &DigestRecorder<'_>,
    state: &State,
    serial: u64,
    providers: &Providers,
) {
    if plan.mode != PlanMode::Normal {
        return;
    }
    let applied = AppliedScope {
        digests: std::mem::take(&mut *crate::sync::locked(&recorder.applied)),
        module_outputs: std::mem::take(&mut *crate::sync::locked(&recorder.module_outputs)),
    };
    let record = record_after_apply(
        &plan.scope,
        plan.targeted,
        &applied,
        state,
        serial,
        providers,
    );
    if let Err(err) = store.write_scope_record(&record) {
        tracing::warn!("could not write the instance record: {err}");
    }
}

/// Adds to a change-scoped plan about to be saved the digest of every stored object of the
/// state it was made against (`state`), by which applying it later tells what changed since.
/// Only a saved plan needs them, so a plan computes them only as it is saved.
pub(super) fn add_stored_digests(plan: &mut Plan, state: &State) {
    if plan.scope.changed_only {
        plan.scope.stored = stored_digests(state);
    }
}

/// The stored objects (by address; deposed ones as `ADDRESS deposed KEY`) that differ
/// between the state a saved plan was made against and `state`.
fn changed_since(plan: &Plan, state: &State) -> BTreeSet<String> {
    let now = stored_digests(state);
    let then = &plan.scope.stored;
    let mut changed: BTreeSet<String> = then
        .iter()
        .filter(|(key, digest)| now.get(*key) != Some(*digest))
        .map(|(key, _)| key.clone())
        .collect();
    changed.extend(now.keys().filter(|key| !then.contains_key(*key)).cloned());
    changed
}

/// Whether a saved change-scoped plan applies to `state`, a later state of the same
/// lineage: nothing in its scope changed since it was made, neither a stored object it
/// plans nor one of a resource those instances depend on. Other plans apply only to the
/// exact state they were made against.
pub(super) fn saved_plan_still_applies(plan: &Plan, state: &State) -> bool {
    if !plan.scope.changed_only || state.lineage != plan.prior_lineage {
        return false;
    }
    let in_scope: Vec<&crate::plan::ResourceChange> = plan
        .changes
        .iter()
        .filter(|change| !plan.scope.unchanged.contains(&change.addr))
        .collect();
    changed_since(plan, state).iter().all(|key| {
        let addr_text = key.split(" deposed ").next().unwrap_or(key);
        let Ok(addr) = addr_text.parse::<InstanceAddr>() else {
            return false;
        };
        let resource =
            ConfigResourceAddr::new(&static_module_path(&addr.module), &addr.resource).to_string();
        // Neither planned itself nor an instance a planned one can see through a dependency.
        in_scope.iter().all(|change| {
            change.addr != addr
                && !(change.dependencies.contains(&resource)
                    && same_shared_module_instances(&change.addr, &addr))
        })
    })
}

/// Rebases a saved change-scoped plan onto `state`, a later state it still applies to:
/// the instances it left out that changed since keep their current object (their no-op
/// carries it, or goes when the object is gone), and the record must not vouch for them, so
/// their digests go.
pub(super) fn rebase_saved_plan(plan: &mut Plan, state: &State, schemas: &Schemas) {
    if !plan.scope.changed_only {
        return;
    }
    let changed = changed_since(plan, state);
    let is_changed = |addr: &InstanceAddr| changed.contains(&addr.to_string());
    plan.scope.digests.retain(|addr, _| !is_changed(addr));
    let unchanged = plan.scope.unchanged.clone();
    plan.changes.retain_mut(|change| {
        if !unchanged.contains(&change.addr) || !is_changed(&change.addr) {
            return true;
        }
        let Some(current) = state.instances.get(&change.addr) else {
            return false;
        };
        let value = schemas
            .get(&change.provider_local_name)
            .and_then(|schema| schema.resources.get(&change.addr.resource.type_name))
            .and_then(|schema| current.attributes.decode(&schema.block.implied_type()).ok());
        // An object that does not decode is left as it is stored: no no-op may rewrite it.
        let Some(value) = value else {
            return false;
        };
        change.prior = std::sync::Arc::new(value);
        change.planned = std::sync::Arc::clone(&change.prior);
        change.prior_private = current.private.clone().unwrap_or_default();
        change.planned_private = change.prior_private.clone();
        true
    });
}
