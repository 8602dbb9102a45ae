//! Applying a plan: a parallel walk over the configuration graph plus one destroy step per
//! object to delete. Creates and updates run in dependency order with each configuration
//! re-evaluated against the values just applied; deletes run in reverse dependency order
//! (and, for a replacement, before the new object is created). Each result is handed to the
//! recorder before anything that depends on it starts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tenantform_proto::value::{encode_json, type_to_json};

use crate::addrs::{InstanceAddr, ResourceAddr};
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
    let changes: HashMap<&InstanceAddr, &ResourceChange> =
        plan.changes.iter().map(|c| (&c.addr, c)).collect();
    let (dag, destroys) = apply_dag(&graph, plan);
    let applier = InstanceApplier {
        scope: Scope::new(config, &graph, providers, &plan.variables, false),
        recorder: options.recorder,
        hooks: options.hooks,
        instances: Mutex::new(state.instances.clone()),
        halted: AtomicBool::new(false),
    };
    let cancel = options.cancel.clone();
    let cancelled = || *cancel.borrow();
    let outcomes = walk(
        &dag,
        options.parallelism,
        || cancelled() || applier.halted.load(Ordering::SeqCst),
        |id| {
            let applier = &applier;
            let graph = &graph;
            let destroy = id.checked_sub(graph.len()).map(|i| destroys[i]);
            let changes = &changes;
            async move {
                if let Some(change) = destroy {
                    return applier.destroy(change).await;
                }
                if let Some(ok) = applier.scope.visit_common(id, ProviderUse::Configure).await {
                    return ok;
                }
                let Node::Resource(addr) = graph.node(id) else {
                    return false;
                };
                applier
                    .resource(id, changes.get(&addr.instance()).copied())
                    .await
            }
        },
    )
    .await;

    let mut diags = applier.scope.take_diagnostics();
    let not_started = outcomes
        .iter()
        .filter(|o| **o == Outcome::NotStarted)
        .count();
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
    let new_state = State {
        serial: state.serial,
        lineage: state.lineage.clone(),
        terraform_version: state.terraform_version.clone(),
        outputs,
        instances,
        deposed: state.deposed.clone(),
        check_results: state.check_results.clone(),
    };
    (new_state, diags)
}

/// The walk's graph: the configuration graph (node ids kept) plus one destroy step per
/// object to delete, returned beside it by position.
fn apply_dag<'p>(graph: &ConfigGraph, plan: &'p Plan) -> (Dag, Vec<&'p ResourceChange>) {
    let mut dag = graph.dag();
    let mut destroys = Vec::new();
    let mut destroy_ids: HashMap<String, usize> = HashMap::new();
    for change in &plan.changes {
        let deletes = matches!(
            change.action,
            Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
        );
        if !deletes {
            continue;
        }
        let id = dag.add_node();
        destroys.push(change);
        destroy_ids.insert(change.addr.to_string(), id);
        let resource_id = resource_node(graph, &change.addr);
        match (change.action, resource_id) {
            (Action::DeleteThenCreate, Some(create)) => dag.add_edge(id, create),
            (Action::CreateThenDelete, Some(create)) => dag.add_edge(create, id),
            _ => {}
        }
        if let Some(provider) = graph.id(&Node::Provider(change.provider_local_name.clone())) {
            dag.add_edge(provider, id);
        }
    }
    // A dependent is deleted before what it depends on.
    for change in &destroys {
        let dependent = destroy_ids[&change.addr.to_string()];
        for dependency in &change.dependencies {
            if let Some(&target) = destroy_ids.get(dependency)
                && target != dependent
            {
                dag.add_edge(dependent, target);
            }
        }
    }
    (dag, destroys)
}

fn resource_node(graph: &ConfigGraph, addr: &InstanceAddr) -> Option<usize> {
    if !addr.module.is_empty() {
        return None;
    }
    graph.id(&Node::Resource(ResourceAddr::clone(&addr.resource)))
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
        return outputs;
    }
    for (name, output) in &config.outputs {
        let Some(id) = graph.id(&Node::Output(name.clone())) else {
            continue;
        };
        if outcomes[id] != Outcome::Succeeded {
            if let Some(previous) = state.outputs.get(name) {
                outputs.insert(name.clone(), previous.clone());
            }
            continue;
        }
        let value = scope.get(id);
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
    outputs
}

/// The state after recording `instance` at `addr` (used by import).
pub(crate) fn with_instance(state: &State, addr: &InstanceAddr, instance: InstanceState) -> State {
    let mut state = state.clone();
    state.instances.insert(addr.clone(), instance);
    state
}
