//! Planning one resource block in one module instance: expanding `count` / `for_each`,
//! planning each instance (in parallel, results in key order) and deleting the stored
//! instances the expansion no longer has.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use tenantform_proto::value::Value;

use crate::addrs::{
    ConfigResourceAddr, InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode,
};
use crate::config::{Config, Resource};
use crate::diags::Diagnostics;
use crate::graph::NodeId;
use crate::lang::{EvalContext, Marked, Sensitivity};
use crate::plan::objchange::sensitive_paths;
use crate::plan::shapes::unknown_collections;
use crate::plan::{Action, ActionReason, PlanMode, ResourceChange};

use super::expand::Expansion;
use super::node_value::{InstanceValue, NodeValue, Repetition};
use super::plan::{Planner, schema_for};
use super::plan_instance::Subject;
use super::scope::ModuleInstance;
use super::targets::Coverage;

/// A resource block in one module instance.
struct BlockInModule<'b> {
    id: NodeId,
    config: &'b Config,
    resource: &'b Resource,
    module: &'b [ModuleStep],
}

impl BlockInModule<'_> {
    /// The address of this block's instance `key`.
    fn instance(&self, key: &InstanceKey) -> InstanceAddr {
        InstanceAddr {
            module: self.module.to_vec(),
            resource: self.resource.addr.clone(),
            key: key.clone(),
        }
    }
}

impl Planner<'_> {
    /// Plans a resource block in every instance of its module, up to `-parallelism` module
    /// instances at a time (a module fleet's instances wait on the provider together, not
    /// one after another); results in module instance order.
    pub(super) async fn plan_resource_in_modules(
        &self,
        id: NodeId,
        addr: &ResourceAddr,
    ) -> Vec<(ModuleInstance, Result<NodeValue, Diagnostics>)> {
        let instances = self.scope.walked_instances_of(self.scope.graph.module(id));
        stream::iter(instances.iter().cloned())
            .map(|instance| async move {
                let planned = self.plan_resource(id, addr, &instance).await;
                (instance, planned)
            })
            .buffered(self.options.parallelism.max(1))
            .collect()
            .await
    }

    /// Plans a resource block in one module instance; returns the value references see.
    pub(super) async fn plan_resource(
        &self,
        id: NodeId,
        addr: &ResourceAddr,
        module: &[ModuleStep],
    ) -> Result<NodeValue, Diagnostics> {
        let config = self.scope.module_config(id);
        let Some(resource) = config.resource(addr) else {
            return Ok(NodeValue::Evaluated(Marked::plain(Value::Null)));
        };
        let coverage = self
            .targeting
            .as_ref()
            .map_or(Coverage::All, |t| t.coverage(id));
        // A refresh-only plan reads data sources again, as a normal plan does; managed
        // resources it only refreshes.
        let reads_again =
            self.options.mode == PlanMode::RefreshOnly && addr.mode == ResourceMode::Data;
        if (self.options.mode != PlanMode::Normal && !reads_again) || coverage == Coverage::None {
            return self.plan_stored_only(id, resource, module, coverage).await;
        }
        if let Some(frozen) = self.frozen_resource(id, resource, module).await? {
            return Ok(frozen);
        }
        let block = BlockInModule {
            id,
            config,
            resource,
            module,
        };
        let ctx = self.scope.context_in(id, module);
        let expansion = Expansion::evaluate(
            resource.count.as_ref(),
            resource.for_each.as_ref(),
            &ctx,
            &resource.file,
            &config.sources,
        )?;
        let keys = expansion.keys();
        self.warn_incomplete_replace(&block, &keys);
        let mut diags = Diagnostics::new();
        let mut values = Vec::new();
        let planned = self
            .plan_instances(&block, &expansion, keys, &ctx, coverage)
            .await;
        for result in planned {
            match result {
                Ok(pair) => values.push(pair),
                Err(errors) => diags.extend(errors),
            }
        }
        diags.extend(self.plan_removed_keys(&block, &expansion).await?);
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(NodeValue::instances(
            Repetition::of_expansion(&expansion),
            values,
        ))
    }

    /// Warns when `-replace` names an instance of this block that it does not have.
    fn warn_incomplete_replace(&self, block: &BlockInModule<'_>, keys: &[InstanceKey]) {
        if self.options.replace.is_empty() {
            return;
        }
        let instances: Vec<InstanceAddr> = keys.iter().map(|key| block.instance(key)).collect();
        self.scope
            .report(super::targets::incomplete_replace_warnings(
                &self.options.replace,
                &block.resource.addr,
                &instances,
            ));
    }

    /// Plans every instance the expansion has (in parallel), results in key order.
    async fn plan_instances(
        &self,
        block: &BlockInModule<'_>,
        expansion: &Expansion,
        keys: Vec<InstanceKey>,
        ctx: &EvalContext,
        coverage: Coverage,
    ) -> Vec<Result<(InstanceKey, InstanceValue), Diagnostics>> {
        let dependencies = self.dependencies(block.id);
        stream::iter(keys)
            .map(|key| {
                let subject_addr = block.instance(&key);
                self.declare(subject_addr.clone());
                let mut ctx = ctx.clone();
                expansion.bind(&key, &mut ctx);
                let dependencies = dependencies.clone();
                async move {
                    let targeted = coverage == Coverage::All
                        || self
                            .targeting
                            .as_ref()
                            .is_none_or(|t| t.names(&subject_addr));
                    let subject =
                        self.subject(block.config, block.resource, subject_addr, dependencies)?;
                    let value = if targeted {
                        self.plan_instance(&subject, block.resource, ctx).await?
                    } else {
                        self.untouched(&subject).await?
                    };
                    Ok((key, value))
                }
            })
            .buffered(self.options.parallelism.max(1))
            .collect()
            .await
    }

    /// Plans the deletion of the stored instances the expansion no longer has; returns the
    /// errors of those deletions (`Err` when a subject cannot even be made).
    async fn plan_removed_keys(
        &self,
        block: &BlockInModule<'_>,
        expansion: &Expansion,
    ) -> Result<Diagnostics, Diagnostics> {
        let mut diags = Diagnostics::new();
        for (stored_addr, _) in self.stored_instances(block.module, &block.resource.addr) {
            if expansion.contains(&stored_addr.key) {
                continue;
            }
            self.mark_handled(stored_addr);
            if self
                .targeting
                .as_ref()
                .is_some_and(|t| !t.names(stored_addr))
            {
                continue;
            }
            let reason = match (expansion, &stored_addr.key) {
                (Expansion::Count(_), InstanceKey::Int(_)) => ActionReason::DeleteBecauseCountIndex,
                (Expansion::ForEach(_), InstanceKey::Str(_)) => ActionReason::DeleteBecauseEachKey,
                _ => ActionReason::DeleteBecauseWrongRepetition,
            };
            let subject = self.subject(
                block.config,
                block.resource,
                stored_addr.clone(),
                self.dependencies(block.id),
            )?;
            if let Err(errors) = self.plan_removal(&subject, reason).await {
                diags.extend(errors);
            }
        }
        Ok(diags)
    }

    /// Destroy and refresh-only plans (and resources outside the targets) work from the
    /// stored instances alone.
    async fn plan_stored_only(
        &self,
        id: NodeId,
        resource: &Resource,
        module: &[ModuleStep],
        coverage: Coverage,
    ) -> Result<NodeValue, Diagnostics> {
        let config = self.scope.module_config(id);
        let stored: Vec<InstanceAddr> = self
            .stored_instances(module, &resource.addr)
            .into_iter()
            .map(|(addr, _)| addr.clone())
            .collect();
        let mut values = Vec::new();
        for addr in stored {
            self.mark_handled(&addr);
            let subject = self.subject(config, resource, addr.clone(), self.dependencies(id))?;
            let targeted = match coverage {
                Coverage::All => true,
                Coverage::Named => self.targeting.as_ref().is_none_or(|t| t.names(&addr)),
                Coverage::None => false,
            };
            let value = if !targeted {
                self.untouched(&subject).await?
            } else if self.options.mode == PlanMode::Destroy {
                let prior = self.prior_object(&subject).await?;
                let value = prior.as_ref().map_or(Value::Null, |p| p.value.clone());
                self.check_prevent_destroy(&subject, Action::Delete)?;
                if let Some(change) = self.plan_delete(&subject, prior, None).await? {
                    self.add_change(change);
                }
                InstanceValue::owned(schema_marked(&subject, value))
            } else {
                let prior = self.prior_object(&subject).await?;
                let change = self.refreshed_only(&subject, prior);
                // The refreshed object, shared with its change.
                let value = Arc::clone(&change.prior);
                self.add_change(change);
                let marks = schema_marks(&subject, &value);
                InstanceValue::new(value, marks)
            };
            values.push((addr.key.clone(), value));
        }
        Ok(stored_collection(resource, values))
    }

    /// An instance left out of a targeted plan: its stored value, unchanged.
    async fn untouched(&self, subject: &Subject<'_>) -> Result<InstanceValue, Diagnostics> {
        self.mark_handled(&subject.addr);
        let Some(instance) = self.state.instances.get(&subject.addr) else {
            return Ok(InstanceValue::owned(Marked::plain(Value::Unknown)));
        };
        let prior = subject.decode(instance).await?;
        let change = self.change(subject, Action::NoOp, None, prior, None);
        let value = Arc::clone(&change.prior);
        self.accumulated().untouched.push(change);
        let marks = schema_marks(subject, &value);
        Ok(InstanceValue::new(value, marks))
    }

    /// Plans the deletion of a stored instance its block no longer declares.
    async fn plan_removal(
        &self,
        subject: &Subject<'_>,
        reason: ActionReason,
    ) -> Result<(), Diagnostics> {
        let prior = self.prior_object(subject).await?;
        if prior.is_some() {
            self.check_prevent_destroy(subject, Action::Delete)?;
        }
        if let Some(change) = self.plan_delete(subject, prior, Some(reason)).await? {
            self.add_change(change);
        }
        Ok(())
    }

    pub(super) fn mark_handled(&self, addr: &InstanceAddr) {
        if self.state.instances.contains_key(addr) {
            self.accumulated().handled.insert(addr.clone());
        }
    }

    fn dependencies(&self, id: NodeId) -> Vec<ConfigResourceAddr> {
        self.scope
            .graph
            .resource_dependencies(id)
            .into_iter()
            .collect()
    }

    /// The subject of one instance of a configured resource.
    pub(super) fn subject<'s>(
        &'s self,
        config: &'s Config,
        resource: &'s Resource,
        addr: InstanceAddr,
        dependencies: Vec<ConfigResourceAddr>,
    ) -> Result<Subject<'s>, Diagnostics> {
        let range = Some(resource.range.clone());
        let _ = config;
        Ok(Subject {
            client: self.scope.client(&resource.provider, range.clone())?,
            schema: schema_for(
                self.scope.providers,
                &resource.provider,
                &resource.addr,
                range.clone(),
            )?,
            local_name: resource.provider.clone(),
            range,
            dependencies,
            lifecycle: Some(&resource.lifecycle_rules),
            addr,
        })
    }

    /// Plans one configured instance; returns the value references see.
    async fn plan_instance(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        ctx: EvalContext,
    ) -> Result<InstanceValue, Diagnostics> {
        self.mark_handled(&subject.addr);
        if subject.addr.resource.mode == ResourceMode::Data {
            return self.plan_data(subject, resource, &ctx).await;
        }
        self.plan_managed(subject, resource, ctx).await
    }

    /// Records a change and returns the value dependents see, marked where the schema or
    /// the configuration makes it sensitive.
    pub(super) fn finish(
        &self,
        subject: &Subject<'_>,
        mut change: ResourceChange,
    ) -> InstanceValue {
        // The schema's shapes of the final planned value, and those the provider typed.
        let mut shapes = unknown_collections(&subject.schema.block, &change.planned);
        shapes.append(&mut change.unknown_collections);
        shapes.sort();
        shapes.dedup();
        change.unknown_collections = shapes;
        let recorded = Sensitivity::from_paths(&change.sensitive_paths);
        let value = Arc::clone(&change.planned);
        let marks = schema_marks(subject, &value).union(recorded).fitted(&value);
        let marks = self.accumulated().shared_marks(marks);
        self.add_change(change);
        InstanceValue::new(value, marks)
    }
}

/// The marks of the attributes an instance's schema declares sensitive, in `value`.
fn schema_marks(subject: &Subject<'_>, value: &Value) -> Sensitivity {
    Sensitivity::from_paths(&sensitive_paths(&subject.schema.block, value))
}

/// An instance's value with the marks of the attributes its schema declares sensitive.
pub(super) fn schema_marked(subject: &Subject<'_>, value: Value) -> Marked {
    let marks = schema_marks(subject, &value);
    Marked::new(value, marks)
}

/// The value of a resource block made of its stored instances, shaped by its repetition.
pub(super) fn stored_collection(
    resource: &Resource,
    values: Vec<(InstanceKey, InstanceValue)>,
) -> NodeValue {
    NodeValue::instances(Repetition::of(resource), values)
}
