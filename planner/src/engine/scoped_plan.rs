//! The planner's side of change-scoped planning: the digest of each managed instance's
//! evaluated configuration, and, in a `-scope=changed` plan, the no-op of an instance that
//! provably has nothing to plan, made without any provider call (no refresh, no
//! PlanResourceChange) from its stored object.
//!
//! An instance is left out only when all of these hold: the plan is a normal plan without
//! `-target`/`-exclude`; the instance is stored, not tainted, without deposed objects, at its
//! schema's version and with the provider its block names, and not moved, replaced
//! (`-replace`) or imported; its block has no `replace_triggered_by`, conditions or impure
//! function call, and depends on no data source; no instance it depends on (in the same
//! module instances) is changing; and its configuration, wholly known, has the digest the
//! last apply recorded. For such an instance a full `-refresh=false` plan asks the provider
//! to plan the recorded configuration against the object that apply stored, which gives the
//! same object back: a no-op with the stored value.

use tenantform_proto::value::Value;

use crate::addrs::{ConfigResourceAddr, ResourceMode};
use crate::config::Resource;
use crate::diags::Diagnostics;
use crate::lang::functions::impure::impure_call_in_body;
use crate::lang::{self, EvalContext, Sensitivity};
use crate::plan::{Action, PlanMode, ResourceChange};
use crate::state::InstanceState;

use super::node_value::InstanceValue;
use super::plan::{Planner, provider_source};
use super::plan_instance::Subject;
use super::scope_digest::{DigestInputs, instance_digest};
use super::scoped::ScopeRun;

impl Planner<'_> {
    /// The plan's scope, when it computes digests (every plan the command line makes).
    fn scope_run(&self) -> &ScopeRun {
        &self.scope_run
    }

    /// Notes the digest of a planned instance's configuration (when wholly known).
    pub(super) fn note_config_digest(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        config_value: &Value,
        marks: &Sensitivity,
    ) {
        if let Some(digest) = self.config_digest(subject, resource, config_value, marks) {
            self.scope_run().note_digest(&subject.addr, digest);
        }
    }

    /// Notes a planned change whose dependents a change-scoped plan must plan too.
    pub(super) fn note_planned_change(&self, change: &ResourceChange) {
        let changing =
            change.action != Action::NoOp || change.addr.resource.mode == ResourceMode::Data;
        if changing && self.scope_run().is_scoped() {
            self.scope_run().note_changing(&change.addr);
        }
    }

    /// In a change-scoped plan, the no-op of an instance with nothing to plan (see the
    /// module's documentation); `None` when it must be planned.
    pub(super) async fn scoped_noop(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        ctx: &EvalContext,
    ) -> Result<Option<InstanceValue>, Diagnostics> {
        if !self.scope_run().is_scoped() {
            return Ok(None);
        }
        let Some(stored) = self.state.instances.get(&subject.addr) else {
            return Ok(None);
        };
        if !self.may_leave_out(subject, resource, stored) {
            return Ok(None);
        }
        let module_config = self.module_config_of(&subject.addr);
        let (config_value, marks) = lang::decode_body_marked(
            &resource.body,
            &subject.schema.block,
            ctx,
            &resource.file,
            &module_config.sources,
        )?
        .into_parts();
        let Some(digest) = self.config_digest(subject, resource, &config_value, &marks) else {
            return Ok(None);
        };
        let unchanged = self.scope_run().recorded(&subject.addr) == Some(digest.as_str());
        self.scope_run().note_digest(&subject.addr, digest);
        if !unchanged {
            return Ok(None);
        }
        let prior = subject.decode(stored).await?;
        let config_value = self.ignore_changes(subject, &prior.value, config_value);
        let mut change = self.change(subject, Action::NoOp, None, prior, None);
        change.config = config_value;
        if marks.any() {
            // What the configuration marks stays marked, as in a planned no-op.
            let fitted = marks.fitted(&change.planned);
            change.sensitive_paths.extend(fitted.paths(&change.planned));
            change.sensitive_paths.sort();
            change.sensitive_paths.dedup();
        }
        self.scope_run().note_unchanged(&subject.addr);
        Ok(Some(self.finish(subject, change)))
    }

    /// Everything but the digest that lets a change-scoped plan leave an instance out.
    fn may_leave_out(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        stored: &InstanceState,
    ) -> bool {
        let addr = &subject.addr;
        let rules = &resource.lifecycle_rules;
        let plain_plan = self.options.mode == PlanMode::Normal
            && self.targeting.is_none()
            && !self.replace.contains(addr)
            && !self.refactoring.results.moved.contains_key(addr);
        let plain_block = addr.resource.mode == ResourceMode::Managed
            && rules.replace_triggered_by.is_empty()
            && rules.preconditions.is_empty()
            && rules.postconditions.is_empty()
            && impure_call_in_body(&resource.body).is_none()
            && !subject.dependencies.iter().any(is_data_source);
        let plain_object = !stored.tainted
            && i64::try_from(stored.schema_version).ok() == Some(subject.schema.version)
            && self.state.deposed_of(addr).next().is_none()
            && stored.provider
                == provider_source(self.scope.config, self.scope.providers, &subject.local_name);
        plain_plan
            && plain_block
            && plain_object
            && !self
                .scope_run()
                .dependency_changing(addr, &subject.dependencies)
    }

    /// The digest of an instance's evaluated configuration; `None` unless wholly known.
    fn config_digest(
        &self,
        subject: &Subject<'_>,
        resource: &Resource,
        config_value: &Value,
        marks: &Sensitivity,
    ) -> Option<String> {
        if !config_value.is_wholly_known() {
            return None;
        }
        let providers = self.scope.providers;
        let local = &subject.local_name;
        let source = provider_source(self.scope.config, providers, local);
        let mut sensitive_paths = marks.clone().fitted(config_value).paths(config_value);
        sensitive_paths.sort();
        let dependencies: Vec<String> = subject
            .dependencies
            .iter()
            .map(ToString::to_string)
            .collect();
        let provider_config = self.scope.provider_config(local);
        Some(instance_digest(&DigestInputs {
            type_name: &subject.addr.resource.type_name,
            provider_source: &source,
            provider_version: providers.versions.get(local).map_or("", String::as_str),
            provider_config: provider_config.as_ref(),
            config: config_value,
            sensitive_paths: &sensitive_paths,
            lifecycle: &resource.lifecycle_rules,
            schema_version: subject.schema.version,
            dependencies: &dependencies,
        }))
    }
}

/// Whether a configuration resource address names a data source
/// (`data.T.N`, `module.M.data.T.N`).
fn is_data_source(addr: &ConfigResourceAddr) -> bool {
    let text = addr.to_string();
    let mut rest = text.as_str();
    while let Some(after) = rest.strip_prefix("module.") {
        match after.split_once('.') {
            Some((_, next)) => rest = next,
            None => return false,
        }
    }
    rest.starts_with("data.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sources_are_told_from_resources_at_any_module_depth() {
        let data = |text: &str| is_data_source(&ConfigResourceAddr::from_recorded(text));
        assert!(data("data.fake_lookup.x"));
        assert!(data("module.t.module.data.data.fake_lookup.x"));
        assert!(!data("fake_thing.data"));
        assert!(!data("module.data.fake_thing.x"));
    }
}
