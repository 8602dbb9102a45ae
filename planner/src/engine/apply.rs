//! Applying a plan: a parallel walk over the configuration graph plus one destroy step per
//! object to delete. Creates and updates run in dependency order with each configuration
//! re-evaluated against the values just applied; deletes run in reverse dependency order
//! (and, for a replacement, before the new object is created). Each result is handed to the
//! recorder before anything that depends on it starts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tenantform_proto::value::{encode_json, type_to_json};

use crate::addrs::{InstanceAddr, ModuleStep, ResourceAddr, static_module_path};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics};
use crate::graph::{ConfigGraph, Dag, Node, Outcome, walk};
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use crate::providers::Providers;
use crate::state::{InstanceState, OutputState, State};

use super::ApplyOptions;
use super::apply_instance::InstanceApplier;
use super::scope::{ProviderUse, Scope};

pub(crate) async fn apply(
    config: &Config,
    state: &State,
    plan: &Plan,
    providers: &Providers,
    options: ApplyOptions<'_>,
) -> (State, Diagnostics) {
    let graph = match ConfigGraph::build(config) {
        Ok(graph) => graph,
        Err(diags) => return (state.clone(), diags),
    };
    let unconfigured = super::import_blocks::check_apply_imports(config, plan);
    if unconfigured.has_errors() {
        return (state.clone(), unconfigured);
    }
    // Moves and forgotten objects first, each recorded durably.
    let moved = match super::apply_refactor::perform(state, plan, options.recorder) {
        Ok(moved) => moved,
        Err(diags) => return (state.clone(), diags),
    };
    let state = &moved;
    let mut changes: HashMap<(&[ModuleStep], &ResourceAddr), Vec<&ResourceChange>> = HashMap::new();
    // Deleted instances keep their prior value for references only in a destroy run.
    let keeps_deleted = plan.mode == PlanMode::Destroy;
    for change in plan
        .changes
        .iter()
        .filter(|c| c.deposed.is_none() && c.action != Action::Forget)
        .filter(|c| keeps_deleted || c.action != Action::Delete)
    {
        changes
            .entry((change.addr.module.as_slice(), &change.addr.resource))
            .or_default()
            .push(change);
    }
    let (dag, steps) = apply_dag(&graph, plan);
    let mut scope = Scope::new(config, &graph, providers, &plan.variables, false);
    scope.use_plan_timestamp(&plan.timestamp);
    scope.destroying = plan.mode == PlanMode::Destroy;
    scope.workspace = plan.workspace.clone();
    let applier = InstanceApplier {
        scope,
        recorder: options.recorder,
        hooks: options.hooks,
        provisioners: options.provisioners,
        instances: Mutex::new(state.instances.clone()),
        deposed: Mutex::new(state.deposed.clone()),
        deposed_keys: Mutex::new(HashMap::new()),
        halted: AtomicBool::new(false),
        cancel: options.cancel.clone(),
        skipped: AtomicUsize::new(0),
    };
    let cancelled = || *options.cancel.borrow();
    let outcomes = walk(
        &dag,
        options.parallelism,
        || applier.stopping(),
        |id| {
            let applier = &applier;
            let graph = &graph;
            let destroy = id.checked_sub(graph.len()).map(|i| steps[i]);
            let changes = &changes;
            async move {
                match destroy {
                    Some(Some(change)) => return applier.destroy(change).await,
                    Some(None) => return true,
                    None => {}
                }
                if super::targets::output_left_out(graph, plan, id) {
                    return true;
                }
                if let Some(ok) = applier.scope.visit_common(id, ProviderUse::Configure).await {
                    return ok;
                }
                let Node::Resource(addr) = graph.node(id) else {
                    return false;
                };
                let mut ok = true;
                for module in applier.scope.instances_of(graph.module(id)) {
                    let planned = changes
                        .get(&(module.as_slice(), addr))
                        .cloned()
                        .unwrap_or_default();
                    if planned.is_empty() && plan.targeted {
                        // Left out by the targets: what is stored, to whatever refers to it.
                        match super::targets::stored_value(&applier.scope, id, &module, addr, state)
                            .await
                        {
                            Ok(value) => applier.scope.set_marked_in(id, &module, value),
                            Err(diags) => {
                                applier.scope.report(diags);
                                ok = false;
                            }
                        }
                        continue;
                    }
                    ok &= applier.resource(id, &module, addr, &planned).await;
                }
                ok
            }
        },
    )
    .await;
    applier.record_unconfigured_imports(config, plan);

    let mut diags = applier.scope.take_diagnostics();
    if plan.targeted {
        diags.0.insert(0, super::targets::applied_warning());
    }
    let not_started = outcomes
        .iter()
        .filter(|o| **o == Outcome::NotStarted)
        .count()
        + applier.skipped.load(Ordering::SeqCst);
    if not_started > 0 {
        diags.push(if cancelled() {
            Diagnostic::error(
                "Apply interrupted",
                format!(
                    "The apply was interrupted before it finished: {not_started} steps were not \
                     started. Every change that completed is recorded in the state; run plan \
                     again to see what is left to do."
                ),
            )
        } else if applier.halted.load(Ordering::SeqCst) {
            Diagnostic::error(
                "Apply stopped",
                format!(
                    "The apply stopped because a result could not be recorded: {not_started} \
                     steps were not started."
                ),
            )
        } else {
            Diagnostic::error(
                "Apply could not order its changes",
                format!(
                    "{not_started} steps depend on each other in a cycle and were not started."
                ),
            )
        });
    }

    let outputs = final_outputs(config, &graph, state, plan, &applier.scope, &outcomes);
    let instances = applier.instances.into_inner().expect("applied instances");
    let deposed = applier.deposed.into_inner().expect("deposed objects");
    let new_state = State {
        serial: state.serial,
        lineage: state.lineage.clone(),
        terraform_version: state.terraform_version.clone(),
        outputs,
        instances,
        deposed,
        check_results: state.check_results.clone(),
    };
    (new_state, diags)
}

/// The walk's graph: the configuration graph (node ids kept) plus one destroy step per
/// object to delete and one barrier per resource with destroy steps; returned beside it, by
/// position after the configuration nodes, the change of each destroy step (`None` for a
/// barrier).
fn apply_dag<'p>(graph: &ConfigGraph, plan: &'p Plan) -> (Dag, Vec<Option<&'p ResourceChange>>) {
    let mut dag = graph.dag();
    let mut steps: Vec<Option<&ResourceChange>> = Vec::new();
    let mut destroys = Vec::new();
    let mut destroy_ids: Vec<usize> = Vec::new();
    // One barrier per resource configuration address: every dependent's destroy step comes
    // before it, every destroy step of the resource after it (linear in the number of steps).
    let mut barriers: HashMap<String, usize> = HashMap::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::Forget) {
        let deletes = change.deposed.is_some()
            || matches!(
                change.action,
                Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
            );
        if !deletes {
            continue;
        }
        let id = dag.add_node();
        steps.push(Some(change));
        destroys.push(change);
        destroy_ids.push(id);
        let resource_id = resource_node(graph, &change.addr).filter(|_| change.deposed.is_none());
        match (change.action, resource_id) {
            (Action::DeleteThenCreate, Some(create)) => dag.add_edge(id, create),
            (Action::CreateThenDelete, Some(create)) => dag.add_edge(create, id),
            _ => {}
        }
        if let Some(provider) = graph.id(&Node::Provider(change.provider_local_name.clone())) {
            dag.add_edge(provider, id);
        }
        let barrier = *barriers
            .entry(change.addr.config_resource_string())
            .or_insert_with(|| {
                steps.push(None);
                dag.add_node()
            });
        dag.add_edge(barrier, id);
    }
    // A dependent is deleted before what it depends on.
    for (change, &dependent) in destroys.iter().zip(&destroy_ids) {
        let own = change.addr.config_resource_string();
        for dependency in &change.dependencies {
            if *dependency == own {
                continue;
            }
            if let Some(&barrier) = barriers.get(dependency) {
                dag.add_edge(dependent, barrier);
            }
        }
    }
    (dag, steps)
}

fn resource_node(graph: &ConfigGraph, addr: &InstanceAddr) -> Option<usize> {
    graph.id_in(
        &static_module_path(&addr.module),
        &Node::Resource(ResourceAddr::clone(&addr.resource)),
    )
}

fn final_outputs(
    config: &Config,
    graph: &ConfigGraph,
    state: &State,
    plan: &Plan,
    scope: &Scope<'_>,
    outcomes: &[Outcome],
) -> BTreeMap<String, OutputState> {
    let mut outputs = BTreeMap::new();
    if plan.mode == PlanMode::Destroy {
        // A targeted destroy evaluates no output and leaves them all as they were.
        return if plan.targeted {
            state.outputs.clone()
        } else {
            outputs
        };
    }
    for (name, output) in &config.outputs {
        let Some(id) = graph.id(&Node::Output(name.clone())) else {
            continue;
        };
        if outcomes[id] != Outcome::Succeeded || super::targets::output_left_out(graph, plan, id) {
            if let Some(previous) = state.outputs.get(name) {
                outputs.insert(name.clone(), previous.clone());
            }
            continue;
        }
        let value = scope.get(id);
        let value = if plan.targeted {
            super::targets::unknown_as_null(value)
        } else {
            value
        };
        if value.is_null() || !value.is_wholly_known() {
            continue;
        }
        let ty = value.implied_type();
        if let Ok(json) = encode_json(&value, &ty) {
            outputs.insert(
                name.clone(),
                OutputState {
                    value: json,
                    ty: type_to_json(&ty),
                    sensitive: output.sensitive,
                },
            );
        }
    }
    if plan.targeted {
        for (name, previous) in &state.outputs {
            if !config.outputs.contains_key(name) {
                outputs.insert(name.clone(), previous.clone());
            }
        }
    }
    outputs
}

/// The state after recording `instance` at `addr` (used by import).
pub(crate) fn with_instance(state: &State, addr: &InstanceAddr, instance: InstanceState) -> State {
    let mut state = state.clone();
    state.instances.insert(addr.clone(), instance);
    state
}
