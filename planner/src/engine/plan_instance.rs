//! Planning one resource instance: refreshing its stored object, asking the provider to plan
//! the change (with the lifecycle rules applied), reading data sources, and deleting stored
//! instances whose configuration is gone.

use std::sync::Arc;

use tenantform_proto::schema::Schema;
use tenantform_proto::value::Value;

use crate::addrs::{ConfigResourceAddr, InstanceAddr, ResourceMode};
use crate::config::{Lifecycle, Resource};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::lang::{self, EvalContext};
use crate::plan::objchange::{changed_paths, plan_problems, proposed_new, sensitive_paths};
use crate::plan::shapes::unknown_collections;
use crate::plan::{Action, ActionReason, PlanMode, ResourceChange};
use crate::providers::{PlanRequest, PlanResponse, ProviderClient, ProviderDiagnostic};
use crate::state::InstanceState;

use super::diagnostics::{provider_diagnostics, provider_failure};
use super::instances::{PriorObject, decode_instance};
use super::node_value::InstanceValue;
use super::plan::{Planner, orphan_reason, provider_source, schema_for};

/// What one resource instance is planned from.
pub(super) struct Subject<'s> {
    pub addr: InstanceAddr,
    pub client: &'s dyn ProviderClient,
    pub schema: &'s Schema,
    pub local_name: String,
    pub range: Option<SourceRange>,
    pub dependencies: Vec<ConfigResourceAddr>,
    /// The block's lifecycle rules (`None` for an instance whose block is gone).
    pub lifecycle: Option<&'s Lifecycle>,
}

impl Subject<'_> {
    /// The provider's diagnostics about this subject, at its block; the address they name
    /// is written only when there are some (a fleet's calls usually return none).
    pub(super) fn provider_diagnostics(&self, diags: Vec<ProviderDiagnostic>) -> Diagnostics {
        if diags.is_empty() {
            return Diagnostics::new();
        }
        provider_diagnostics(&self.addr.to_string(), diags, self.range.clone())
    }

    /// A stored object of this subject (current or deposed), decoded into a value of the
    /// current schema (upgraded by the provider when it was written with an older one).
    pub(super) async fn decode(
        &self,
        instance: &InstanceState,
    ) -> Result<PriorObject, Diagnostics> {
        decode_instance(
            self.client,
            self.schema,
            &self.addr,
            instance,
            self.range.clone(),
        )
        .await
    }
}

impl Planner<'_> {
    pub(super) async fn plan_managed(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        mut ctx: EvalContext,
    ) -> Result<InstanceValue, Diagnostics> {
        if let Some(unchanged) = self.scoped_noop(subject, resource, &ctx).await? {
            return Ok(unchanged);
        }
        let module_config = self.module_config_of(&subject.addr);
        let sources = &module_config.sources;
        let importing = self.take_import(&subject.addr);
        let prior = match &importing {
            Some(import) => Some(self.import_prior(subject, import).await?),
            None => self.prior_object(subject).await?,
        };
        self.check_conditions(subject, &ctx, false)?;
        let (mut config_value, config_marks) = lang::decode_body_marked(
            &resource.body,
            &subject.schema.block,
            &ctx,
            &resource.file,
            sources,
        )?
        .into_parts();
        self.note_config_digest(subject, resource, &config_value, &config_marks);
        self.validate_with_provider(subject, &config_value).await?;
        if let Some(prior) = &prior {
            config_value = self.ignore_changes(subject, &prior.value, config_value);
        }
        let forced = if self.replace.contains(&subject.addr) {
            Some(ActionReason::ReplaceByRequest)
        } else if self.replace_triggered(subject, resource, &ctx)? {
            Some(ActionReason::ReplaceByTriggers)
        } else {
            None
        };
        let mut change = self
            .plan_update(subject, prior, config_value, forced)
            .await?;
        change.importing = importing.map(|import| crate::plan::Importing { id: import.id });
        if config_marks.any() {
            // What the configuration marks stays marked in the planned object.
            let marks = config_marks.fitted(&change.planned);
            change.sensitive_paths.extend(marks.paths(&change.planned));
            change.sensitive_paths.sort();
            change.sensitive_paths.dedup();
        }
        self.check_prevent_destroy(subject, change.action)?;
        if has_postconditions(subject) {
            ctx.self_value = Some(Value::clone(&change.planned));
            self.check_conditions(subject, &ctx, true)?;
        }
        Ok(self.finish(subject, change))
    }

    /// A data source: read now when its configuration is known and nothing it depends on
    /// changes, otherwise during apply.
    pub(super) async fn plan_data(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        ctx: &EvalContext,
    ) -> Result<InstanceValue, Diagnostics> {
        let module_config = self.module_config_of(&subject.addr);
        self.check_conditions(subject, ctx, false)?;
        let config_value = lang::decode_body(
            &resource.body,
            &subject.schema.block,
            ctx,
            &resource.file,
            &module_config.sources,
        )?;
        self.validate_with_provider(subject, &config_value).await?;
        let known = config_value.is_wholly_known();
        let pending = known && self.data_dependencies_pending(subject, resource);
        let keeps_stored = !known || pending || !self.in_sweep(&subject.addr);
        let mut change = if keeps_stored && self.options.mode == PlanMode::RefreshOnly {
            // A refresh-only plan cannot defer a read to apply, and a sweep reads only its
            // slice: it keeps the stored result.
            self.stored_data_result(subject).await?
        } else if !known || pending {
            // As in Terraform, an unknown configuration is the more specific reason.
            let reason = if known {
                ActionReason::ReadBecauseDependencyPending
            } else {
                ActionReason::ReadBecauseConfigUnknown
            };
            let planned = unknown_computed(&subject.schema.block, &config_value);
            // As in Terraform, a read has no "before": the stored result is replaced whole.
            let mut change = self.change(subject, Action::Read, Some(reason), absent(), None);
            change.planned = Arc::new(planned);
            change
        } else {
            self.read_data_now(subject, resource, &config_value).await?
        };
        change.config = config_value;
        if has_postconditions(subject) {
            let mut ctx = ctx.clone();
            ctx.self_value = Some(Value::clone(&change.planned));
            self.check_conditions(subject, &ctx, true)?;
        }
        Ok(self.finish(subject, change))
    }

    /// A data source's stored result, unchanged (`Null` when there is none).
    async fn stored_data_result(
        &self,
        subject: &Subject<'_>,
    ) -> Result<ResourceChange, Diagnostics> {
        let kept = match self.state.instances.get(&subject.addr) {
            Some(instance) => subject.decode(instance).await?.value,
            None => Value::Null,
        };
        let mut change = self.change(subject, Action::NoOp, None, absent(), None);
        change.prior = Arc::new(kept);
        change.planned = Arc::clone(&change.prior);
        Ok(change)
    }

    /// The provider's own checks of a resource's or data source's configuration
    /// (`ValidateResourceConfig`, `ValidateDataResourceConfig`).
    async fn validate_with_provider(
        &self,
        subject: &Subject<'_>,
        config_value: &Value,
    ) -> Result<(), Diagnostics> {
        let type_name = &subject.addr.resource.type_name;
        let diags = match subject.addr.resource.mode {
            ResourceMode::Managed => {
                subject
                    .client
                    .validate_resource_config(type_name, config_value)
                    .await
            }
            ResourceMode::Data => {
                subject
                    .client
                    .validate_data_resource_config(type_name, config_value)
                    .await
            }
        }
        .map_err(|e| self.failure(subject, &e))?;
        self.scope.check(subject.provider_diagnostics(diags))
    }

    /// Reads a data source at plan time. A data source of a check block is read again
    /// during apply, and a failed read only warns (its result stays unknown), as in
    /// Terraform.
    async fn read_data_now(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        config_value: &Value,
    ) -> Result<ResourceChange, Diagnostics> {
        self.hooks.reading(&subject.addr);
        let read = subject
            .client
            .read_data_source_at(
                &subject.addr,
                &subject.addr.resource.type_name,
                config_value,
            )
            .await
            .map_err(|e| {
                self.hooks.read(&subject.addr, None, false);
                self.failure(subject, &e)
            })?;
        let diags = subject.provider_diagnostics(read.diagnostics);
        let id = read.new_state.get_attr("id").and_then(Value::as_str);
        self.hooks.read(&subject.addr, id, !diags.has_errors());
        if resource.check.is_none() {
            self.scope.check(diags)?;
            let mut change = self.change(subject, Action::NoOp, None, absent(), None);
            change.prior = Arc::new(read.new_state);
            change.planned = Arc::clone(&change.prior);
            return Ok(change);
        }
        let failed = diags.has_errors();
        self.scope.report(diags.into_warnings());
        if self.options.mode == PlanMode::RefreshOnly {
            // A refresh-only plan proposes no reads for apply: it keeps what it read, or
            // nothing when the read failed.
            let kept = if failed { Value::Null } else { read.new_state };
            let mut change = self.change(subject, Action::NoOp, None, absent(), None);
            change.prior = Arc::new(kept);
            change.planned = Arc::clone(&change.prior);
            return Ok(change);
        }
        let reason = Some(ActionReason::ReadBecauseCheckNested);
        let mut change = self.change(subject, Action::Read, reason, absent(), None);
        change.planned = Arc::new(if failed {
            unknown_computed(&subject.schema.block, config_value)
        } else {
            read.new_state
        });
        Ok(change)
    }

    /// The stored object of an instance, decoded and (unless disabled) refreshed; `None`
    /// when there is none or it no longer exists.
    pub(super) async fn prior_object(
        &self,
        subject: &Subject<'_>,
    ) -> Result<Option<PriorObject>, Diagnostics> {
        let Some(instance) = self.state.instances.get(&subject.addr) else {
            return Ok(None);
        };
        let stored = subject.decode(instance).await?;
        if !self.options.refresh || subject.addr.resource.mode != ResourceMode::Managed {
            return self.refresh_decoded(subject, stored).await;
        }
        let (value, private) = self.read_stored(subject, &stored).await?;
        if value == stored.value {
            // No drift: the common case, without a copy of the object.
            return Ok(Some(PriorObject { private, ..stored }));
        }
        let refreshed = (!value.is_null()).then(|| PriorObject {
            value,
            private,
            tainted: stored.tainted,
            sensitive: stored.sensitive.clone(),
        });
        self.note_drift(subject, stored, refreshed.as_ref());
        Ok(refreshed)
    }

    /// Records the current object's drift: what the refresh found differs from what the last
    /// run stored (a changed object, or one deleted outside of tenantform).
    fn note_drift(
        &self,
        subject: &Subject<'_>,
        stored: PriorObject,
        refreshed: Option<&PriorObject>,
    ) {
        let action = if refreshed.is_none() {
            Action::Delete
        } else {
            Action::Update
        };
        let mut drift = self.change(subject, action, None, stored, None);
        drift.planned = Arc::new(refreshed.map_or(Value::Null, |object| object.value.clone()));
        if let Some(object) = refreshed {
            drift.planned_private = object.private.clone();
        }
        self.accumulated().drift.push(drift);
    }

    /// A stored object (current or deposed), decoded and (unless disabled) refreshed;
    /// `None` when it no longer exists.
    pub(super) async fn refresh_object(
        &self,
        subject: &Subject<'_>,
        instance: &InstanceState,
    ) -> Result<Option<PriorObject>, Diagnostics> {
        let prior = subject.decode(instance).await?;
        self.refresh_decoded(subject, prior).await
    }

    /// A decoded stored object, refreshed unless refreshing is off or it is a data source.
    async fn refresh_decoded(
        &self,
        subject: &Subject<'_>,
        prior: PriorObject,
    ) -> Result<Option<PriorObject>, Diagnostics> {
        if !self.options.refresh || subject.addr.resource.mode == ResourceMode::Data {
            return Ok(Some(prior));
        }
        let (value, private) = self.read_stored(subject, &prior).await?;
        if value.is_null() {
            return Ok(None);
        }
        Ok(Some(PriorObject {
            value,
            private,
            ..prior
        }))
    }

    /// Whether the instance is read again: always, unless a `-sweep` leaves it out.
    fn in_sweep(&self, addr: &InstanceAddr) -> bool {
        self.options.sweep.is_none_or(|sweep| sweep.covers(addr))
    }

    /// ReadResource of a stored object: its current value (`Null` when it is gone) and
    /// private data.
    async fn read_stored(
        &self,
        subject: &Subject<'_>,
        prior: &PriorObject,
    ) -> Result<(Value, Vec<u8>), Diagnostics> {
        if !self.in_sweep(&subject.addr) {
            // Outside the sweep's slice: kept as stored, so never drift.
            return Ok((prior.value.clone(), prior.private.clone()));
        }
        let id = |value: &Value| {
            value
                .get_attr("id")
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        self.hooks
            .refreshing(&subject.addr, id(&prior.value).as_deref());
        let read = subject
            .client
            .read_resource(
                &subject.addr.resource.type_name,
                &prior.value,
                &prior.private,
            )
            .await
            .map_err(|e| self.failure(subject, &e))?;
        self.hooks
            .refreshed(&subject.addr, id(&read.new_state).as_deref());
        self.scope
            .check(subject.provider_diagnostics(read.diagnostics))?;
        Ok((read.new_state, read.private))
    }

    pub(super) async fn plan_update(
        &self,
        subject: &Subject<'_>,
        prior: Option<PriorObject>,
        config_value: Value,
        forced: Option<ActionReason>,
    ) -> Result<ResourceChange, Diagnostics> {
        let Some(prior) = prior else {
            let response = self
                .ask_plan(subject, &Value::Null, &[], &config_value)
                .await?;
            let mut change = self.change(subject, Action::Create, None, absent(), Some(response));
            change.config = config_value;
            return Ok(change);
        };
        let response = self
            .ask_plan(subject, &prior.value, &prior.private, &config_value)
            .await?;
        let replace_reason = if prior.tainted {
            Some(ActionReason::ReplaceBecauseTainted)
        } else if let Some(reason) = forced {
            Some(reason)
        } else if !changed_paths(&response.requires_replace, &prior.value, &response.planned)
            .is_empty()
        {
            Some(ActionReason::ReplaceBecauseCannotUpdate)
        } else {
            None
        };
        let mut change = match replace_reason {
            Some(reason) => {
                let requires_replace = response.requires_replace;
                let mut create = self
                    .ask_plan(subject, &Value::Null, &[], &config_value)
                    .await?;
                create.requires_replace = requires_replace;
                let action = if subject.lifecycle.is_some_and(|l| l.create_before_destroy) {
                    Action::CreateThenDelete
                } else {
                    Action::DeleteThenCreate
                };
                self.change(subject, action, Some(reason), prior, Some(create))
            }
            None => {
                let action = if response.planned == prior.value {
                    Action::NoOp
                } else {
                    Action::Update
                };
                self.change(subject, action, None, prior, Some(response))
            }
        };
        change.config = config_value;
        Ok(change)
    }

    /// PlanResourceChange, its diagnostics kept when they are only warnings.
    async fn provider_plan(
        &self,
        subject: &Subject<'_>,
        request: PlanRequest<'_>,
    ) -> Result<PlanResponse, Diagnostics> {
        let response = subject
            .client
            .plan_resource_change(request)
            .await
            .map_err(|e| self.failure(subject, &e))?;
        self.scope
            .check(subject.provider_diagnostics(response.diagnostics.clone()))?;
        Ok(response)
    }

    async fn ask_plan(
        &self,
        subject: &Subject<'_>,
        prior: &Value,
        prior_private: &[u8],
        config_value: &Value,
    ) -> Result<PlanResponse, Diagnostics> {
        let proposed = proposed_new(&subject.schema.block, prior, config_value);
        let response = self
            .provider_plan(
                subject,
                PlanRequest {
                    type_name: &subject.addr.resource.type_name,
                    prior,
                    proposed: &proposed,
                    config: config_value,
                    prior_private,
                },
            )
            .await?;
        let problems = plan_problems(&subject.schema.block, config_value, &response.planned);
        if !problems.is_empty() {
            return Err(invalid_plan(subject, &problems).into());
        }
        Ok(response)
    }

    /// Plans the deletion of a stored object through the provider, which may refuse it.
    /// Data sources are only forgotten.
    pub(super) async fn plan_delete(
        &self,
        subject: &Subject<'_>,
        prior: Option<PriorObject>,
        reason: Option<ActionReason>,
    ) -> Result<Option<ResourceChange>, Diagnostics> {
        let Some(prior) = prior else {
            // Gone already: only the stored record is left to drop.
            if self.state.instances.contains_key(&subject.addr) {
                return Ok(Some(self.change(
                    subject,
                    Action::NoOp,
                    None,
                    absent(),
                    None,
                )));
            }
            return Ok(None);
        };
        if subject.addr.resource.mode == ResourceMode::Data {
            let mut change = self.change(subject, Action::Delete, reason, prior, None);
            change.planned = Arc::new(Value::Null);
            return Ok(Some(change));
        }
        let response = self
            .provider_plan(
                subject,
                PlanRequest {
                    type_name: &subject.addr.resource.type_name,
                    prior: &prior.value,
                    proposed: &Value::Null,
                    config: &Value::Null,
                    prior_private: &prior.private,
                },
            )
            .await?;
        let response = PlanResponse {
            planned: Value::Null,
            ..response
        };
        Ok(Some(self.change(
            subject,
            Action::Delete,
            reason,
            prior,
            Some(response),
        )))
    }

    pub(super) async fn visit_orphan(&self, addr: &InstanceAddr, instance: &InstanceState) -> bool {
        match self.plan_orphan(addr, instance).await {
            Ok(change) => {
                if let Some(change) = change {
                    self.add_change(change);
                }
                true
            }
            Err(diags) => {
                self.scope.report(diags);
                false
            }
        }
    }

    /// The subject of an object known only from state (an orphan or a deposed object): its
    /// provider is configured if no block asked for it yet, and diagnostics point at the
    /// resource block when one is still there.
    pub(super) async fn stored_subject(
        &self,
        addr: &InstanceAddr,
        object: &InstanceState,
    ) -> Result<Subject<'_>, Diagnostics> {
        let local_name = self.names.local_name(addr, object);
        self.scope.configure_unlisted(&local_name).await?;
        let range = self
            .scope
            .config
            .descendant(&crate::addrs::static_module_path(&addr.module))
            .and_then(|module| module.resource(&addr.resource))
            .map(|block| block.range.clone());
        Ok(Subject {
            addr: addr.clone(),
            client: self.scope.client(&local_name, range.clone())?,
            schema: schema_for(
                self.scope.providers,
                &local_name,
                &addr.resource,
                range.clone(),
            )?,
            local_name,
            range,
            dependencies: object
                .dependencies
                .iter()
                .map(|recorded| ConfigResourceAddr::from_recorded(recorded))
                .collect(),
            lifecycle: None,
        })
    }

    async fn plan_orphan(
        &self,
        addr: &InstanceAddr,
        instance: &InstanceState,
    ) -> Result<Option<ResourceChange>, Diagnostics> {
        let subject = self.stored_subject(addr, instance).await?;
        // A destroy plan gives no reason, as in Terraform.
        let reason = (self.options.mode != PlanMode::Destroy).then(|| {
            self.refactoring
                .orphan_reason(addr, orphan_reason(&self.scope, addr))
        });
        if self.refactoring.forgets(addr) {
            return Ok(Some(self.plan_forget(&subject, instance, reason).await?));
        }
        let prior = self.prior_object(&subject).await?;
        if self.options.mode == PlanMode::RefreshOnly {
            return Ok(Some(self.refreshed_only(&subject, prior)));
        }
        self.plan_delete(&subject, prior, reason).await
    }

    /// A refresh-only plan's no-op for a stored object: what the refresh read, or `Null`
    /// when the object is gone, so that applying the plan records exactly the drift.
    pub(super) fn refreshed_only(
        &self,
        subject: &Subject<'_>,
        refreshed: Option<PriorObject>,
    ) -> ResourceChange {
        match refreshed {
            Some(prior) => self.change(subject, Action::NoOp, None, prior, None),
            None => self.change(subject, Action::NoOp, None, absent(), None),
        }
    }

    pub(super) fn change(
        &self,
        subject: &Subject<'_>,
        action: Action,
        action_reason: Option<ActionReason>,
        prior: PriorObject,
        response: Option<PlanResponse>,
    ) -> ResourceChange {
        let prior_value = Arc::new(prior.value);
        let (planned, planned_private, requires_replace, shapes) = match response {
            // A no-op plans the prior object unchanged (`plan_update` compared them): it is
            // held once, for both sides.
            Some(r) if action == Action::NoOp => (
                Arc::clone(&prior_value),
                r.planned_private,
                r.requires_replace,
                r.unknown_collections,
            ),
            Some(r) => (
                Arc::new(r.planned),
                r.planned_private,
                r.requires_replace,
                r.unknown_collections,
            ),
            None => (
                Arc::clone(&prior_value),
                prior.private.clone(),
                Vec::new(),
                Vec::new(),
            ),
        };
        let mut sensitive = sensitive_paths(&subject.schema.block, &prior_value);
        if !Arc::ptr_eq(&prior_value, &planned) {
            sensitive.extend(sensitive_paths(&subject.schema.block, &planned));
        }
        // What the state recorded as sensitive (the configuration's marks included) stays so.
        sensitive.extend(prior.sensitive.iter().cloned());
        sensitive.sort();
        sensitive.dedup();
        let mut collections = unknown_collections(&subject.schema.block, &planned);
        collections.extend(shapes);
        collections.sort();
        collections.dedup();
        ResourceChange {
            addr: subject.addr.clone(),
            previous_address: None,
            deposed: None,
            provider: provider_source(self.scope.config, self.scope.providers, &subject.local_name),
            provider_local_name: subject.local_name.clone(),
            action,
            action_reason,
            prior: prior_value,
            planned,
            config: Value::Null,
            prior_private: prior.private,
            planned_private,
            requires_replace,
            sensitive_paths: sensitive,
            unknown_collections: collections,
            dependencies: subject
                .dependencies
                .iter()
                .map(ToString::to_string)
                .collect(),
            schema_version: subject.schema.version,
            importing: None,
            generated_config: None,
        }
    }

    pub(super) fn failure(
        &self,
        subject: &Subject<'_>,
        error: &crate::providers::ProviderError,
    ) -> Diagnostics {
        provider_failure(&subject.addr.to_string(), error, subject.range.clone()).into()
    }

    /// The configuration of the module an instance belongs to.
    pub(super) fn module_config_of(&self, addr: &InstanceAddr) -> &crate::config::Config {
        self.scope
            .config
            .descendant(&crate::addrs::static_module_path(&addr.module))
            .unwrap_or(self.scope.config)
    }
}

/// A configuration with every computed attribute it leaves null unknown: what a data
/// source read during apply is planned as.
pub(super) fn unknown_computed(schema: &tenantform_proto::schema::Block, config: &Value) -> Value {
    let Value::Object(entries) = config else {
        return Value::Unknown;
    };
    let mut entries = entries.clone();
    for (name, attr) in &schema.attributes {
        if attr.computed && entries.get(name).is_none_or(Value::is_null) {
            entries.insert(name.clone(), Value::Unknown);
        }
    }
    Value::Object(entries)
}

/// Whether the instance's block has postconditions, which evaluate `self`: the planned
/// object is copied into their context only then.
fn has_postconditions(subject: &Subject<'_>) -> bool {
    subject
        .lifecycle
        .is_some_and(|lifecycle| !lifecycle.postconditions.is_empty())
}

pub(super) fn absent() -> PriorObject {
    PriorObject {
        value: Value::Null,
        private: Vec::new(),
        tainted: false,
        sensitive: Vec::new(),
    }
}

fn invalid_plan(subject: &Subject<'_>, problems: &[String]) -> Diagnostic {
    Diagnostic::error(
        "Provider produced invalid plan",
        format!(
            "Provider {:?} planned an invalid value for {}:\n  - {}\n\nThis is a bug in the \
             provider, which should be reported in the provider's own issue tracker.",
            subject.local_name,
            subject.addr,
            problems.join("\n  - ")
        ),
    )
    .with_range(subject.range.clone())
}
