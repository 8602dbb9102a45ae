//! Change-scoped planning by module instance: a tenant (an instance of a root module call,
//! `module.tenant["acme"]`) whose inputs are what the last apply saw is not evaluated at all
//! in a `-scope=changed` plan; its resources report their stored objects as no-ops.
//!
//! The input digest of a module instance covers the source text of the module and everything
//! below it, the call's arguments as written with the values they refer to and the instance's
//! `each`/`count` values (`call_digest`; evaluated arguments too when they read files), the
//! workspace, the working directory and the configuration of every provider its resources
//! use. A module
//! instance is left out whole ("frozen") only when that digest is the one the record holds,
//! nothing in the module tree reads what the digest cannot see (data sources, impure or
//! file-reading functions, `check` blocks, conditions, `replace_triggered_by`), its stored
//! instances are exactly the recorded ones (none tainted, deposed or moved), and the plan is
//! a normal plan without `-target`, `-exclude` or `-replace`. With the same inputs and
//! sources every expression inside evaluates as it did when the record was written, so each
//! of its instances has its recorded digest and plans as a no-op of its stored object.
//!
//! A frozen module instance whose module calls no other module and whose outputs the record
//! holds is left out of evaluation altogether: its locals are not evaluated and its outputs
//! are the recorded ones (its input variables are still evaluated and validated, as the
//! plan's check results report them). A plan that is only shown (not saved, applied or
//! rendered as JSON) keeps no change for its instances, only their count, and skips its
//! input variables too: it reports no check results.

use sha2::{Digest, Sha256};

use crate::addrs::{ModuleStep, ResourceMode};
use crate::config::{Config, Resource};
use crate::diags::Diagnostics;
use crate::graph::NodeId;
use crate::lang::Marked;
use crate::lang::functions::impure::{impure_or_file_call_in_body, impure_or_file_call_in_expr};
use crate::plan::{Action, PlanMode};
use tenantform_proto::value::Value;

use super::node_value::NodeValue;
use super::plan::Planner;
use super::plan_resource::stored_collection;
use super::scope_digest::{text, value};
use super::scoped::decode_outputs;

impl Planner<'_> {
    /// In a change-scoped plan, the value of a resource block in a frozen module instance,
    /// made from its stored instances without evaluating anything; `None` when it must be
    /// planned. Notes the module instance's input digest on the way.
    pub(super) async fn frozen_resource(
        &self,
        id: NodeId,
        resource: &Resource,
        module: &[ModuleStep],
    ) -> Result<Option<NodeValue>, Diagnostics> {
        let Some(outer) = module.first() else {
            return Ok(None);
        };
        if !self.frozen_module(outer) || resource.addr.mode != ResourceMode::Managed {
            return Ok(None);
        }
        let run = &self.scope_run;
        if self.leave_out_whole(outer) && self.lists_no_unchanged() {
            self.accumulated().left_out_modules.insert(outer.clone());
            return Ok(Some(NodeValue::Evaluated(Marked::plain(Value::Unknown))));
        }
        let config = self.scope.module_config(id);
        let dependencies: Vec<_> = self
            .scope
            .graph
            .resource_dependencies(id)
            .into_iter()
            .collect();
        let mut values = Vec::new();
        for (addr, stored) in self.stored_instances(module, &resource.addr) {
            self.mark_handled(addr);
            self.declare(addr.clone());
            let subject = self.subject(config, resource, addr.clone(), dependencies.clone())?;
            let prior = subject.decode(stored).await?;
            let change = self.change(&subject, Action::NoOp, None, prior, None);
            if let Some(recorded) = run.recorded(addr) {
                run.note_digest(addr, recorded.to_string());
            }
            run.note_unchanged(addr);
            values.push((addr.key.clone(), self.finish(&subject, change)));
        }
        Ok(Some(stored_collection(resource, values)))
    }

    /// Whether a root module call instance is frozen: its input digest is the recorded one,
    /// nothing in its tree reads what that digest cannot see, its stored instances are the
    /// recorded ones, and the plan is a normal plan without `-target`, `-exclude` or
    /// `-replace`. Notes the module instance's input digest on the way.
    pub(super) fn frozen_module(&self, outer: &ModuleStep) -> bool {
        let digest = self.module_input_digest(std::slice::from_ref(outer));
        let run = &self.scope_run;
        // `-replace` also warns about instances it names that the configuration lacks, which
        // takes the expansion: a plan with it evaluates every module instance.
        let plain_plan = run.is_scoped()
            && self.options.mode == PlanMode::Normal
            && self.targeting.is_none()
            && self.options.replace.is_empty();
        plain_plan
            && digest.is_some()
            && run.recorded_module(outer) == digest.as_deref()
            && self.module_tree_plain(&outer.name)
            && self.stored_as_recorded(outer)
    }

    /// In a change-scoped plan that is only shown, leaves out of evaluation, before their
    /// input variables are evaluated, the instances of the root module call at `path` that
    /// are frozen and left out whole: as their inputs and module are the recorded ones, their
    /// variables' validations hold as they held then (such a plan reports no check results).
    /// Does nothing while the configuration of a provider the module uses is not known yet
    /// (the input digest covers it).
    pub(super) fn leave_out_before_variables(&self, path: &[String]) {
        let [call] = path else { return };
        if !self.scope_run.is_scoped() || !self.lists_no_unchanged() {
            return;
        }
        let Some(module) = self.scope.config.children.get(call) else {
            return;
        };
        let configured = providers_of(module)
            .iter()
            .all(|local| self.scope.provider_config_now(local).is_some());
        if !configured {
            return;
        }
        for instance in self.scope.walked_instances_of(path).iter() {
            if let [outer] = instance.as_slice()
                && self.scope_run.left_out_whole(outer).is_none()
                && self.frozen_module(outer)
            {
                self.leave_out_whole(outer);
            }
        }
    }

    /// Whether a plan keeps no change for the instances of module instances it leaves out
    /// whole, only their count: a plan that is only shown, with no `moved` or `removed`
    /// block to check against the declared instances.
    pub(super) fn lists_no_unchanged(&self) -> bool {
        self.options.show_only && !self.refactoring.has_statements()
    }

    /// Whether a frozen module instance is left out of evaluation whole (decided once per
    /// plan): its module has no module calls of its own, and the record holds every one of
    /// its outputs, which the walk then takes instead of evaluating the module's locals and
    /// outputs. The same inputs, sources and stored objects give the same outputs.
    pub(super) fn leave_out_whole(&self, outer: &ModuleStep) -> bool {
        if let Some(known) = self.scope_run.left_out_whole(outer) {
            return known;
        }
        let outputs = self.scope_run.recorded_outputs(outer).and_then(|recorded| {
            let module = self.scope.config.children.get(&outer.name)?;
            let same_names = module.children.is_empty()
                && recorded.len() == module.outputs.len()
                && recorded
                    .keys()
                    .all(|name| module.outputs.contains_key(name));
            same_names.then(|| decode_outputs(recorded)).flatten()
        });
        let whole = outputs.is_some();
        if let Some(outputs) = outputs {
            self.scope.leave_out(std::slice::from_ref(outer), outputs);
        }
        let unlisted = match self.scope_run.stored_under(outer) {
            Some(stored) if whole && self.lists_no_unchanged() => stored.addrs.len(),
            _ => 0,
        };
        if whole && self.lists_no_unchanged() {
            // Nothing of it is listed: no node visit needs to see it.
            self.accumulated().left_out_modules.insert(outer.clone());
            self.scope.skip_in_walk(std::slice::from_ref(outer));
        }
        self.scope_run.note_left_out_whole(outer, whole, unlisted);
        whole
    }

    /// The input digest of a root module call's instance (computed once per plan, when its
    /// call's visit has noted its argument digest and the providers its module uses are
    /// configured); `None` when it has none yet.
    fn module_input_digest(&self, tenant: &[ModuleStep]) -> Option<String> {
        let outer = tenant.first()?;
        if let Some(known) = self.scope_run.module_digest(outer) {
            return known;
        }
        let digest = self.compute_module_digest(outer)?;
        self.scope_run.note_module_digest(outer, digest.clone());
        digest
    }

    /// The input digest of a root module call instance: its argument digest (`call_digest`),
    /// its evaluated arguments when they read files, and the configuration of every provider
    /// its module tree uses. `None` while one of those is not known yet; `Some(None)` when
    /// the instance has no digest.
    fn compute_module_digest(&self, outer: &ModuleStep) -> Option<Option<String>> {
        let Some(arguments) = self.scope_run.call_digest(outer)? else {
            return Some(None);
        };
        let module = self.scope.config.children.get(&outer.name)?;
        let mut hasher = Sha256::new();
        hasher.update(arguments);
        if self
            .scope_run
            .call_prefix(&outer.name)
            .is_some_and(|prefix| prefix.reads_files)
        {
            let learned = self.scope.learned();
            let inputs = learned.module_inputs.get(std::slice::from_ref(outer))?;
            if inputs.values().any(|input| !input.value.is_wholly_known()) {
                return Some(None);
            }
            for (name, input) in inputs {
                text(&mut hasher, name);
                value(&mut hasher, &input.value);
                text(&mut hasher, &format!("{:?}", input.marks));
            }
        }
        hasher.update(self.provider_digest(&outer.name, module)?);
        Some(Some(hex::encode(hasher.finalize())))
    }

    /// The digest of the configuration of every provider the module tree of the root call
    /// `call` uses (computed once per plan and call); `None` while one is not known yet.
    fn provider_digest(&self, call: &str, module: &Config) -> Option<[u8; 32]> {
        if let Some(known) = self.scope_run.provider_digest(call) {
            return Some(known);
        }
        let mut hasher = Sha256::new();
        for local in providers_of(module) {
            let configured = self.scope.provider_config_now(&local)?;
            text(&mut hasher, &local);
            value(&mut hasher, &configured);
        }
        let digest: [u8; 32] = hasher.finalize().into();
        self.scope_run.note_provider_digest(call, digest);
        Some(digest)
    }

    /// A hasher fed with what every instance of the root module call `name` shares: the
    /// digest's version, the workspace, the working directory and the source text of the
    /// module tree.
    pub(super) fn module_digest_prefix(&self, name: &str, module: &Config) -> Sha256 {
        let mut hasher = Sha256::new();
        text(&mut hasher, "tenantform module digest 4");
        text(&mut hasher, &self.options.workspace);
        text(
            &mut hasher,
            &std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
        );
        text(&mut hasher, name);
        let mut trees = vec![module];
        while let Some(config) = trees.pop() {
            text(&mut hasher, &config.path.join("."));
            for name in module_files(config) {
                text(&mut hasher, name);
                text(
                    &mut hasher,
                    config.sources.files.get(name).map_or("", String::as_str),
                );
            }
            trees.extend(config.children.values());
        }
        hasher
    }

    /// Whether nothing in the module tree of the root call `name` reads what an input digest
    /// cannot see.
    fn module_tree_plain(&self, name: &str) -> bool {
        if let Some(known) = self.scope_run.tree_plain(name) {
            return known;
        }
        let plain = self
            .scope
            .config
            .children
            .get(name)
            .is_some_and(tree_is_plain);
        self.scope_run.note_tree_plain(name, plain);
        plain
    }

    /// Whether the stored instances of a module instance are exactly the recorded ones (as
    /// many: the recorded ones are some of the stored ones, see `scoped::module_records`),
    /// and none is tainted, deposed, moved or to be replaced.
    fn stored_as_recorded(&self, outer: &ModuleStep) -> bool {
        let Some(stored) = self.scope_run.stored_under(outer) else {
            return self.scope_run.recorded_count_under(outer) == 0;
        };
        let plain = stored.addrs.iter().all(|addr| {
            !self.replace.contains(addr) && !self.refactoring.results.moved.contains_key(addr)
        });
        !stored.tainted_or_deposed
            && plain
            && self.scope_run.recorded_count_under(outer) == stored.addrs.len()
    }
}

/// The files the blocks of one module are declared in.
fn module_files(module: &Config) -> std::collections::BTreeSet<&str> {
    let mut files: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    files.extend(module.resources.values().map(|r| r.file.as_str()));
    files.extend(module.locals.values().map(|l| l.file.as_str()));
    files.extend(module.outputs.values().map(|o| o.file.as_str()));
    files.extend(module.variables.values().map(|v| v.file.as_str()));
    files.extend(module.module_calls.values().map(|c| c.file.as_str()));
    files.extend(module.providers.values().map(|p| p.file.as_str()));
    files
}

/// The provider local names the resources of a module tree use.
fn providers_of(module: &Config) -> std::collections::BTreeSet<String> {
    let mut names: std::collections::BTreeSet<String> = module
        .resources
        .values()
        .map(|resource| resource.provider.clone())
        .collect();
    for child in module.children.values() {
        names.extend(providers_of(child));
    }
    names
}

/// Whether a module tree has no data source, `check` block, condition,
/// `replace_triggered_by`, or impure or file-reading function call.
fn tree_is_plain(module: &Config) -> bool {
    let resources_plain = module.resources.values().all(|resource| {
        let rules = &resource.lifecycle_rules;
        resource.addr.mode == ResourceMode::Managed
            && resource.check.is_none()
            && rules.preconditions.is_empty()
            && rules.postconditions.is_empty()
            && rules.replace_triggered_by.is_empty()
            && impure_or_file_call_in_body(&resource.body).is_none()
            && [&resource.count, &resource.for_each]
                .into_iter()
                .flatten()
                .all(|expr| impure_or_file_call_in_expr(expr).is_none())
    });
    let values_plain = module
        .locals
        .values()
        .map(|local| &local.expr)
        .chain(module.outputs.values().map(|output| &output.expr))
        .all(|expr| impure_or_file_call_in_expr(expr).is_none());
    let calls_plain = module.module_calls.values().all(|call| {
        impure_or_file_call_in_body(&call.inputs).is_none()
            && [&call.count, &call.for_each]
                .into_iter()
                .flatten()
                .all(|expr| impure_or_file_call_in_expr(expr).is_none())
    });
    resources_plain
        && values_plain
        && calls_plain
        && module.checks.is_empty()
        && module.children.values().all(tree_is_plain)
}
