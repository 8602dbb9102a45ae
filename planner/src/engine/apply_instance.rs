//! Applying one resource instance's change: re-plan with the now known configuration when
//! the plan had unknowns, apply, check the result against the plan, and record it. Deletes,
//! data source reads and drift records too; deposed objects, imports and provisioners have
//! their own files.

use tenantform_proto::schema::Schema;
use tenantform_proto::value::{Value, encode_json};

use futures_util::stream::{self, StreamExt};

use crate::addrs::{InstanceKey, ModuleStep, ResourceAddr, ResourceMode, static_module_path};
use crate::config::{ProvisionerWhen, Resource};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::NodeId;
use crate::lang;
use crate::lang::{EvalContext, Marked, Sensitivity};
use crate::plan::objchange::{compatibility_problems, plan_problems, proposed_new};
use crate::plan::{Action, ResourceChange};
use crate::providers::{
    ApplyRequest, PlanRequest, ProviderClient, ProviderDiagnostic, ProviderError,
};
use crate::state::InstanceState;

use super::applier::InstanceApplier;
use super::apply_unknown::{UnknownOutcome, kept_tainted_warning, unknown_outcome};
use super::diagnostics::{provider_diagnostics, provider_failure};
use super::expand::Expansion;
use super::instances::{NewObject, encode_instance};
use super::plan::{resource_schema, schema_for};

/// How many instances of one resource block are applied at once.
const APPLY_BATCH: usize = 10;

/// The provider side of one instance.
struct Target<'s> {
    client: &'s dyn ProviderClient,
    schema: &'s Schema,
    range: Option<SourceRange>,
}

impl Target<'_> {
    /// A failed provider call about `change`'s instance.
    fn failure(&self, change: &ResourceChange, error: &ProviderError) -> Diagnostics {
        provider_failure(&change.addr.to_string(), error, self.range.clone()).into()
    }

    /// The provider's diagnostics about `change`'s instance.
    fn diagnostics(&self, change: &ResourceChange, diags: Vec<ProviderDiagnostic>) -> Diagnostics {
        provider_diagnostics(&change.addr.to_string(), diags, self.range.clone())
    }
}

/// The prior object an apply starts from: the stored one for an update, none otherwise.
struct PriorSide<'c> {
    value: &'c Value,
    private: &'c [u8],
}

impl PriorSide<'_> {
    fn of(change: &ResourceChange) -> PriorSide<'_> {
        if change.action == Action::Update {
            PriorSide {
                value: &change.prior,
                private: &change.prior_private,
            }
        } else {
            PriorSide {
                value: &Value::Null,
                private: &[],
            }
        }
    }
}

/// The object an apply returned, as it is recorded.
struct AppliedObject<'v> {
    value: &'v Value,
    private: Vec<u8>,
    tainted: bool,
}

impl InstanceApplier<'_> {
    /// Visits a resource block's node in one module instance: applies each instance's
    /// create, update or read, and publishes the block's value.
    pub(super) async fn resource(
        &self,
        id: NodeId,
        module: &[ModuleStep],
        addr: &ResourceAddr,
        planned: &[&ResourceChange],
    ) -> bool {
        let config = self.scope.module_config(id);
        let Some(resource) = config.resource(addr) else {
            return false;
        };
        let ctx = self.scope.context_in(id, module);
        let expansion = if planned.is_empty() {
            Ok(Expansion::Single)
        } else {
            Expansion::evaluate(
                resource.count.as_ref(),
                resource.for_each.as_ref(),
                &ctx,
                &resource.file,
                &config.sources,
            )
        };
        let expansion = match expansion {
            Ok(expansion) => expansion,
            Err(diags) => {
                self.scope.report(diags);
                return false;
            }
        };
        let results: Vec<(InstanceKey, Option<Marked>)> = stream::iter(planned.iter().copied())
            .map(|change| {
                let mut ctx = ctx.clone();
                expansion.bind(&change.addr.key, &mut ctx);
                async move {
                    let value = self.instance(id, change, ctx).await.map(|value| {
                        // Sensitive where the plan found it so (schema and configuration).
                        let marks = Sensitivity::from_paths(&change.sensitive_paths).fitted(&value);
                        Marked::new(value, marks)
                    });
                    (change.addr.key.clone(), value)
                }
            })
            .buffered(APPLY_BATCH)
            .collect()
            .await;
        let ok = results.iter().all(|(_, value)| value.is_some());
        let values: Vec<(InstanceKey, Marked)> = results
            .into_iter()
            .map(|(key, value)| (key, value.unwrap_or(Marked::plain(Value::Unknown))))
            .collect();
        let value = if resource.count.is_some() {
            Expansion::Count(0).collect_marked(values)
        } else if resource.for_each.is_some() {
            Expansion::ForEach(Default::default()).collect_marked(values)
        } else {
            Expansion::Single.collect_marked(values)
        };
        self.scope.set_marked_in(id, module, value);
        ok
    }

    /// Applies one instance's change; returns the value dependents see (`None` on failure).
    async fn instance(
        &self,
        id: NodeId,
        change: &ResourceChange,
        ctx: EvalContext,
    ) -> Option<Value> {
        if let Some(importing) = &change.importing {
            if self.stopping() {
                self.skip();
                return None;
            }
            if !self.record_import(change, importing) {
                return None;
            }
        }
        match change.action {
            Action::NoOp if change.addr.resource.mode == ResourceMode::Data => self
                .record_data(change, &change.planned)
                .then(|| Value::clone(&change.planned)),
            Action::NoOp => self
                .record_drift(change)
                .then(|| Value::clone(&change.planned)),
            Action::Delete | Action::Forget => Some(Value::clone(&change.prior)),
            Action::Read => {
                self.hooks.started(&change.addr, Action::Read, None);
                let read = self.read_data(id, change, &ctx).await;
                let new_id = read.as_ref().ok().and_then(|v| v.get_attr("id"));
                let new_id = new_id.and_then(Value::as_str);
                self.hooks
                    .finished(&change.addr, Action::Read, new_id, read.is_ok());
                match read {
                    Ok(value) => Some(value),
                    Err(diags) => {
                        self.scope.report(diags);
                        None
                    }
                }
            }
            Action::Create
            | Action::Update
            | Action::DeleteThenCreate
            | Action::CreateThenDelete
                if self.stopping() =>
            {
                self.skip();
                None
            }
            Action::Create
            | Action::Update
            | Action::DeleteThenCreate
            | Action::CreateThenDelete => {
                let prior_id = change.prior.get_attr("id").and_then(Value::as_str);
                self.hooks.started(&change.addr, change.action, prior_id);
                let mut result = self.create_or_update(id, change, &ctx).await;
                if let Ok(value) = &result
                    && change.action != Action::Update
                {
                    result = self.provision_created(id, change, value, &ctx).await;
                }
                let (ok, new_id) = match &result {
                    Ok(value) => (true, value.get_attr("id").and_then(Value::as_str)),
                    Err(_) => (false, None),
                };
                self.hooks.finished(&change.addr, change.action, new_id, ok);
                let result = result.and_then(|value| {
                    self.check_applied_postconditions(id, change, &value, &ctx)
                        .map(|()| value)
                });
                match result {
                    Ok(value) => Some(value),
                    Err(diags) => {
                        self.scope.report(diags);
                        None
                    }
                }
            }
        }
    }

    /// The block of `change`'s instance, its provider side, and its configuration evaluated
    /// now.
    fn configured(
        &self,
        id: NodeId,
        change: &ResourceChange,
        ctx: &EvalContext,
    ) -> Result<(&Resource, Target<'_>, Value), Diagnostics> {
        let config = self.scope.module_config(id);
        let Some(resource) = config.resource(&change.addr.resource) else {
            return Err(Diagnostics::new());
        };
        let target = self.target(change, Some(resource.range.clone()))?;
        let config_value = lang::decode_body(
            &resource.body,
            &target.schema.block,
            ctx,
            &resource.file,
            &config.sources,
        )?;
        Ok((resource, target, config_value))
    }

    /// Creates or updates an instance's object: re-plans it when the configuration turned
    /// out other than planned, applies it, checks the result and records it.
    async fn create_or_update(
        &self,
        id: NodeId,
        change: &ResourceChange,
        ctx: &EvalContext,
    ) -> Result<Value, Diagnostics> {
        let (_, target, config_value) = self.configured(id, change, ctx)?;
        self.note_applied_digest(id, change, ctx, target.schema);
        let prior = PriorSide::of(change);
        let (planned, planned_private) = self
            .final_plan(change, &target, &prior, &config_value)
            .await?;
        // The object being replaced stays tracked, deposed, until its deletion is recorded.
        let deposed_key = if change.action == Action::CreateThenDelete {
            self.depose_current(&change.addr)?
        } else {
            None
        };
        let response = target
            .client
            .apply_resource_change(ApplyRequest {
                type_name: &change.addr.resource.type_name,
                prior: prior.value,
                planned: &planned,
                config: &config_value,
                planned_private: &planned_private,
            })
            .await
            .map_err(|e| {
                self.restore_deposed(&change.addr, deposed_key.as_deref());
                let mut diags = target.failure(change, &e);
                if e.is_timeout() {
                    self.keep_unknown_outcome(change, &target, &planned, &mut diags);
                }
                diags
            })?;
        let mut diags = target.diagnostics(change, response.diagnostics);
        let new_state = response.new_state;
        if !diags.has_errors() {
            diags.extend(result_problems(change, &target, &planned, &new_state));
        }
        if !new_state.is_null() && new_state.is_wholly_known() {
            let object = AppliedObject {
                value: &new_state,
                private: response.private,
                // A create that failed half-way is kept, tainted, so the next plan replaces it.
                tainted: diags.has_errors() && change.action != Action::Update,
            };
            if !self.record_applied(change, &target, object)? {
                failed_or(&mut diags);
            }
        } else {
            self.restore_deposed(&change.addr, deposed_key.as_deref());
        }
        if diags.has_errors() {
            return Err(diags);
        }
        self.scope.report(diags);
        Ok(new_state)
    }

    /// The planned object to apply: the plan's, or when it had unknowns or the configuration
    /// now evaluates differently, the provider's new plan (checked against the first).
    async fn final_plan(
        &self,
        change: &ResourceChange,
        target: &Target<'_>,
        prior: &PriorSide<'_>,
        config_value: &Value,
    ) -> Result<(Value, Vec<u8>), Diagnostics> {
        if change.planned.is_wholly_known() && *config_value == change.config {
            return Ok((
                Value::clone(&change.planned),
                change.planned_private.clone(),
            ));
        }
        let proposed = proposed_new(&target.schema.block, prior.value, config_value);
        let response = target
            .client
            .plan_resource_change(PlanRequest {
                type_name: &change.addr.resource.type_name,
                prior: prior.value,
                proposed: &proposed,
                config: config_value,
                prior_private: prior.private,
            })
            .await
            .map_err(|e| target.failure(change, &e))?;
        self.scope
            .check(target.diagnostics(change, response.diagnostics))?;
        let mut problems = plan_problems(&target.schema.block, config_value, &response.planned);
        problems.extend(compatibility_problems(&change.planned, &response.planned));
        if !problems.is_empty() {
            return Err(provider_bug(
                "Provider produced inconsistent final plan",
                &format!(
                    "When expanding the plan for {} to include new values learned so far \
                     during apply, provider {:?} produced an invalid new value",
                    change.addr, change.provider
                ),
                &problems,
                target.range.clone(),
            ));
        }
        Ok((response.planned, response.planned_private))
    }

    /// After `change`'s apply timed out: keeps the instance in the state, tainted (see
    /// [`super::apply_unknown`]), and says so in `diags`.
    fn keep_unknown_outcome(
        &self,
        change: &ResourceChange,
        target: &Target<'_>,
        planned: &Value,
        diags: &mut Diagnostics,
    ) {
        let recorded = match unknown_outcome(self.stored(&change.addr).as_ref(), planned) {
            UnknownOutcome::Prior(tainted) => self.record(&change.addr, Some(*tainted)),
            UnknownOutcome::Planned(value) => {
                let object = AppliedObject {
                    value: &value,
                    private: Vec::new(),
                    tainted: true,
                };
                match self.record_applied(change, target, object) {
                    Ok(recorded) => recorded,
                    Err(unstorable) => {
                        diags.extend(unstorable);
                        return;
                    }
                }
            }
            UnknownOutcome::Nothing => return,
        };
        if recorded {
            diags.push(kept_tainted_warning(&change.addr.to_string()));
        } else {
            failed_or(diags);
        }
    }

    /// Encodes and records the object an apply returned; false when it was not recorded.
    fn record_applied(
        &self,
        change: &ResourceChange,
        target: &Target<'_>,
        object: AppliedObject<'_>,
    ) -> Result<bool, Diagnostics> {
        let instance = encode_instance(NewObject {
            provider: &change.provider,
            schema: target.schema,
            value: object.value,
            also_sensitive: &change.sensitive_paths,
            private: object.private,
            dependencies: change.dependencies.clone(),
            create_before_destroy: change.action == Action::CreateThenDelete,
            tainted: object.tainted,
        })
        .map_err(|e| {
            Diagnostics::from(unstorable(
                &change.addr.to_string(),
                &e,
                target.range.clone(),
            ))
        })?;
        Ok(self.record(&change.addr, Some(instance)))
    }

    /// Visits a destroy step: deletes the prior object and records its removal.
    pub(super) async fn destroy(&self, change: &ResourceChange) -> bool {
        if let (Some(key), Action::NoOp) = (&change.deposed, change.action) {
            // A deposed object the plan found gone: only its record is left to drop.
            return !change.planned.is_null() || self.forget_deposed(&change.addr, key);
        }
        let prior_id = change.prior.get_attr("id").and_then(Value::as_str);
        self.hooks.started(&change.addr, Action::Delete, prior_id);
        let ok = match self.delete(change).await {
            Ok(()) => true,
            Err(diags) => {
                self.scope.report(diags);
                false
            }
        };
        self.hooks.finished(&change.addr, Action::Delete, None, ok);
        ok
    }

    async fn delete(&self, change: &ResourceChange) -> Result<(), Diagnostics> {
        if change.addr.resource.mode == ResourceMode::Data {
            return if self.record(&change.addr, None) {
                Ok(())
            } else {
                Err(Diagnostics::new())
            };
        }
        let resource = self
            .scope
            .config
            .descendant(&static_module_path(&change.addr.module))
            .and_then(|module| module.resource(&change.addr.resource));
        let target = self.target(change, resource.map(|r| r.range.clone()))?;
        // A block that is gone may have left destroy-time provisioners in a `removed` block.
        let provisioners = match resource {
            Some(resource) => resource.provisioners.as_slice(),
            None => super::apply_refactor::removed_provisioners(self.scope.config, &change.addr),
        };
        if !provisioners.is_empty() && change.deposed.is_none() {
            let ctx = destroy_context(change);
            self.provision(
                change,
                provisioners,
                ProvisionerWhen::Destroy,
                &change.prior,
                &ctx,
            )
            .await?;
        }
        let private = if change.action == Action::Delete {
            &change.planned_private
        } else {
            &change.prior_private
        };
        let response = target
            .client
            .apply_resource_change(ApplyRequest {
                type_name: &change.addr.resource.type_name,
                prior: &change.prior,
                planned: &Value::Null,
                config: &Value::Null,
                planned_private: private,
            })
            .await
            .map_err(|e| target.failure(change, &e))?;
        let diags = target.diagnostics(change, response.diagnostics);
        if diags.has_errors() {
            return Err(diags);
        }
        self.scope.report(diags);
        let recorded = match self.deposed_key_of(change) {
            Some(key) => self.forget_deposed(&change.addr, &key),
            // After a create-before-destroy the new object is already the current one.
            None if change.action == Action::CreateThenDelete => true,
            None => self.record(&change.addr, None),
        };
        if !recorded {
            return Err(Diagnostics::new());
        }
        Ok(())
    }

    /// Runs the creation-time provisioners of a created object; on a failure that fails the
    /// apply, the object stays in the state, tainted.
    async fn provision_created(
        &self,
        id: NodeId,
        change: &ResourceChange,
        value: &Value,
        ctx: &EvalContext,
    ) -> Result<Value, Diagnostics> {
        let config = self.scope.module_config(id);
        let Some(resource) = config.resource(&change.addr.resource) else {
            return Ok(value.clone());
        };
        let provisioned = self
            .provision(
                change,
                &resource.provisioners,
                ProvisionerWhen::Create,
                value,
                ctx,
            )
            .await;
        if let Err(mut diags) = provisioned {
            if let Some(stored) = self.stored(&change.addr) {
                let tainted = InstanceState {
                    tainted: true,
                    ..stored
                };
                if !self.record(&change.addr, Some(tainted)) {
                    failed_or(&mut diags);
                }
            }
            return Err(diags);
        }
        Ok(value.clone())
    }

    /// Reads a data source whose read waited for apply, and records its result.
    async fn read_data(
        &self,
        id: NodeId,
        change: &ResourceChange,
        ctx: &EvalContext,
    ) -> Result<Value, Diagnostics> {
        let (resource, target, config_value) = self.configured(id, change, ctx)?;
        let read = target
            .client
            .read_data_source_at(&change.addr, &change.addr.resource.type_name, &config_value)
            .await
            .map_err(|e| target.failure(change, &e))?;
        let diags = target.diagnostics(change, read.diagnostics);
        if resource.check.is_some() && diags.has_errors() {
            // A check block's data source only warns; its result stays unknown.
            self.scope.report(diags.into_warnings());
            return Ok(Value::clone(&change.planned));
        }
        self.scope.check(diags)?;
        if !self.record_data(change, &read.new_state) {
            return Err(Diagnostics::new());
        }
        Ok(read.new_state)
    }

    /// Records a data source's result in the state.
    fn record_data(&self, change: &ResourceChange, value: &Value) -> bool {
        let Ok(schema) = schema_for(
            self.scope.providers,
            &change.provider_local_name,
            &change.addr.resource,
            None,
        ) else {
            return true;
        };
        let Ok(instance) = encode_instance(NewObject {
            provider: &change.provider,
            schema,
            value,
            also_sensitive: &change.sensitive_paths,
            private: Vec::new(),
            dependencies: change.dependencies.clone(),
            create_before_destroy: false,
            tainted: false,
        }) else {
            return true;
        };
        let unchanged = self
            .objects()
            .instances
            .get(&change.addr)
            .is_some_and(|stored| stored.attributes == instance.attributes);
        unchanged || self.record(&change.addr, Some(instance))
    }

    /// Records a refreshed or vanished object the plan found without changing it.
    fn record_drift(&self, change: &ResourceChange) -> bool {
        let Some(stored) = self.stored(&change.addr) else {
            return true;
        };
        if change.planned.is_null() {
            return self.record(&change.addr, None);
        }
        let Ok(schema) = resource_schema(
            self.scope.providers,
            &change.provider_local_name,
            &change.addr.resource.type_name,
            None,
        ) else {
            return true;
        };
        let Ok(json) = encode_json(&change.planned, &schema.block.implied_type()) else {
            return true;
        };
        let json = crate::state::StoredJson::from_json(&json);
        if json == stored.attributes {
            return true;
        }
        let private = change.planned_private.clone();
        let instance = InstanceState {
            attributes: json,
            private: if private.is_empty() {
                None
            } else {
                Some(private)
            },
            ..stored
        };
        self.record(&change.addr, Some(instance))
    }

    fn target(
        &self,
        change: &ResourceChange,
        range: Option<SourceRange>,
    ) -> Result<Target<'_>, Diagnostics> {
        let local = &change.provider_local_name;
        Ok(Target {
            client: self.scope.client(local, range.clone())?,
            schema: schema_for(
                self.scope.providers,
                local,
                &change.addr.resource,
                range.clone(),
            )?,
            range,
        })
    }
}

/// Makes sure a failure that was already reported still fails the step.
fn failed_or(diags: &mut Diagnostics) {
    if !diags.has_errors() {
        diags.push(Diagnostic::error(
            "Apply step not recorded",
            "The step's result could not be recorded (see the error above).",
        ));
    }
}

fn provider_bug(
    summary: &str,
    lead: &str,
    problems: &[String],
    range: Option<SourceRange>,
) -> Diagnostics {
    let list = if problems.is_empty() {
        String::new()
    } else {
        format!(":\n  - {}", problems.join("\n  - "))
    };
    Diagnostic::error(
        summary,
        format!(
            "{lead}{list}\n\nThis is a bug in the provider, which should be reported in the \
             provider's own issue tracker."
        ),
    )
    .with_range(range)
    .into()
}

/// What is wrong with the object an apply returned: unknown values left, or values other
/// than planned.
fn result_problems(
    change: &ResourceChange,
    target: &Target<'_>,
    planned: &Value,
    new_state: &Value,
) -> Diagnostics {
    let subject = &change.addr;
    if !new_state.is_wholly_known() {
        return provider_bug(
            "Provider returned invalid result object after apply",
            &format!("After applying {subject}, the result still has unknown values"),
            &[],
            target.range.clone(),
        );
    }
    let problems = compatibility_problems(planned, new_state);
    if problems.is_empty() {
        return Diagnostics::new();
    }
    provider_bug(
        "Provider produced inconsistent result after apply",
        &format!(
            "When applying changes to {subject}, provider {:?} produced an unexpected new value",
            change.provider
        ),
        &problems,
        target.range.clone(),
    )
}

fn unstorable(subject: &str, error: &str, range: Option<SourceRange>) -> Diagnostic {
    Diagnostic::error(
        "Cannot store the new object",
        format!("The object the provider returned for {subject} cannot be stored: {error}"),
    )
    .with_range(range)
}

/// What a destroy-time provisioner may refer to besides `self`: the instance's key.
fn destroy_context(change: &ResourceChange) -> EvalContext {
    let mut ctx = EvalContext::default();
    match &change.addr.key {
        InstanceKey::Int(_) => ctx.count_index = Some(change.addr.key.to_value()),
        InstanceKey::Str(_) => ctx.each_key = Some(change.addr.key.to_value()),
        InstanceKey::None => {}
    }
    ctx
}
