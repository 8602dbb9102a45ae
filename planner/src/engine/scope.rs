//! The evaluation scope of one operation: the value of every graph node in every module
//! instance as the walk learns it, evaluation contexts built from exactly what an expression
//! refers to (so evaluating one resource costs what it refers to, not the size of the
//! configuration), and the visits of the nodes every operation treats alike: variables,
//! locals, outputs, module calls, checks and provider configurations. Values keep their
//! sensitivity marks from node to node.
//!
//! What the walk learns (node values, module expansions) sits behind one lock, the
//! configured providers and the diagnostics behind one each; none is held across an
//! `.await`. Module calls and checks are visited in `modules`, outputs in `outputs`.

use crate::plan::checks::CheckResult;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::{Mutex, MutexGuard};

use hcl_edit::structure::Body;
use tenantform_proto::value::Value;

use crate::addrs::{ModuleStep, ResourceAddr};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::NodeId;
use crate::graph::{ConfigGraph, Node};
use crate::lang::{self, EvalContext, Marked, Sensitivity, Subject};
use crate::providers::{ProviderClient, Providers};

use super::diagnostics::{provider_diagnostics, provider_failure};
use super::drop_elsewhere::drop_elsewhere;
use super::fast_map::FastMap;
use super::module_instances::ModuleInstances;
use super::node_value::{CallExpansion, NodeValue};

/// A module instance path (`module.t["a"]`); empty for the root module.
pub(crate) type ModuleInstance = Vec<ModuleStep>;

/// What the walk does with provider configurations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProviderUse {
    /// Validate the configuration only.
    Validate,
    /// Validate and configure.
    Configure,
}

/// How [`Scope::visit_common`] handled a node.
#[derive(Debug)]
pub(crate) enum CommonVisit<'g> {
    /// A node every operation treats alike, visited: whether it succeeded (failures are
    /// reported).
    Done(bool),
    /// A resource block, which each operation visits its own way.
    Resource(&'g ResourceAddr),
}

/// What a walk learns as it goes: node values and how module calls expanded.
pub(super) struct Learned {
    /// Node values by module instance, then node id: a fleet's module instance path is kept
    /// (and hashed) once for all of its nodes.
    pub values: FastMap<ModuleInstance, BTreeMap<NodeId, NodeValue>>,
    /// The instances of each module, by static path, and those the walk skips.
    pub module_instances: ModuleInstances,
    /// How each module call expanded, by calling module instance and call name (its keys
    /// only: the `each.value`s served evaluating its arguments).
    pub call_expansions: FastMap<(ModuleInstance, String), CallExpansion>,
    /// Input variable values of each module instance (other than the root).
    pub module_inputs: FastMap<ModuleInstance, BTreeMap<String, Marked>>,
}

pub(crate) struct Scope<'a> {
    pub config: &'a Config,
    pub graph: &'a ConfigGraph,
    pub providers: &'a Providers,
    variables: &'a BTreeMap<String, Value>,
    /// Variables without a value are unknown instead of an error (validation).
    unknown_missing_variables: bool,
    /// What the walk learned so far. Never held across an `.await`.
    learned: Mutex<Learned>,
    /// The providers configured so far, by local name.
    configured: Mutex<BTreeSet<String>>,
    /// The configuration each provider was configured with, by local name.
    provider_configs: Mutex<BTreeMap<String, Value>>,
    /// The diagnostics reported so far.
    diags: Mutex<Diagnostics>,
    /// The results of the conditions evaluated so far (the JSON plan's `checks`).
    checks: Mutex<Vec<CheckResult>>,
    path_cwd: String,
    /// In a destroy run, values that cannot be evaluated (they refer to what is gone) are
    /// unknown instead of errors.
    pub destroying: bool,
    /// What `terraform.workspace` evaluates to: the workspace the operation runs in.
    pub workspace: String,
    /// `plantimestamp()`: when this walk started (unknown while validating).
    plan_timestamp: Value,
    /// The module instances a change-scoped plan leaves out whole, with the outputs the
    /// record gives them: their locals are not evaluated, their outputs are these.
    left_out: Mutex<FastMap<ModuleInstance, Arc<BTreeMap<String, Value>>>>,
    /// The input variables of module instances left out are not evaluated either (a plan
    /// that reports no check results).
    pub skip_left_out_variables: bool,
    /// `module.NAME` read whole, by calling module instance and call, made once: a fleet's
    /// is ten thousand objects, and several root outputs read it. A one-entry map, so that
    /// a context referring to nothing else shares it.
    pub(super) whole_modules: Mutex<FastMap<(ModuleInstance, String), WholeModule>>,
    /// Root locals evaluated while the state was read, taken instead of evaluating them.
    pub read_ahead: Option<&'a super::read_ahead::ReadAhead>,
}

/// The value of a `module.NAME` read whole: a map of the one call name to it, and its marks.
pub(super) type WholeModule = (Arc<BTreeMap<String, Value>>, Sensitivity);

impl<'a> Scope<'a> {
    pub(super) fn new(
        config: &'a Config,
        graph: &'a ConfigGraph,
        providers: &'a Providers,
        variables: &'a BTreeMap<String, Value>,
        unknown_missing_variables: bool,
    ) -> Scope<'a> {
        Scope {
            config,
            graph,
            providers,
            variables,
            unknown_missing_variables,
            learned: Mutex::new(Learned {
                values: FastMap::default(),
                module_instances: ModuleInstances::new(),
                call_expansions: FastMap::default(),
                module_inputs: FastMap::default(),
            }),
            configured: Mutex::new(BTreeSet::new()),
            provider_configs: Mutex::new(BTreeMap::new()),
            diags: Mutex::new(Diagnostics::new()),
            checks: Mutex::new(Vec::new()),
            path_cwd: current_dir(),
            destroying: false,
            workspace: crate::state::DEFAULT_WORKSPACE.to_string(),
            plan_timestamp: if unknown_missing_variables {
                Value::Unknown
            } else {
                Value::String(crate::lang::functions::dates::now_rfc3339())
            },
            left_out: Mutex::new(FastMap::default()),
            skip_left_out_variables: false,
            whole_modules: Mutex::new(FastMap::default()),
            read_ahead: None,
        }
    }

    /// Leaves a module instance out of the walk's evaluation: from now on its locals are
    /// not evaluated and its outputs are `outputs` (see `scoped_modules`).
    pub(super) fn leave_out(&self, instance: &[ModuleStep], outputs: BTreeMap<String, Value>) {
        crate::sync::locked(&self.left_out).insert(instance.to_vec(), Arc::new(outputs));
    }

    /// The outputs of a module instance left out of the walk's evaluation.
    fn left_out_outputs(&self, instance: &[ModuleStep]) -> Option<Arc<BTreeMap<String, Value>>> {
        let left_out = crate::sync::locked(&self.left_out);
        if left_out.is_empty() {
            return None;
        }
        left_out.get(instance).cloned()
    }

    /// The configuration the provider `name` was configured with, once it is.
    pub(super) fn provider_config(&self, name: &str) -> Option<Value> {
        crate::sync::locked(&self.provider_configs)
            .get(name)
            .cloned()
    }

    /// The configuration the provider `name` is or will be configured with: known before its
    /// visit when its configuration block refers to nothing, as it then evaluates alike
    /// whenever it is evaluated. `None` when it depends on what the walk has yet to learn, or
    /// does not evaluate.
    pub(super) fn provider_config_now(&self, name: &str) -> Option<Value> {
        if let Some(configured) = self.provider_config(name) {
            return Some(configured);
        }
        let id = self.graph.id(&Node::Provider(name.to_string()))?;
        if !self.graph.references(id).is_empty() {
            return None;
        }
        let schema = self.providers.schemas.get(name)?;
        self.provider_config_value(id, name, schema).ok()
    }

    /// The configuration value of the provider block `name` (node `id`; an empty block when
    /// the configuration has none), evaluated with what the walk knows now.
    fn provider_config_value(
        &self,
        id: NodeId,
        name: &str,
        schema: &tenantform_proto::schema::ProviderSchema,
    ) -> Result<Value, Diagnostics> {
        let empty = Body::default();
        let (body, file) = match self.config.providers.get(name) {
            Some(block) => (&block.body, block.file.as_str()),
            None => (&empty, ""),
        };
        let ctx = self.context(id);
        lang::decode_body(
            body,
            &schema.provider.block,
            &ctx,
            file,
            &self.config.sources,
        )
    }

    /// The `plantimestamp()` value: a string, or unknown while validating.
    pub(super) fn plan_timestamp(&self) -> &Value {
        &self.plan_timestamp
    }

    /// Makes `plantimestamp()` return the time a saved plan was made, when applying it.
    pub(super) fn use_plan_timestamp(&mut self, timestamp: &str) {
        if !timestamp.is_empty() {
            self.plan_timestamp = Value::String(timestamp.to_string());
        }
    }

    /// What the walk learned so far, locked; the guard must be dropped before any `.await`.
    pub(super) fn learned(&self) -> MutexGuard<'_, Learned> {
        crate::sync::locked(&self.learned)
    }

    /// Sets a node's value, without marks, in one module instance.
    pub(super) fn set_in(&self, id: NodeId, instance: &[ModuleStep], value: Value) {
        self.set_marked_in(id, instance, Marked::plain(value));
    }

    /// Sets a node's value and its marks in one module instance.
    pub(super) fn set_marked_in(&self, id: NodeId, instance: &[ModuleStep], value: Marked) {
        self.set_node_in(id, instance, NodeValue::Evaluated(value));
    }

    /// Records what the walk knows of a node in one module instance.
    pub(super) fn set_node_in(&self, id: NodeId, instance: &[ModuleStep], value: NodeValue) {
        let mut learned = self.learned();
        match learned.values.get_mut(instance) {
            Some(nodes) => {
                nodes.insert(id, value);
            }
            None => {
                learned
                    .values
                    .insert(instance.to_vec(), BTreeMap::from([(id, value)]));
            }
        }
    }

    /// A root module node's value (unknown until set).
    pub(super) fn get(&self, id: NodeId) -> Value {
        self.get_in(id, &[])
    }

    /// A node's value in one module instance (unknown until set).
    pub(super) fn get_in(&self, id: NodeId, instance: &[ModuleStep]) -> Value {
        self.get_marked_in(id, instance).value
    }

    /// A node's value and its marks in one module instance (unknown until set).
    pub(super) fn get_marked_in(&self, id: NodeId, instance: &[ModuleStep]) -> Marked {
        let learned = self.learned();
        if let Some(value) = learned
            .values
            .get(instance)
            .and_then(|nodes| nodes.get(&id))
        {
            return value.to_marked();
        }
        let skipped = learned.module_instances.is_skipped(instance);
        drop(learned);
        let recorded = skipped
            .then(|| self.read_skipped_output(id, instance, Value::clone))
            .flatten();
        Marked::plain(recorded.unwrap_or(Value::Unknown))
    }

    /// `read` of the value of output node `id` in a module instance the walk skips: the one
    /// the instance was left out with.
    fn read_skipped_output<R>(
        &self,
        id: NodeId,
        instance: &[ModuleStep],
        read: impl FnOnce(&Value) -> R,
    ) -> Option<R> {
        let Node::Output(name) = self.graph.node(id) else {
            return None;
        };
        self.left_out_outputs(instance)?.get(name).map(read)
    }

    /// A root module node's value, taken out of what the walk learned: for what reads a
    /// value once, after the walk (unknown when not set).
    pub(super) fn take(&self, id: NodeId) -> Value {
        let taken = self
            .learned()
            .values
            .get_mut(&[][..])
            .and_then(|nodes| nodes.remove(&id));
        taken.map_or(Value::Unknown, |node| node.into_marked().value)
    }

    /// Whether a node's value in one module instance is null (false until set), without
    /// copying it.
    pub(super) fn is_null_in(&self, id: NodeId, instance: &[ModuleStep]) -> bool {
        let learned = self.learned();
        if let Some(value) = learned
            .values
            .get(instance)
            .and_then(|nodes| nodes.get(&id))
        {
            return value.is_null();
        }
        let skipped = learned.module_instances.is_skipped(instance);
        drop(learned);
        skipped
            && self
                .read_skipped_output(id, instance, Value::is_null)
                .unwrap_or(false)
    }

    /// Frees a node's values in every instance of its module (see `ValueRelease`).
    pub(super) fn forget_node(&self, id: NodeId) {
        if let (Node::Output(_), [.., call]) = (self.graph.node(id), self.graph.module(id)) {
            crate::sync::locked(&self.whole_modules).retain(|(_, name), _| name != call);
        }
        let mut learned = self.learned();
        let instances = learned.module_instances.walked(self.graph.module(id));
        let freed: Vec<NodeValue> = instances
            .iter()
            .filter_map(|instance| learned.values.get_mut(instance)?.remove(&id))
            .collect();
        drop(learned);
        if !freed.is_empty() {
            drop_elsewhere(freed);
        }
    }

    /// Frees the node values and module inputs learned so far, once nothing is evaluated any
    /// more: in a fleet they are a large part of a plan's memory, and the plan's assembly
    /// that follows allocates again.
    pub(super) fn forget_values(&self) {
        let mut learned = self.learned();
        let values = std::mem::take(&mut learned.values);
        let inputs = std::mem::take(&mut learned.module_inputs);
        drop(learned);
        drop_elsewhere((values, inputs));
    }

    /// Frees what the walk learned about module instances and calls, once the plan is made.
    pub(super) fn forget_instances(&self) {
        let mut learned = self.learned();
        let instances = std::mem::replace(&mut learned.module_instances, ModuleInstances::new());
        let expansions = std::mem::take(&mut learned.call_expansions);
        drop(learned);
        drop_elsewhere((instances, expansions));
    }

    /// The instances of the module at static path `path` (known once its call was visited).
    pub(super) fn instances_of(&self, path: &[String]) -> Arc<Vec<ModuleInstance>> {
        self.learned().module_instances.all(path)
    }

    /// The instances of the module at static path `path` that node visits evaluate in:
    /// those [`Scope::skip_in_walk`] skips left out.
    pub(super) fn walked_instances_of(&self, path: &[String]) -> Arc<Vec<ModuleInstance>> {
        self.learned().module_instances.walked(path)
    }

    /// From now on no node visit evaluates anything in `instance`, which must be left out
    /// (see [`Scope::leave_out`]): its outputs are the ones it was left out with, and
    /// nothing else of it is read.
    pub(super) fn skip_in_walk(&self, instance: &[ModuleStep]) {
        self.learned().module_instances.skip(instance);
    }

    /// True when validating (unknown inputs instead of errors).
    pub(super) fn validating(&self) -> bool {
        self.unknown_missing_variables
    }

    /// The configuration of the module node `id` belongs to.
    pub(super) fn module_config(&self, id: NodeId) -> &'a Config {
        self.config
            .descendant(self.graph.module(id))
            .unwrap_or(self.config)
    }

    pub(super) fn report(&self, diags: Diagnostics) {
        crate::sync::locked(&self.diags).extend(diags);
    }

    pub(super) fn report_one(&self, diag: Diagnostic) {
        crate::sync::locked(&self.diags).push(diag);
    }

    pub(super) fn take_diagnostics(&self) -> Diagnostics {
        std::mem::take(&mut *crate::sync::locked(&self.diags))
    }

    /// Records the result of one evaluated condition.
    pub(super) fn record_check(&self, result: CheckResult) {
        crate::sync::locked(&self.checks).push(result);
    }

    /// The results of the conditions evaluated so far.
    pub(super) fn take_checks(&self) -> Vec<CheckResult> {
        std::mem::take(&mut *crate::sync::locked(&self.checks))
    }

    /// The context for evaluating root module node `id`.
    pub(super) fn context(&self, id: NodeId) -> EvalContext {
        self.context_in(id, &[])
    }

    /// The context for evaluating node `id` in a module instance: the values of exactly what
    /// it refers to.
    pub(super) fn context_in(&self, id: NodeId, instance: &[ModuleStep]) -> EvalContext {
        self.context_for(self.graph.module(id), self.graph.references(id), instance)
    }

    /// The context for evaluating an expression of the module at static path `module`, in
    /// one of its instances, that refers to `references`.
    pub(super) fn context_for(
        &self,
        module: &[String],
        references: &[Subject],
        instance: &[ModuleStep],
    ) -> EvalContext {
        let config = self.config.descendant(module).unwrap_or(self.config);
        let mut ctx = EvalContext {
            path_module: config.dir.display().to_string(),
            path_root: self.config.dir.display().to_string(),
            path_cwd: self.path_cwd.clone(),
            workspace: self.workspace.clone(),
            plan_timestamp: Some(self.plan_timestamp.clone()),
            builtin_provider_names: config.builtin_provider_names(),
            ..EvalContext::default()
        };
        let module_outputs = self.bind_values(&mut ctx, module, references, instance);
        let one_call = module_outputs.len() == 1;
        for (call, outputs) in module_outputs {
            let subject = Subject::Module {
                call: call.to_string(),
                output: None,
            };
            if outputs.is_none() {
                let (whole, marks) = self.whole_module_value(config, instance, call);
                ctx.set_marks(subject, marks);
                if one_call {
                    ctx.modules = whole;
                } else if let Some(value) = whole.get(call) {
                    Arc::make_mut(&mut ctx.modules).insert(call.to_string(), value.clone());
                }
                continue;
            }
            let (value, marks) = self
                .module_value(config, instance, call, outputs.as_ref())
                .into_parts();
            ctx.set_marks(subject, marks);
            Arc::make_mut(&mut ctx.modules).insert(call.to_string(), value);
        }
        ctx
    }

    /// Binds in `ctx` the values of the variables, locals and resources of `references`;
    /// returns the module calls they refer to, each with the outputs named (`None`: every
    /// output, the whole `module.NAME` is referred to).
    fn bind_values<'r>(
        &self,
        ctx: &mut EvalContext,
        module: &[String],
        references: &'r [Subject],
        instance: &[ModuleStep],
    ) -> BTreeMap<&'r str, Option<BTreeSet<&'r str>>> {
        let mut module_outputs: BTreeMap<&str, Option<BTreeSet<&str>>> = BTreeMap::new();
        let learned = self.learned();
        let nodes = learned.values.get(instance);
        let value_of = |node: Node| {
            self.graph.id_in(module, &node).map(|i| {
                nodes
                    .and_then(|nodes| nodes.get(&i))
                    .map_or_else(|| Marked::plain(Value::Unknown), NodeValue::to_marked)
            })
        };
        for subject in references {
            match subject {
                Subject::Variable(name) => {
                    if let Some(v) = value_of(Node::Variable(name.clone())) {
                        ctx.set_marks(subject.clone(), v.marks);
                        Arc::make_mut(&mut ctx.variables).insert(name.clone(), v.value);
                    }
                }
                Subject::Local(name) => {
                    if let Some(v) = value_of(Node::Local(name.clone())) {
                        ctx.set_marks(subject.clone(), v.marks);
                        Arc::make_mut(&mut ctx.locals).insert(name.clone(), v.value);
                    }
                }
                Subject::Resource(addr) => {
                    if let Some(v) = value_of(Node::Resource(addr.clone())) {
                        ctx.set_marks(subject.clone(), v.marks);
                        Arc::make_mut(&mut ctx.resources).insert(addr.clone(), v.value);
                    }
                }
                Subject::Module { call, output } => {
                    let entry = module_outputs
                        .entry(call.as_str())
                        .or_insert_with(|| Some(BTreeSet::new()));
                    match (entry.as_mut(), output) {
                        (Some(names), Some(name)) => {
                            names.insert(name.as_str());
                        }
                        _ => *entry = None,
                    }
                }
                _ => {}
            }
        }
        module_outputs
    }

    /// Visits a variable, local, output, module call, check or provider node; hands a
    /// resource node back to the operation.
    pub(super) async fn visit_common(
        &self,
        id: NodeId,
        provider_use: ProviderUse,
    ) -> CommonVisit<'a> {
        let graph: &'a ConfigGraph = self.graph;
        CommonVisit::Done(match graph.node(id) {
            Node::Resource(addr) => return CommonVisit::Resource(addr),
            Node::Provider(name) => {
                let result = self.visit_provider(id, name, provider_use).await;
                result.map_err(|diags| self.report(diags)).is_ok()
            }
            Node::ModuleCall(name) => self.visit_module_call(id, name, None),
            Node::Check(name) => {
                // As in Terraform, a destroy plan checks nothing.
                if !self.destroying {
                    self.visit_check(id, name);
                }
                true
            }
            Node::Variable(_) | Node::Local(_) | Node::Output(_) => self.visit_value(id),
        })
    }

    /// Evaluates a variable, local or output node in each instance of its module.
    fn visit_value(&self, id: NodeId) -> bool {
        let config = self.module_config(id);
        let sources = &config.sources;
        let mut ok = true;
        for instance in self.walked_instances_of(self.graph.module(id)).iter() {
            if let Some(outputs) = self.left_out_outputs(instance) {
                match self.graph.node(id) {
                    Node::Local(_) => continue,
                    Node::Variable(_) if self.skip_left_out_variables => continue,
                    Node::Output(name) => {
                        if let Some(value) = outputs.get(name) {
                            self.set_in(id, instance, value.clone());
                            continue;
                        }
                    }
                    _ => {}
                }
            }
            let result = match self.graph.node(id) {
                Node::Variable(name) => self.variable_value(config, instance, name),
                Node::Local(name) => match self.evaluated_ahead(id, instance, name) {
                    Some(value) => Ok(value),
                    None => {
                        let local = &config.locals[name];
                        let ctx = self.context_in(id, instance);
                        lang::evaluate_marked(&local.expr, &ctx, &local.file, sources)
                    }
                },
                Node::Output(name) => self.output_value(id, config, instance, name),
                _ => Ok(Marked::plain(Value::Null)),
            };
            match result {
                Ok(value) => self.set_marked_in(id, instance, value),
                Err(_) if self.destroying => self.set_in(id, instance, Value::Unknown),
                Err(diags) => {
                    self.report(diags);
                    ok = false;
                }
            }
        }
        ok
    }

    /// The value of a root local evaluated while the state was read, if it was.
    fn evaluated_ahead(&self, id: NodeId, instance: &[ModuleStep], name: &str) -> Option<Marked> {
        let read_ahead = self.read_ahead?;
        let at_root = instance.is_empty() && self.graph.module(id).is_empty();
        at_root.then(|| read_ahead.take(name)).flatten()
    }

    /// A variable's value: marked whole when it is declared sensitive.
    fn variable_value(
        &self,
        config: &Config,
        instance: &[ModuleStep],
        name: &str,
    ) -> Result<Marked, Diagnostics> {
        let declared = Sensitivity::whole_if(config.variables[name].sensitive);
        if !instance.is_empty() {
            let value = self.module_variable_value(config, instance, name)?;
            self.validate_module_variable(config, instance, name, &value.value)?;
            return Ok(value.with(declared));
        }
        if let Some(value) = self.variables.get(name) {
            return Ok(Marked::new(value.clone(), declared));
        }
        let variable = &self.config.variables[name];
        // Typed as planning types it: `optional()` attributes get their defaults.
        if let Some(default) = crate::variables::typed_default(variable, &self.config.sources)? {
            return Ok(Marked::new(default, declared));
        }
        if self.unknown_missing_variables {
            return Ok(Marked::new(Value::Unknown, declared));
        }
        Err(Diagnostic::error(
            "No value for required variable",
            format!(
                "The root module input variable {name:?} is not set, and has no default value. \
                 Use a -var or -var-file command line argument to provide a value for this \
                 variable."
            ),
        )
        .with_range(Some(variable.range.clone()))
        .into())
    }

    /// The provider client for a local name, or a diagnostic.
    pub(super) fn client(
        &self,
        local_name: &str,
        range: Option<SourceRange>,
    ) -> Result<&'a dyn ProviderClient, Diagnostics> {
        match self.providers.clients.get(local_name) {
            Some(client) => Ok(client.as_ref()),
            None => Err(missing_provider(local_name, range).into()),
        }
    }

    async fn visit_provider(
        &self,
        id: NodeId,
        name: &str,
        provider_use: ProviderUse,
    ) -> Result<(), Diagnostics> {
        let block = self.config.providers.get(name);
        let range = block.map(|b| b.range.clone());
        let client = self.client(name, range.clone())?;
        let Some(schema) = self.providers.schemas.get(name) else {
            return Err(missing_provider(name, range).into());
        };
        let config_value = self.provider_config_value(id, name, schema)?;
        let subject = format!("provider.{name}");
        let diags = client
            .validate_provider_config(&config_value)
            .await
            .map_err(|e| Diagnostics::from(provider_failure(&subject, &e, range.clone())))?;
        self.check(provider_diagnostics(&subject, diags, range.clone()))?;
        if provider_use == ProviderUse::Configure {
            self.configure(name, client, &config_value, &subject, range)
                .await?;
        }
        Ok(())
    }

    async fn configure(
        &self,
        name: &str,
        client: &dyn ProviderClient,
        config_value: &Value,
        subject: &str,
        range: Option<SourceRange>,
    ) -> Result<(), Diagnostics> {
        if !crate::sync::locked(&self.configured).insert(name.to_string()) {
            return Ok(());
        }
        crate::sync::locked(&self.provider_configs).insert(name.to_string(), config_value.clone());
        let diags = client
            .configure(config_value)
            .await
            .map_err(|e| Diagnostics::from(provider_failure(subject, &e, range.clone())))?;
        self.check(provider_diagnostics(subject, diags, range))
    }

    /// Configures a provider no configuration block or resource mentions (one that only
    /// instances in state use), with an empty configuration.
    pub(super) async fn configure_unlisted(&self, name: &str) -> Result<(), Diagnostics> {
        if self.graph.id(&Node::Provider(name.to_string())).is_some() {
            return Ok(());
        }
        let client = self.client(name, None)?;
        let Some(schema) = self.providers.schemas.get(name) else {
            return Err(missing_provider(name, None).into());
        };
        let config_value = lang::decode_body(
            &Body::default(),
            &schema.provider.block,
            &EvalContext::default(),
            "",
            &self.config.sources,
        )?;
        self.configure(
            name,
            client,
            &config_value,
            &format!("provider.{name}"),
            None,
        )
        .await
    }

    /// Keeps warnings, turns errors into `Err`.
    pub(super) fn check(&self, diags: Diagnostics) -> Result<(), Diagnostics> {
        if diags.has_errors() {
            Err(diags)
        } else {
            self.report(diags);
            Ok(())
        }
    }
}

pub(crate) fn missing_provider(name: &str, range: Option<SourceRange>) -> Diagnostic {
    Diagnostic::error(
        "Missing required provider",
        format!(
            "This configuration requires provider {name:?}, but it is not available. Run \
             \"tenantform init\" and check that the provider's plugin can be found."
        ),
    )
    .with_range(range)
}

/// What `path.cwd` evaluates to: the working directory.
pub(super) fn current_dir() -> String {
    std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| ".".into())
}
