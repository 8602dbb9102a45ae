//! Planning: walk the configuration in dependency order; for each resource decode its stored
//! object, refresh it, evaluate its configuration against the planned values of what it
//! refers to, and ask the provider to plan the change; then plan the deletion of every stored
//! instance the configuration no longer has, and the outputs.

use std::collections::BTreeMap;
use std::sync::Mutex;

use tenantform_proto::schema::Schema;
use tenantform_proto::value::{Value, decode_json, type_from_json};

use crate::addrs::{InstanceAddr, InstanceKey, ResourceAddr, ResourceMode};
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::{ConfigGraph, Dag, Node, walk};
use crate::lang;
use crate::plan::objchange::{changed_paths, plan_problems, proposed_new, sensitive_paths};
use crate::plan::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};
use crate::providers::{PlanRequest, PlanResponse, ProviderClient, Providers};
use crate::state::{InstanceState, State};

use super::PlanOptions;
use super::diagnostics::{provider_diagnostics, provider_failure};
use super::instances::{PriorObject, ProviderNames, decode_instance};
use super::scope::{ProviderUse, Scope};

pub(crate) async fn plan(
    config: &Config,
    state: &State,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
    options: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    let graph = ConfigGraph::build(config)?;
    let planner = Planner {
        scope: Scope::new(config, &graph, providers, variables, false),
        state,
        options,
        names: ProviderNames::new(providers),
        changes: Mutex::new(Vec::new()),
    };
    walk(
        &graph.dag(),
        options.parallelism,
        || false,
        |id| planner.visit(id),
    )
    .await;

    let orphans: Vec<(&InstanceAddr, &InstanceState)> = state
        .instances
        .iter()
        .filter(|(addr, _)| !in_config(config, addr))
        .collect();
    walk(
        &Dag::new(orphans.len()),
        options.parallelism,
        || false,
        |i| planner.visit_orphan(orphans[i].0, orphans[i].1),
    )
    .await;

    let outputs = planner.plan_outputs();
    let mut diags = planner.scope.take_diagnostics();
    if diags.has_errors() {
        return Err(diags);
    }
    let mut changes = planner.changes.into_inner().expect("planned changes");
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    diags
        .0
        .retain(|d| d.severity == crate::diags::Severity::Warning);
    Ok(Plan {
        mode: options.mode,
        changes,
        outputs,
        variables: variables.clone(),
        prior_lineage: state.lineage.clone(),
        prior_serial: state.serial,
        warnings: diags,
    })
}

/// True when the configuration declares this instance.
pub(crate) fn in_config(config: &Config, addr: &InstanceAddr) -> bool {
    addr.module.is_empty()
        && addr.key == InstanceKey::None
        && addr.resource.mode == ResourceMode::Managed
        && config.resources.contains_key(&addr.resource)
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
        .unwrap_or_else(|| format!("registry.terraform.io/hashicorp/{local}"))
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

struct Planner<'a> {
    scope: Scope<'a>,
    state: &'a State,
    options: &'a PlanOptions,
    names: ProviderNames,
    changes: Mutex<Vec<ResourceChange>>,
}

/// What one resource instance is planned from.
struct Subject<'s> {
    addr: InstanceAddr,
    client: &'s dyn ProviderClient,
    schema: &'s Schema,
    local_name: String,
    range: Option<SourceRange>,
    dependencies: Vec<String>,
}

impl Planner<'_> {
    async fn visit(&self, id: usize) -> bool {
        if let Some(ok) = self.scope.visit_common(id, ProviderUse::Configure).await {
            return ok;
        }
        let Node::Resource(addr) = self.scope.graph.node(id) else {
            return false;
        };
        match self.plan_resource(id, addr).await {
            Ok((change, value)) => {
                self.scope.set(id, value);
                self.changes.lock().expect("planned changes").extend(change);
                true
            }
            Err(diags) => {
                self.scope.report(diags);
                false
            }
        }
    }

    /// Plans one resource block; returns its change and the value dependents see.
    async fn plan_resource(
        &self,
        id: usize,
        addr: &ResourceAddr,
    ) -> Result<(Option<ResourceChange>, Value), Diagnostics> {
        let config = self.scope.config;
        let resource = &config.resources[addr];
        let range = Some(resource.range.clone());
        if addr.mode == ResourceMode::Data {
            return Err(unsupported("Data sources are not supported yet", range));
        }
        if resource.count.is_some() || resource.for_each.is_some() {
            return Err(unsupported(
                "count and for_each are not supported yet",
                range,
            ));
        }
        let subject = Subject {
            addr: addr.instance(),
            client: self.scope.client(&resource.provider, range.clone())?,
            schema: resource_schema(
                self.scope.providers,
                &resource.provider,
                &addr.type_name,
                range.clone(),
            )?,
            local_name: resource.provider.clone(),
            range,
            dependencies: self
                .scope
                .graph
                .resource_dependencies(id)
                .iter()
                .map(ToString::to_string)
                .collect(),
        };
        let prior = self.prior_object(&subject).await?;
        match self.options.mode {
            PlanMode::Destroy => {
                let value = prior.as_ref().map_or(Value::Null, |p| p.value.clone());
                let change = self.plan_delete(&subject, prior, None).await?;
                Ok((change, value))
            }
            PlanMode::RefreshOnly => {
                let value = prior.as_ref().map_or(Value::Null, |p| p.value.clone());
                let change = prior.map(|p| self.change(&subject, Action::NoOp, None, p, None));
                Ok((change, value))
            }
            PlanMode::Normal => {
                let ctx = self.scope.context(id);
                let config_value = lang::decode_body(
                    &resource.body,
                    &subject.schema.block,
                    &ctx,
                    &resource.file,
                    &config.sources,
                )?;
                let diags = subject
                    .client
                    .validate_resource_config(&addr.type_name, &config_value)
                    .await
                    .map_err(|e| self.failure(&subject, &e))?;
                self.scope.check(provider_diagnostics(
                    &subject.addr.to_string(),
                    diags,
                    subject.range.clone(),
                ))?;
                let change = self.plan_update(&subject, prior, config_value).await?;
                let value = change.planned.clone();
                Ok((Some(change), value))
            }
        }
    }

    /// The stored object of an instance, decoded and (unless disabled) refreshed; `None`
    /// when there is none or it no longer exists.
    async fn prior_object(
        &self,
        subject: &Subject<'_>,
    ) -> Result<Option<PriorObject>, Diagnostics> {
        let Some(instance) = self.state.instances.get(&subject.addr) else {
            return Ok(None);
        };
        let prior = decode_instance(
            subject.client,
            subject.schema,
            &subject.addr,
            instance,
            subject.range.clone(),
        )
        .await?;
        if !self.options.refresh {
            return Ok(Some(prior));
        }
        let read = subject
            .client
            .read_resource(
                &subject.addr.resource.type_name,
                &prior.value,
                &prior.private,
            )
            .await
            .map_err(|e| self.failure(subject, &e))?;
        self.scope.check(provider_diagnostics(
            &subject.addr.to_string(),
            read.diagnostics,
            subject.range.clone(),
        ))?;
        if read.new_state.is_null() {
            return Ok(None);
        }
        Ok(Some(PriorObject {
            value: read.new_state,
            private: read.private,
            ..prior
        }))
    }

    async fn plan_update(
        &self,
        subject: &Subject<'_>,
        prior: Option<PriorObject>,
        config_value: Value,
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
                self.change(
                    subject,
                    Action::DeleteThenCreate,
                    Some(reason),
                    prior,
                    Some(create),
                )
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

    async fn ask_plan(
        &self,
        subject: &Subject<'_>,
        prior: &Value,
        prior_private: &[u8],
        config_value: &Value,
    ) -> Result<PlanResponse, Diagnostics> {
        let proposed = proposed_new(&subject.schema.block, prior, config_value);
        let response = subject
            .client
            .plan_resource_change(PlanRequest {
                type_name: &subject.addr.resource.type_name,
                prior,
                proposed: &proposed,
                config: config_value,
                prior_private,
            })
            .await
            .map_err(|e| self.failure(subject, &e))?;
        self.scope.check(provider_diagnostics(
            &subject.addr.to_string(),
            response.diagnostics.clone(),
            subject.range.clone(),
        ))?;
        let problems = plan_problems(&subject.schema.block, config_value, &response.planned);
        if !problems.is_empty() {
            return Err(invalid_plan(subject, &problems).into());
        }
        Ok(response)
    }

    /// Plans the deletion of a stored object through the provider, which may refuse it.
    async fn plan_delete(
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
        let response = subject
            .client
            .plan_resource_change(PlanRequest {
                type_name: &subject.addr.resource.type_name,
                prior: &prior.value,
                proposed: &Value::Null,
                config: &Value::Null,
                prior_private: &prior.private,
            })
            .await
            .map_err(|e| self.failure(subject, &e))?;
        self.scope.check(provider_diagnostics(
            &subject.addr.to_string(),
            response.diagnostics.clone(),
            subject.range.clone(),
        ))?;
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

    async fn visit_orphan(&self, addr: &InstanceAddr, instance: &InstanceState) -> bool {
        match self.plan_orphan(addr, instance).await {
            Ok(change) => {
                self.changes.lock().expect("planned changes").extend(change);
                true
            }
            Err(diags) => {
                self.scope.report(diags);
                false
            }
        }
    }

    async fn plan_orphan(
        &self,
        addr: &InstanceAddr,
        instance: &InstanceState,
    ) -> Result<Option<ResourceChange>, Diagnostics> {
        let local_name = self.names.local_name(addr, instance);
        self.scope.configure_unlisted(&local_name).await?;
        // The block is gone, but a block of the same resource may still exist (a count
        // or module instance): point at it when it does.
        let range = self
            .scope
            .config
            .resources
            .get(&addr.resource)
            .map(|r| r.range.clone());
        let subject = Subject {
            addr: addr.clone(),
            client: self.scope.client(&local_name, range.clone())?,
            schema: resource_schema(
                self.scope.providers,
                &local_name,
                &addr.resource.type_name,
                range.clone(),
            )?,
            local_name,
            range,
            dependencies: instance.dependencies.clone(),
        };
        let prior = self.prior_object(&subject).await?;
        if self.options.mode == PlanMode::RefreshOnly {
            return Ok(prior.map(|p| self.change(&subject, Action::NoOp, None, p, None)));
        }
        self.plan_delete(
            &subject,
            prior,
            Some(ActionReason::DeleteBecauseNoResourceConfig),
        )
        .await
    }

    fn change(
        &self,
        subject: &Subject<'_>,
        action: Action,
        action_reason: Option<ActionReason>,
        prior: PriorObject,
        response: Option<PlanResponse>,
    ) -> ResourceChange {
        let (planned, planned_private, requires_replace) = match response {
            Some(r) => (r.planned, r.planned_private, r.requires_replace),
            None => (prior.value.clone(), prior.private.clone(), Vec::new()),
        };
        let mut sensitive = sensitive_paths(&subject.schema.block, &prior.value);
        sensitive.extend(sensitive_paths(&subject.schema.block, &planned));
        sensitive.sort();
        sensitive.dedup();
        ResourceChange {
            addr: subject.addr.clone(),
            provider: provider_source(self.scope.config, self.scope.providers, &subject.local_name),
            provider_local_name: subject.local_name.clone(),
            action,
            action_reason,
            prior: prior.value,
            planned,
            config: Value::Null,
            prior_private: prior.private,
            planned_private,
            requires_replace,
            sensitive_paths: sensitive,
            dependencies: subject.dependencies.clone(),
            schema_version: subject.schema.version,
        }
    }

    fn failure(
        &self,
        subject: &Subject<'_>,
        error: &crate::providers::ProviderError,
    ) -> Diagnostics {
        provider_failure(&subject.addr.to_string(), error, subject.range.clone()).into()
    }

    fn plan_outputs(&self) -> Vec<OutputChange> {
        let config = self.scope.config;
        let graph = self.scope.graph;
        let mut outputs = Vec::new();
        for (name, output) in &config.outputs {
            let Some(id) = graph.id(&Node::Output(name.clone())) else {
                continue;
            };
            let after = match self.options.mode {
                PlanMode::Destroy => Value::Null,
                _ => self.scope.get(id),
            };
            let before = self
                .state
                .outputs
                .get(name)
                .map(stored_output)
                .unwrap_or(Value::Null);
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
            if !config.outputs.contains_key(name) {
                outputs.push(OutputChange {
                    name: name.clone(),
                    action: Action::Delete,
                    before: stored_output(stored),
                    after: Value::Null,
                    sensitive: stored.sensitive,
                });
            }
        }
        outputs
    }
}

/// An output value as stored in state.
pub(crate) fn stored_output(output: &crate::state::OutputState) -> Value {
    type_from_json(&output.ty)
        .ok()
        .and_then(|ty| decode_json(&output.value, &ty).ok())
        .unwrap_or(Value::Unknown)
}

fn absent() -> PriorObject {
    PriorObject {
        value: Value::Null,
        private: Vec::new(),
        tainted: false,
    }
}

fn unsupported(summary: &str, range: Option<SourceRange>) -> Diagnostics {
    Diagnostic::error(
        summary,
        "This version of tenantform cannot plan this block.",
    )
    .with_range(range)
    .into()
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
