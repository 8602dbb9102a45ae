//! Planning: walk the configuration in dependency order; for each resource block expand its
//! instances in every module instance, decode each stored object, refresh it, evaluate its
//! configuration against the planned values of what it refers to, and ask the provider to plan
//! the change; then plan the deletion of every stored instance the configuration no longer
//! has, the deletion of every deposed object, and the outputs.
//!
//! The [`Planner`] is declared here with the walks and the plan's assembly; its visits live
//! beside it by concern: `plan_resource` (a block in one module instance), `plan_instance`
//! (one instance), `lifecycle`, `data_dependencies`, `refactor`, `import_blocks`,
//! `import_generated` and `plan_deposed`. What the visits accumulate sits behind one lock
//! (`plan_accumulator`).

use crate::plan::checks::CheckResult;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use tenantform_proto::schema::Schema;
use tenantform_proto::value::Value;

use crate::addrs::{
    InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode, static_module_path,
};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::NodeId;
use crate::graph::{ConfigGraph, Dag, Node, walk};
use crate::plan::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};
use crate::providers::Providers;
use crate::state::{InstanceState, State};

#[cfg(test)]
use super::NoPlanHooks;
use super::import_blocks::{PendingImports, check_import_targets};
use super::instances::ProviderNames;
use super::plan_accumulator::PlanAccumulator;
use super::prior_outputs::PriorOutputs;
use super::scope::{CommonVisit, ProviderUse, Scope};
use super::targets::Targeting;
use super::value_release::ValueRelease;
use super::{PlanHooks, PlanOptions};

/// Plans the changes that make the infrastructure match the configuration.
#[cfg(test)]
pub(crate) async fn plan(
    config: &Config,
    state: &State,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
    options: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    plan_with_hooks(config, state, providers, variables, options, &NoPlanHooks).await
}

/// [`plan`], reporting refreshes and data source reads to `hooks`.
pub(crate) async fn plan_with_hooks(
    config: &Config,
    state: &State,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
    options: &PlanOptions,
    hooks: &dyn PlanHooks,
) -> Result<Plan, Diagnostics> {
    let inputs = PlanInputs {
        config,
        state,
        providers,
        variables,
    };
    plan_reading_ahead(inputs, options, hooks, None).await
}

/// What a plan plans: the configuration, the prior state, the providers and the input
/// variables' values.
pub(crate) struct PlanInputs<'a> {
    pub config: &'a Config,
    pub state: &'a State,
    pub providers: &'a Providers,
    pub variables: &'a BTreeMap<String, Value>,
}

/// [`plan_with_hooks`], taking the root locals `read_ahead` evaluated while the state was
/// read instead of evaluating them again.
pub(crate) async fn plan_reading_ahead(
    inputs: PlanInputs<'_>,
    options: &PlanOptions,
    hooks: &dyn PlanHooks,
    read_ahead: Option<&super::read_ahead::ReadAhead>,
) -> Result<Plan, Diagnostics> {
    let PlanInputs {
        config,
        state,
        providers,
        variables,
    } = inputs;
    let graph = ConfigGraph::build(config)?;
    if options.mode == PlanMode::Normal {
        let import_problems = check_import_targets(config, options.generate_config);
        if import_problems.has_errors() {
            return Err(import_problems);
        }
    }
    let scope_run = super::scoped::ScopeRun::new(&options.scope, config, state, providers);
    tracing::debug!("scope of the plan prepared");
    let (moved_state, refactoring) = super::refactor::prepare(config, state, options.mode)?;
    tracing::debug!("refactoring blocks applied to the state");
    let state: &State = &moved_state;
    let mut scope = Scope::new(config, &graph, providers, variables, false);
    scope.destroying = options.mode == PlanMode::Destroy;
    scope.workspace = options.workspace.clone();
    scope.skip_left_out_variables = options.show_only;
    scope.read_ahead = read_ahead;
    let planner = Planner {
        scope,
        state,
        options,
        hooks,
        names: ProviderNames::new(providers),
        accumulated: Mutex::new(PlanAccumulator::new(
            has_replace_triggers(config),
            state.instances.len(),
        )),
        targeting: Targeting::new(
            &graph,
            &options.targets,
            &options.excludes,
            options.mode == PlanMode::Destroy,
        ),
        replace: options.replace.iter().cloned().collect(),
        refactoring,
        imports: PendingImports::default(),
        scope_run,
        prior_outputs: PriorOutputs::start(state),
    };
    planner
        .refactoring
        .check_targets(planner.targeting.as_ref())?;
    planner.plan_configuration().await;
    tracing::debug!("configuration planned");
    planner.plan_orphans().await;
    planner.plan_deposed_objects().await;
    tracing::debug!("orphans and deposed objects planned");
    planner.into_plan(variables)
}

impl Planner<'_> {
    /// Plans every node of the configuration in dependency order, then the imports whose
    /// configuration is generated.
    async fn plan_configuration(&self) {
        let release = ValueRelease::new(self.scope.graph, self.scope.config.imports.is_empty());
        walk(
            &self.scope.graph.dag(),
            self.options.parallelism,
            || false,
            |index| {
                let release = &release;
                async move {
                    let id = NodeId::from_index(index);
                    let ok = self.visit(id).await;
                    for released in release.visited(id, self.scope.graph) {
                        self.scope.forget_node(released);
                    }
                    ok
                }
            },
        )
        .await;
        let generated = self.plan_generated_imports().await;
        self.scope.report(generated);
    }

    /// Plans the deletion of every stored instance no resource visit took care of.
    async fn plan_orphans(&self) {
        let (handled, left_out) = {
            let mut accumulated = self.accumulated();
            let handled = std::mem::take(&mut accumulated.handled);
            (handled, std::mem::take(&mut accumulated.left_out_modules))
        };
        let in_left_out = |addr: &InstanceAddr| {
            addr.module
                .first()
                .is_some_and(|outer| left_out.contains(outer))
        };
        let orphans: Vec<(&InstanceAddr, &InstanceState)> = self
            .state
            .instances
            .iter()
            .filter(|(addr, _)| !handled.contains(*addr) && !in_left_out(addr))
            .filter(|(addr, _)| self.targeting.as_ref().is_none_or(|t| t.names(addr)))
            .collect();
        walk(
            &Dag::new(orphans.len()),
            self.options.parallelism,
            || false,
            |i| self.visit_orphan(orphans[i].0, orphans[i].1),
        )
        .await;
    }

    /// Plans the deletion of every deposed object.
    async fn plan_deposed_objects(&self) {
        let deposed: Vec<(&(InstanceAddr, String), &InstanceState)> = self
            .state
            .deposed
            .iter()
            .filter(|((addr, _), _)| self.targeting.as_ref().is_none_or(|t| t.names(addr)))
            .collect();
        walk(
            &Dag::new(deposed.len()),
            self.options.parallelism,
            || false,
            |i| {
                let ((addr, key), object) = deposed[i];
                self.visit_deposed(addr, key, object)
            },
        )
        .await;
    }

    /// The plan of what the walks planned: the outputs, sorted changes and drift, and the
    /// attributes relevant to them.
    fn into_plan(self, variables: &BTreeMap<String, Value>) -> Result<Plan, Diagnostics> {
        let outputs = self.plan_outputs();
        let module_outputs = self.module_output_changes();
        // Nothing is evaluated from here on.
        self.scope.forget_values();
        let mut diags = self.scope.take_diagnostics();
        if let Some(targeting) = &self.targeting {
            diags.0.insert(0, targeting.warning());
        }
        let accumulated = std::mem::take(&mut *self.accumulated());
        let mut changes = accumulated.changes;
        self.finish_refactoring(&mut changes, accumulated.declared, &mut diags)?;
        if diags.has_errors() {
            return Err(diags);
        }
        changes.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
        let drift = self.reported_drift(accumulated.drift, &changes);
        diags
            .0
            .retain(|d| d.severity == crate::diags::Severity::Warning);
        let changed = super::relevant_attributes::Changed {
            resources: &changes,
            outputs: &outputs,
            module_outputs: &module_outputs,
        };
        let config = self.scope.config;
        let schemas = &self.scope.providers.schemas;
        // A plan that is only shown reads them only to show drift.
        let unread = self.options.show_only && drift.iter().all(|d| d.action == Action::NoOp);
        let relevant_attributes = if unread {
            Vec::new()
        } else {
            super::relevant_attributes::relevant_attributes(config, schemas, &changed)
        };
        let plan = Plan {
            mode: self.options.mode,
            changes,
            drift,
            relevant_attributes,
            outputs,
            variables: variables.clone(),
            prior_lineage: self.state.lineage.clone(),
            prior_serial: self.state.serial,
            warnings: diags,
            targeted: self.targeting.is_some(),
            untouched: accumulated.untouched,
            timestamp: match self.scope.plan_timestamp() {
                Value::String(timestamp) => timestamp.clone(),
                _ => String::new(),
            },
            workspace: self.options.workspace.clone(),
            checks: self.check_results(),
            scope: self
                .scope_run
                .plan_scope(self.options.sweep.map(|sweep| sweep.to_string())),
        };
        self.scope.forget_instances();
        super::drop_elsewhere::drop_elsewhere((self.scope_run, self.refactoring));
        Ok(plan)
    }

    /// The plan's check results: every checkable object of the configuration, the root
    /// module's variable validations (which passed, since planning began; a destroy plan
    /// does not check them) and the conditions evaluated while planning.
    fn check_results(&self) -> Vec<CheckResult> {
        let config = self.scope.config;
        let mut checks = crate::plan::checks::declared_checks(config);
        if self.options.mode != PlanMode::Destroy {
            checks.extend(
                config
                    .variables
                    .values()
                    .filter(|variable| !variable.validations.is_empty())
                    .map(|variable| CheckResult::passed_variable(&variable.name)),
            );
        }
        checks.extend(self.scope.take_checks());
        checks
    }

    /// The drift a plan reports, in address order.
    fn reported_drift(
        &self,
        mut drift: Vec<ResourceChange>,
        changes: &[ResourceChange],
    ) -> Vec<ResourceChange> {
        if self.options.mode == PlanMode::Destroy {
            // Terraform's destroy plan refreshes in a separate plan whose drift it does not
            // keep: a destroy plan reports none.
            return Vec::new();
        }
        self.refactoring
            .moved_drift(&mut drift, changes, self.options.mode);
        drift.sort_by(|a, b| a.addr.cmp(&b.addr));
        drift
    }
}

/// True when any resource of the tree has `replace_triggered_by`.
fn has_replace_triggers(config: &Config) -> bool {
    config
        .resources
        .values()
        .any(|r| !r.lifecycle_rules.replace_triggered_by.is_empty())
        || config.children.values().any(has_replace_triggers)
}

/// True when the configuration declares this instance's resource (in its module).
pub(crate) fn in_config(config: &Config, addr: &InstanceAddr) -> bool {
    config
        .descendant(&static_module_path(&addr.module))
        .is_some_and(|module| module.resource(&addr.resource).is_some())
}

/// The fully qualified source address of a provider local name.
pub(crate) fn provider_source(config: &Config, providers: &Providers, local: &str) -> String {
    providers
        .sources
        .get(local)
        .cloned()
        .or_else(|| {
            config
                .required_providers
                .get(local)
                .map(|r| r.source.clone())
        })
        .unwrap_or_else(|| crate::config::default_source(local))
}

/// The schema of a resource type, or a diagnostic.
pub(crate) fn resource_schema<'p>(
    providers: &'p Providers,
    local: &str,
    type_name: &str,
    range: Option<SourceRange>,
) -> Result<&'p Schema, Diagnostics> {
    providers
        .schemas
        .get(local)
        .and_then(|schema| schema.resources.get(type_name))
        .ok_or_else(|| {
            Diagnostic::error(
                "Invalid resource type",
                format!("The provider {local:?} does not support resource type {type_name:?}."),
            )
            .with_range(range)
            .into()
        })
}

/// The schema of a managed resource or data source, by the address's mode.
pub(crate) fn schema_for<'p>(
    providers: &'p Providers,
    local: &str,
    addr: &ResourceAddr,
    range: Option<SourceRange>,
) -> Result<&'p Schema, Diagnostics> {
    if addr.mode == ResourceMode::Managed {
        return resource_schema(providers, local, &addr.type_name, range);
    }
    providers
        .schemas
        .get(local)
        .and_then(|schema| schema.data_sources.get(&addr.type_name))
        .ok_or_else(|| {
            Diagnostic::error(
                "Invalid data source",
                format!(
                    "The provider {local:?} does not support data source {:?}.",
                    addr.type_name
                ),
            )
            .with_range(range)
            .into()
        })
}

pub(super) struct Planner<'a> {
    pub scope: Scope<'a>,
    pub state: &'a State,
    pub options: &'a PlanOptions,
    /// Told of every refresh and data source read.
    pub hooks: &'a dyn PlanHooks,
    pub names: ProviderNames,
    /// What the visits planned so far.
    accumulated: Mutex<PlanAccumulator>,
    pub targeting: Option<Targeting>,
    pub replace: HashSet<InstanceAddr>,
    /// The `moved` and `removed` blocks, and what the moves did to the prior state.
    pub refactoring: super::refactor::Refactoring,
    /// Imports of `import` blocks waiting for their instance to be planned.
    pub imports: PendingImports,
    /// The plan's scope (`-scope=changed`) and the digests it computes.
    pub scope_run: super::scoped::ScopeRun,
    /// The stored root outputs, decoded while the configuration is walked.
    prior_outputs: PriorOutputs,
}

impl Planner<'_> {
    async fn visit(&self, id: NodeId) -> bool {
        if !self.evaluates_output(id) {
            return true;
        }
        match self.scope.graph.node(id) {
            Node::Variable(_) => self.leave_out_before_variables(self.scope.graph.module(id)),
            Node::ModuleCall(name) => return self.scope.visit_module_call(id, name, Some(self)),
            _ => {}
        }
        let addr = match self.scope.visit_common(id, ProviderUse::Configure).await {
            CommonVisit::Done(ok) => return ok,
            CommonVisit::Resource(addr) => addr,
        };
        let imports = match self.expand_imports(id, addr) {
            Ok(imports) => imports,
            Err(diags) => {
                self.scope.report(diags);
                return false;
            }
        };
        let mut ok = true;
        for (instance, planned) in self.plan_resource_in_modules(id, addr).await {
            match planned {
                Ok(value) => self.scope.set_node_in(id, &instance, value),
                Err(diags) => {
                    self.scope.report(diags);
                    ok = false;
                }
            }
        }
        if ok {
            let unplanned = self.check_imports_planned(&imports);
            ok = !unplanned.has_errors();
            self.scope.report(unplanned);
        }
        ok
    }

    /// False for a root output a targeted plan does not evaluate (see [`Targeting`]).
    /// The outputs of module instances a plan records as changing: Terraform keeps no module
    /// outputs in state, so each one with a value is created by every normal or refresh-only
    /// plan (a destroy plan evaluates none).
    fn module_output_changes(&self) -> Vec<(Vec<ModuleStep>, String)> {
        if self.options.mode == PlanMode::Destroy {
            return Vec::new();
        }
        let graph = self.scope.graph;
        let mut changed = Vec::new();
        for id in graph.ids() {
            let (Node::Output(name), path) = (graph.node(id), graph.module(id)) else {
                continue;
            };
            let targeted_out = self
                .targeting
                .as_ref()
                .is_some_and(|t| !t.keeps_module_output(graph, id));
            if path.is_empty() || targeted_out {
                continue;
            }
            for instance in self.scope.instances_of(path).iter() {
                if !self.scope.is_null_in(id, instance) {
                    changed.push((instance.clone(), name.clone()));
                }
            }
        }
        changed
    }

    fn evaluates_output(&self, id: NodeId) -> bool {
        let root_output = matches!(self.scope.graph.node(id), Node::Output(_))
            && self.scope.graph.module(id).is_empty();
        !root_output || self.targeting.as_ref().is_none_or(|t| t.keeps_output(id))
    }

    /// What the visits planned so far, locked; the guard must be dropped before any
    /// `.await`.
    pub(super) fn accumulated(&self) -> MutexGuard<'_, PlanAccumulator> {
        crate::sync::locked(&self.accumulated)
    }

    /// Records a planned change.
    pub(super) fn add_change(&self, change: ResourceChange) {
        self.note_planned_change(&change);
        self.accumulated().add_change(change);
    }

    /// The stored instances of a resource in one module instance, in key order.
    pub(super) fn stored_instances(
        &self,
        module: &[crate::addrs::ModuleStep],
        addr: &ResourceAddr,
    ) -> Vec<(&InstanceAddr, &InstanceState)> {
        let start = InstanceAddr {
            module: module.to_vec(),
            resource: addr.clone(),
            key: InstanceKey::None,
        };
        self.state
            .instances
            .range(start..)
            .take_while(|(a, _)| a.module == module && a.resource == *addr)
            .collect()
    }

    fn plan_outputs(&self) -> Vec<OutputChange> {
        let config = self.scope.config;
        let graph = self.scope.graph;
        let mut prior = self.prior_outputs.take();
        let mut outputs = Vec::new();
        for (name, output) in &config.outputs {
            let Some(id) = graph.id(&Node::Output(name.clone())) else {
                continue;
            };
            if !self.evaluates_output(id) {
                continue;
            }
            // Read once, here: taken out of the walk's values rather than copied.
            let after = match self.options.mode {
                PlanMode::Destroy => Value::Null,
                _ => self.scope.take(id),
            };
            let before = prior.remove(name).unwrap_or(Value::Null);
            let action = match (before.is_null(), after.is_null()) {
                (true, true) => Action::NoOp,
                (true, false) => Action::Create,
                (false, true) => Action::Delete,
                (false, false) if before == after => Action::NoOp,
                (false, false) => Action::Update,
            };
            outputs.push(OutputChange {
                name: name.clone(),
                action,
                before,
                after,
                sensitive: output.sensitive,
            });
        }
        for (name, stored) in &self.state.outputs {
            // A targeted plan leaves the outputs it does not evaluate as they are.
            if !config.outputs.contains_key(name) && self.targeting.is_none() {
                outputs.push(OutputChange {
                    name: name.clone(),
                    action: Action::Delete,
                    // Every stored output is among the decoded ones.
                    before: prior.remove(name).unwrap_or(Value::Unknown),
                    after: Value::Null,
                    sensitive: stored.sensitive,
                });
            }
        }
        outputs
    }
}

/// Why an orphan (an instance whose resource or module instance is gone) is deleted.
pub(super) fn orphan_reason(scope: &Scope<'_>, addr: &InstanceAddr) -> ActionReason {
    let path = static_module_path(&addr.module);
    let module_exists = scope.config.descendant(&path).is_some()
        && scope.instances_of(&path).contains(&addr.module);
    if module_exists {
        ActionReason::DeleteBecauseNoResourceConfig
    } else {
        ActionReason::DeleteBecauseNoModule
    }
}
