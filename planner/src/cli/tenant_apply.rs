//! `apply` and `destroy` on a state store with per-tenant locks (the `pg` store): the apply
//! plans under the state lock held shared, then locks exclusively only the partitions (the
//! tenants) its plan changes, checks that their stored objects did not change since planning,
//! applies, and writes by merging its instances into the stored state, other tenants'
//! instances kept as stored and the root outputs evaluated again over the merged state.
//!
//! A plan that is not a plain change of some instances (refresh-only, moves, imports,
//! `removed` blocks, changes of outputs only) and a saved plan without the record of its
//! instances' objects need the whole state: the apply trades its shared lock for the
//! exclusive one and refuses when the state changed meanwhile. A `plan`, which writes no
//! state, holds the state lock shared too ([`shared_or_exclusive`]). Stores without
//! per-tenant locks, and every other command, take the exclusive lock as before.

use std::collections::{BTreeMap, BTreeSet};

use tenantform_proto::value::{encode_json, type_to_json};

use super::Failure;
use super::common::{self, Common};
use crate::config::Config;
use crate::engine::{self, PlanHooks, PlanOptions};
use crate::plan::{Action, Plan, PlanMode};
use crate::providers::Providers;
use crate::state::tenant_scope::{self, MergeBase};
use crate::state::{
    ApplyScope, OutputState, PartitionLocks, State, StateError, StateLock, StateStore,
};

/// The lock operation of an apply, as Terraform names it.
const OPERATION: &str = "OperationTypeApply";
/// How often a merging write starts over when another apply wrote in between.
const MERGE_ATTEMPTS: usize = 20;
/// The most partitions one apply locks one by one; a plan changing more tenants locks the
/// whole state (session advisory locks take room in PostgreSQL's shared lock table, sized
/// by `max_locks_per_transaction`).
const MAX_PARTITION_LOCKS: usize = 1000;

/// The lock an apply holds.
pub(super) enum ApplyLock {
    /// The exclusive state lock (none with `-lock=false`).
    Exclusive(Option<StateLock>),
    /// The state lock held shared, and the partition locks taken under it.
    Shared(Box<dyn PartitionLocks>),
}

/// What the plan was made against.
pub(super) enum Prior<'a> {
    /// The state read under this apply's lock.
    Read(&'a State),
    /// A saved plan's record of its state.
    Saved {
        plan: &'a Plan,
        objects: Option<&'a BTreeMap<String, String>>,
    },
}

/// How many times an auto-approved apply without a saved plan plans again when the
/// instances it changes were changed by another apply while it waited for their tenants.
pub(super) const REPLANS: usize = 2;

/// What settling the lock gave.
pub(super) enum Settle {
    Ready(Settled),
    /// The instances of an auto-approved apply without a saved plan changed while it waited
    /// for their tenants (or, for a plan that needs the whole state, the state changed while
    /// it waited for the exclusive lock): it plans again against `state`, still holding
    /// `lock`.
    Replan {
        lock: ApplyLock,
        state: State,
    },
}

/// The state an apply runs against, its scope when it merges, and its lock.
pub(super) struct Settled {
    pub state: State,
    /// `Some` for a per-tenant apply: the instances it writes.
    pub scope: Option<ApplyScope>,
    pub _lock: ApplyLock,
}

/// The first lock of an apply: shared where the store has per-tenant locks and the state
/// exists, else the exclusive one.
pub(super) fn lock(store: &dyn StateStore, common: &Common) -> Result<ApplyLock, Failure> {
    shared_or_exclusive(store, common, OPERATION)
}

/// The state lock for `operation` held shared where the store has per-tenant locks and the
/// state exists, else the exclusive one (none with `-lock=false`). A `plan` holds it so too:
/// it writes no state, so plans run beside each other and beside per-tenant applies, while
/// an exclusive holder (Terraform, or a command that writes the whole state) excludes it.
pub(super) fn shared_or_exclusive(
    store: &dyn StateStore,
    common: &Common,
    operation: &str,
) -> Result<ApplyLock, Failure> {
    if common.lock
        && let Some(locking) = store.tenant_locking()
    {
        let shared = locking
            .lock_shared(operation, common.lock_timeout)
            .map_err(|e| common::state_failure(e, "Error acquiring the state lock"))?;
        if let Some(shared) = shared {
            return Ok(ApplyLock::Shared(shared));
        }
    }
    Ok(ApplyLock::Exclusive(common::lock(
        store, common, operation,
    )?))
}

/// The instances a per-tenant apply of `plan` writes; `None` when it needs the whole state.
pub(crate) fn scope_of(plan: &Plan) -> Option<ApplyScope> {
    if plan.mode == PlanMode::RefreshOnly {
        return None;
    }
    let refactors = plan.changes.iter().any(|change| {
        change.previous_address.is_some()
            || change.importing.is_some()
            || change.action == Action::Forget
    });
    if refactors {
        return None;
    }
    let instances: BTreeSet<_> = plan
        .changes
        .iter()
        .filter(|change| change.action != Action::NoOp)
        .map(|change| change.addr.clone())
        .collect();
    let outputs_only = instances.is_empty() && !plan.changed_outputs().is_empty();
    (!outputs_only).then(|| ApplyScope::new(instances))
}

/// The record a saved plan keeps of the stored objects its per-tenant apply will check.
pub(super) fn planned_objects(plan: &Plan, state: &State) -> Option<BTreeMap<String, String>> {
    scope_of(plan).map(|scope| tenant_scope::scope_digests(Some(state), &scope))
}

/// Settles the lock for `plan` (planned against `prior`) and returns the state to apply
/// against: the partitions' locks and a fresh read for a per-tenant apply, the exclusive
/// lock and an unchanged state for one that needs the whole state.
pub(super) fn settle(
    lock: ApplyLock,
    store: &dyn StateStore,
    common: &Common,
    plan: &Plan,
    prior: Prior<'_>,
) -> Result<Settled, Failure> {
    match settle_or_replan(lock, store, common, plan, prior, false)? {
        Settle::Ready(settled) => Ok(settled),
        Settle::Replan { .. } => Err(Failure::error(
            "Plan is stale",
            "The instances this apply changes were changed by another operation.",
        )),
    }
}

/// [`settle`], or, when `may_replan` and the plan's instances changed while the apply
/// waited for their tenants, the locks held and the state to plan again against.
pub(super) fn settle_or_replan(
    lock: ApplyLock,
    store: &dyn StateStore,
    common: &Common,
    plan: &Plan,
    prior: Prior<'_>,
    may_replan: bool,
) -> Result<Settle, Failure> {
    let shared = match lock {
        ApplyLock::Exclusive(held) => {
            let state = match prior {
                // Read under this lock, which it held since.
                Prior::Read(state) => state.clone(),
                Prior::Saved { .. } => unchanged_state(store, plan, &prior)?,
            };
            return Ok(Settle::Ready(Settled {
                state,
                scope: None,
                _lock: ApplyLock::Exclusive(held),
            }));
        }
        ApplyLock::Shared(shared) => shared,
    };
    let planned = match (&prior, scope_of(plan)) {
        (Prior::Read(state), Some(scope)) => {
            Some((tenant_scope::scope_digests(Some(state), &scope), scope))
        }
        (Prior::Saved { objects, .. }, Some(scope)) => objects.map(|o| (o.clone(), scope)),
        (_, None) => None,
    }
    .filter(|(_, scope)| scope.partitions().len() <= MAX_PARTITION_LOCKS);
    let Some((objects, scope)) = planned else {
        drop(shared);
        return whole_state(store, common, plan, &prior, may_replan);
    };
    shared
        .lock_partitions(&scope.partitions(), common.lock_timeout)
        .map_err(|e| common::state_failure(e, "Error acquiring the state lock"))?;
    let state = common::read_state(store)?;
    let changed = tenant_scope::changed_since(&objects, &scope, Some(&state));
    if state.lineage != plan.prior_lineage && plan.prior_serial != 0 {
        return Err(stale(
            &prior,
            "the state was replaced by another state history".into(),
        ));
    }
    if !changed.is_empty() && may_replan {
        let lock = ApplyLock::Shared(shared);
        return Ok(Settle::Replan { lock, state });
    }
    if !changed.is_empty() {
        return Err(stale(
            &prior,
            format!(
                "another operation changed these instances after the plan was created: {}",
                changed.join(", ")
            ),
        ));
    }
    Ok(Settle::Ready(Settled {
        state,
        scope: Some(scope),
        _lock: ApplyLock::Shared(shared),
    }))
}

/// Takes the exclusive lock for a plan that needs the whole state (the shared one already
/// released), and the state to apply against: unchanged since planning, or else a stale
/// refusal or, when `may_replan`, the state to plan again against.
fn whole_state(
    store: &dyn StateStore,
    common: &Common,
    plan: &Plan,
    prior: &Prior<'_>,
    may_replan: bool,
) -> Result<Settle, Failure> {
    let held = common::lock(store, common, OPERATION)?;
    let state = match unchanged_state(store, plan, prior) {
        Ok(state) => state,
        Err(_) if may_replan => {
            let state = common::read_state(store)?;
            let lock = ApplyLock::Exclusive(held);
            return Ok(Settle::Replan { lock, state });
        }
        Err(stale) => return Err(stale),
    };
    Ok(Settle::Ready(Settled {
        state,
        scope: None,
        _lock: ApplyLock::Exclusive(held),
    }))
}

/// Says why the plan is shown again.
pub(super) fn replanning(ui: &super::Ui) {
    if !ui.view.is_json() {
        ui.out(
            "\nAnother apply changed the tenants of this plan while it waited for them; \
             planning again.\n",
        );
    }
}

/// The stored state under the exclusive lock, refused as stale when it is not the one the
/// plan was made against.
fn unchanged_state(
    store: &dyn StateStore,
    plan: &Plan,
    prior: &Prior<'_>,
) -> Result<State, Failure> {
    let stored = store
        .read()
        .map_err(|e| common::state_failure(e, "Failed to load state"))?;
    let (lineage, serial) = match prior {
        Prior::Read(state) => (state.lineage.as_str(), state.serial),
        Prior::Saved { plan, .. } => (plan.prior_lineage.as_str(), plan.prior_serial),
    };
    match stored {
        Some(state) if state.lineage == lineage && state.serial == serial => Ok(state),
        // A saved change-scoped plan still applies when nothing in its scope changed.
        Some(state)
            if matches!(prior, Prior::Saved { plan, .. }
                if super::scope::saved_plan_still_applies(plan, &state)) =>
        {
            Ok(state)
        }
        None if serial == 0 => Ok(State {
            lineage: plan.prior_lineage.clone(),
            ..State::new()
        }),
        _ => Err(stale(
            prior,
            "the state was changed by another operation after the plan was created".into(),
        )),
    }
}

/// The refusal of a plan whose state moved.
fn stale(prior: &Prior<'_>, why: String) -> Failure {
    match prior {
        Prior::Saved { .. } => Failure::error(
            "Saved plan is stale",
            format!("The given plan file can no longer be applied because {why}."),
        ),
        Prior::Read(_) => Failure::error(
            "Plan is stale",
            format!("The plan can no longer be applied because {why}. Run the apply again."),
        ),
    }
}

/// Writes a per-tenant apply's result: `applied` merged into the stored state for `scope`,
/// root outputs evaluated again over the merged state when other instances differ. Returns
/// the state now stored (the applied one when the scope is empty: nothing is written).
pub(super) async fn persist(
    store: &dyn StateStore,
    config: &Config,
    providers: &Providers,
    plan: &Plan,
    applied: &State,
    scope: &ApplyScope,
) -> Result<State, String> {
    if scope.instances().is_empty() {
        return Ok(applied.clone());
    }
    let Some(locking) = store.tenant_locking() else {
        return Err("this state store has no per-tenant locks".into());
    };
    for _ in 0..MERGE_ATTEMPTS {
        let base = locking.merge_base().map_err(|e| e.to_string())?;
        let merged = merged_with_outputs(config, providers, plan, applied, scope, &base).await?;
        if let Some(serial) = locking
            .write_merged(&merged, &base)
            .map_err(|e| e.to_string())?
        {
            return Ok(State { serial, ..merged });
        }
    }
    Err(format!(
        "{}: the stored state kept changing under {MERGE_ATTEMPTS} merge attempts",
        StateError::Backend {
            action: "write the merged state",
            detail: "other applies wrote in between".into(),
        }
    ))
}

/// `applied` merged into `base` for `scope`, with the root outputs of the merged state.
async fn merged_with_outputs(
    config: &Config,
    providers: &Providers,
    plan: &Plan,
    applied: &State,
    scope: &ApplyScope,
    base: &MergeBase,
) -> Result<State, String> {
    let mut merged = tenant_scope::merge(&base.state, applied, scope);
    merged.outputs = if tenant_scope::same_objects(&merged, applied) {
        applied.outputs.clone()
    } else {
        root_outputs(config, providers, plan, &merged).await?
    };
    Ok(merged)
}

/// Progress reports of the output evaluation: none.
struct Quiet;

impl PlanHooks for Quiet {}

/// The root module outputs over `state`: a refresh-only plan without refresh, whose output
/// values are the configuration's outputs evaluated against `state`.
async fn root_outputs(
    config: &Config,
    providers: &Providers,
    plan: &Plan,
    state: &State,
) -> Result<BTreeMap<String, OutputState>, String> {
    if plan.mode == PlanMode::Destroy && !plan.targeted {
        return Ok(BTreeMap::new());
    }
    let options = PlanOptions {
        show_only: false,
        mode: PlanMode::RefreshOnly,
        refresh: false,
        parallelism: engine::DEFAULT_PARALLELISM,
        targets: Vec::new(),
        excludes: Vec::new(),
        replace: Vec::new(),
        generate_config: false,
        workspace: plan.workspace.clone(),
        sweep: None,
        scope: Default::default(),
    };
    let evaluated =
        engine::plan_with_hooks(config, state, providers, &plan.variables, &options, &Quiet)
            .await
            .map_err(|diags| {
                let messages: Vec<String> = diags.0.iter().map(|d| d.summary.clone()).collect();
                format!(
                    "could not evaluate the root outputs over the merged state: {}",
                    messages.join("; ")
                )
            })?;
    let mut outputs = BTreeMap::new();
    for output in evaluated.outputs {
        let value = output.after;
        if value.is_null() || !value.is_wholly_known() {
            continue;
        }
        let ty = value.implied_type();
        if let Ok(json) = encode_json(&value, &ty) {
            let state = OutputState {
                value: crate::state::StoredJson::from_json(&json),
                ty: type_to_json(&ty),
                sensitive: output.sensitive,
            };
            outputs.insert(output.name, state);
        }
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests;
