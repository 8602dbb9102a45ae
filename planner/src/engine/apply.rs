//! Applying a plan: a parallel walk over the configuration graph plus one destroy step per
//! object to delete. Creates and updates run in dependency order with each configuration
//! re-evaluated against the values just applied; deletes run in reverse dependency order
//! (and, for a replacement, before the new object is created). Each result is handed to the
//! recorder before anything that depends on it starts.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

use futures_util::stream::{self, StreamExt};

use tenantform_proto::value::{encode_json, type_to_json};

use crate::addrs::{
    ConfigResourceAddr, InstanceAddr, ModuleStep, ResourceAddr, static_module_path,
};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics};
use crate::graph::{ConfigGraph, Dag, Node, NodeId, Outcome, walk};
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use crate::providers::Providers;
use crate::state::{InstanceState, OutputState, State};

use super::ApplyOptions;
use super::applier::InstanceApplier;
use super::scope::{CommonVisit, ProviderUse, Scope};

/// The planned changes of each resource block in each module instance (deposed objects and
/// forgotten ones aside, and deletions too unless this is a destroy run).
type PlannedChanges<'p> = HashMap<(&'p [ModuleStep], &'p ResourceAddr), Vec<&'p ResourceChange>>;

/// One step of the apply walk.
#[derive(Clone, Copy, Debug)]
enum ApplyStep<'p> {
    /// A node of the configuration graph: its instances' creates, updates and reads, or its
    /// value.
    Config(NodeId),
    /// The deletion of one object, current or deposed.
    Destroy(&'p ResourceChange),
    /// Orders the destroy steps of one resource after those of what depends on it.
    Barrier,
}

/// What the walk over the apply steps shares.
struct ApplyWalk<'a, 'p> {
    applier: &'a InstanceApplier<'a>,
    plan: &'p Plan,
    state: &'p State,
    changes: &'a PlannedChanges<'p>,
    /// When applying one part of a larger plan (a canary wave): that plan's changes. A
    /// resource with changes there and none in this part shows its stored value.
    whole: Option<&'a PlannedChanges<'p>>,
    /// How many module instances of one resource block apply at a time.
    parallelism: usize,
}

/// What an apply ends with: the new state, the diagnostics, and the results of the
/// conditions it evaluated (`check` blocks, preconditions and postconditions).
pub(crate) struct Applied {
    pub state: State,
    pub diags: Diagnostics,
    pub checks: Vec<crate::plan::checks::CheckResult>,
}

/// Applies a plan, returning the new state (also streamed to the recorder) and diagnostics.
pub(crate) async fn apply(
    config: &Config,
    state: &State,
    plan: &Plan,
    providers: &Providers,
    options: ApplyOptions<'_>,
) -> (State, Diagnostics) {
    let applied = apply_walk(config, state, plan, None, providers, options).await;
    (applied.state, applied.diags)
}

/// Applies `part`, a targeted copy of `whole` holding some of its changes (a canary wave):
/// a resource that `whole` changes and `part` does not shows what `state` holds for it; a
/// resource neither changes is applied as usual (one without instances is empty, not
/// unknown). No targeting warning.
pub(crate) async fn apply_part(
    config: &Config,
    state: &State,
    part: &Plan,
    whole: &Plan,
    providers: &Providers,
    options: ApplyOptions<'_>,
) -> Applied {
    let whole = planned_changes(whole);
    apply_walk(config, state, part, Some(&whole), providers, options).await
}

/// The apply of `plan`, or of a part of `whole` when it is given.
async fn apply_walk<'p>(
    config: &Config,
    state: &'p State,
    plan: &'p Plan,
    whole: Option<&PlannedChanges<'p>>,
    providers: &Providers,
    options: ApplyOptions<'_>,
) -> Applied {
    let unapplied = |diags| Applied {
        state: state.clone(),
        diags,
        checks: Vec::new(),
    };
    let graph = match ConfigGraph::build(config) {
        Ok(graph) => graph,
        Err(diags) => return unapplied(diags),
    };
    let unconfigured = super::import_blocks::check_apply_imports(config, plan);
    if unconfigured.has_errors() {
        return unapplied(unconfigured);
    }
    // Moves and forgotten objects first, each recorded durably.
    let moved = match super::apply_refactor::perform(state, plan, options.recorder) {
        Ok(moved) => moved,
        Err(diags) => return unapplied(diags),
    };
    let state = &moved;
    let changes = planned_changes(plan);
    let (dag, steps) = apply_dag(&graph, plan);
    let mut scope = Scope::new(config, &graph, providers, &plan.variables, false);
    scope.use_plan_timestamp(&plan.timestamp);
    scope.destroying = plan.mode == PlanMode::Destroy;
    scope.workspace = plan.workspace.clone();
    let applier = InstanceApplier::new(scope, &options, state);
    let walker = ApplyWalk {
        applier: &applier,
        plan,
        state,
        changes: &changes,
        whole,
        parallelism: options.parallelism,
    };
    let outcomes = walk(
        &dag,
        options.parallelism,
        || applier.stopping(),
        |index| walker.visit(steps[index]),
    )
    .await;
    applier.record_unconfigured_imports(config, plan);

    let mut diags = applier.scope.take_diagnostics();
    if plan.targeted && whole.is_none() {
        diags.0.insert(0, super::targets::applied_warning());
    }
    let not_started = outcomes
        .iter()
        .filter(|o| **o == Outcome::NotStarted)
        .count()
        + applier.skipped.load(Ordering::SeqCst);
    if not_started > 0 {
        diags.push(not_started_error(&applier, not_started));
    }
    if plan.mode == PlanMode::Normal && whole.is_none() {
        applier.note_module_outputs();
    }
    let outputs = final_outputs(config, &graph, state, plan, &applier.scope, &outcomes);
    let checks = applier.scope.take_checks();
    let (instances, deposed) = applier.into_objects();
    let new_state = State {
        serial: state.serial,
        lineage: state.lineage.clone(),
        terraform_version: state.terraform_version.clone(),
        outputs,
        instances,
        deposed,
        check_results: state.check_results.clone(),
    };
    Applied {
        state: new_state,
        diags,
        checks,
    }
}

/// The changes the configuration walk applies, by resource block and module instance.
fn planned_changes(plan: &Plan) -> PlannedChanges<'_> {
    let mut changes: PlannedChanges<'_> = HashMap::new();
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
    changes
}

/// Why steps were left: an interrupt, a result that could not be recorded, or a cycle.
fn not_started_error(applier: &InstanceApplier<'_>, not_started: usize) -> Diagnostic {
    if *applier.cancel.borrow() {
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
            format!("{not_started} steps depend on each other in a cycle and were not started."),
        )
    }
}

impl ApplyWalk<'_, '_> {
    async fn visit(&self, step: ApplyStep<'_>) -> bool {
        let id = match step {
            ApplyStep::Destroy(change) => return self.applier.destroy(change).await,
            ApplyStep::Barrier => return true,
            ApplyStep::Config(id) => id,
        };
        let scope = &self.applier.scope;
        if super::targets::output_left_out(scope.graph, self.plan, id) {
            return true;
        }
        match scope.visit_common(id, ProviderUse::Configure).await {
            CommonVisit::Done(ok) => ok,
            CommonVisit::Resource(addr) => self.visit_resource(id, addr).await,
        }
    }

    /// Applies a resource block's planned changes in each of its module instances, up to
    /// `-parallelism` module instances at a time (a module fleet's instances wait on the
    /// provider together, not one after another).
    async fn visit_resource(&self, id: NodeId, addr: &ResourceAddr) -> bool {
        let scope = &self.applier.scope;
        let modules = scope.instances_of(scope.graph.module(id));
        let applied: Vec<bool> = stream::iter(modules.iter().cloned())
            .map(|module| async move { self.apply_in_module(id, addr, &module).await })
            .buffered(self.parallelism.max(1))
            .collect()
            .await;
        applied.into_iter().all(|ok| ok)
    }

    /// Applies a resource block's planned changes in one module instance.
    async fn apply_in_module(
        &self,
        id: NodeId,
        addr: &ResourceAddr,
        module: &[ModuleStep],
    ) -> bool {
        let scope = &self.applier.scope;
        let planned = self
            .changes
            .get(&(module, addr))
            .cloned()
            .unwrap_or_default();
        let left_out = match self.whole {
            Some(whole) => whole.contains_key(&(module, addr)),
            None => self.plan.targeted,
        };
        if planned.is_empty() && left_out {
            // Left out by the targets or the wave: what is stored, to whatever refers to it.
            return match super::targets::stored_value(scope, id, module, addr, self.state).await {
                Ok(value) => {
                    scope.set_node_in(id, module, value);
                    true
                }
                Err(diags) => {
                    scope.report(diags);
                    false
                }
            };
        }
        self.applier.resource(id, module, addr, &planned).await
    }
}

/// The walk's graph: the configuration graph (node ids kept as step indices) plus one
/// destroy step per object to delete and one barrier per resource with destroy steps; and
/// beside it, by index, each step.
fn apply_dag<'p>(graph: &ConfigGraph, plan: &'p Plan) -> (Dag, Vec<ApplyStep<'p>>) {
    let mut dag = graph.dag();
    let mut steps: Vec<ApplyStep<'p>> = graph.ids().map(ApplyStep::Config).collect();
    let mut destroys: Vec<(&ResourceChange, usize)> = Vec::new();
    // One barrier per resource configuration address: every dependent's destroy step comes
    // before it, every destroy step of the resource after it (linear in the number of steps).
    let mut barriers: HashMap<ConfigResourceAddr, usize> = HashMap::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::Forget) {
        let deletes = change.deposed.is_some()
            || matches!(
                change.action,
                Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
            );
        if !deletes {
            continue;
        }
        let step = dag.add_node();
        steps.push(ApplyStep::Destroy(change));
        destroys.push((change, step));
        let resource_id = resource_node(graph, &change.addr).filter(|_| change.deposed.is_none());
        match (change.action, resource_id) {
            (Action::DeleteThenCreate, Some(create)) => dag.add_edge(step, create.index()),
            (Action::CreateThenDelete, Some(create)) => dag.add_edge(create.index(), step),
            _ => {}
        }
        if let Some(provider) = graph.id(&Node::Provider(change.provider_local_name.clone())) {
            dag.add_edge(provider.index(), step);
        }
        let barrier = *barriers
            .entry(change.addr.config_resource())
            .or_insert_with(|| {
                steps.push(ApplyStep::Barrier);
                dag.add_node()
            });
        dag.add_edge(barrier, step);
    }
    // A dependent is deleted before what it depends on.
    for (change, dependent) in destroys {
        let own = change.addr.config_resource();
        for dependency in &change.dependencies {
            if dependency.as_str() == own.as_str() {
                continue;
            }
            if let Some(&barrier) = barriers.get(dependency.as_str()) {
                dag.add_edge(dependent, barrier);
            }
        }
    }
    (dag, steps)
}

fn resource_node(graph: &ConfigGraph, addr: &InstanceAddr) -> Option<NodeId> {
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
        if outcomes[id.index()] != Outcome::Succeeded
            || super::targets::output_left_out(graph, plan, id)
        {
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
                    value: crate::state::StoredJson::from_json(&json),
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
