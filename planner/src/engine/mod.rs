//! The planner core, Terraform's `Context`: validate, plan, apply and import, reaching the
//! outside world only through [`ProviderClient`](crate::providers::ProviderClient) and an
//! [`ApplyRecorder`] that makes each instance's result durable.

mod applier;
mod apply;
mod apply_conditions;
mod apply_deposed;
mod apply_import;
mod apply_instance;
mod apply_refactor;
mod apply_unknown;
mod call_digest;
mod data_dependencies;
mod diagnostics;
mod drop_elsewhere;
mod expand;
mod fast_map;
mod generate_config;
mod import;
mod import_blocks;
mod import_generated;
mod instances;
mod lifecycle;
mod module_instances;
mod module_variables;
mod modules;
mod move_order;
mod move_validate;
mod moves;
mod node_value;
mod on_second_thread;
mod outputs;
mod plan;
mod plan_accumulator;
mod plan_deposed;
mod plan_instance;
mod plan_resource;
mod prior_outputs;
mod provision;
pub(crate) mod read_ahead;
mod refactor;
mod relevant_attributes;
mod scope;
mod scope_digest;
pub(crate) mod scoped;
mod scoped_apply;
mod scoped_modules;
mod scoped_plan;
pub(crate) mod sweep;
mod targets;
mod validate;
mod value_release;
pub(crate) mod waves;

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use crate::addrs::InstanceAddr;
use crate::config::Config;
use crate::diags::Diagnostics;
use crate::plan::PlanMode;
use crate::providers::Providers;
#[cfg(test)]
use crate::state::DEFAULT_WORKSPACE;
use crate::state::{DeposedChange, InstanceState, State};

pub(crate) use apply::apply;
#[cfg(test)]
pub(crate) use plan::plan;
pub(crate) use plan::{PlanInputs, plan_reading_ahead, plan_with_hooks};

/// The summary of the warning a failed `check` block assertion raises.
pub(crate) const CHECK_ASSERTION_FAILED: &str = "Check block assertion failed";

/// The default number of instances worked on at once.
pub(crate) const DEFAULT_PARALLELISM: usize = 10;

#[derive(Clone, Debug)]
pub(crate) struct PlanOptions {
    pub mode: PlanMode,
    /// Refresh (ReadResource) every instance before planning.
    pub refresh: bool,
    pub parallelism: usize,
    /// `-target=ADDR`: plan only these resources, resource instances or modules (and what
    /// they depend on). Empty: everything.
    pub targets: Vec<String>,
    /// `-exclude=ADDR`: plan everything but these resources, resource instances or modules
    /// (and what depends on them). Never given together with `targets`.
    pub excludes: Vec<String>,
    /// `-replace=ADDR`: plan these instances' replacement.
    pub replace: Vec<InstanceAddr>,
    /// `-generate-config-out`: generate the configuration of import targets without one.
    pub generate_config: bool,
    /// The workspace planned in (`terraform.workspace`); the plan records it.
    pub workspace: String,
    /// `-sweep=K/N` (refresh-only plans): read again only the instances of this slice.
    pub sweep: Option<sweep::Sweep>,
    /// `-scope=changed`: plan only what changed since the recorded apply.
    pub scope: scoped::ScopeRequest,
    /// The plan is only shown: not saved, applied, rendered as JSON or read by policies. A
    /// change-scoped plan then keeps no no-op change for the instances of the module
    /// instances it leaves out whole, only their count (`PlanScope::unlisted_unchanged`),
    /// and a plan without drift to show finds no relevant attributes (only the drift
    /// rendering reads them).
    pub show_only: bool,
}

/// Receives every instance result the moment it is known, and must make it durable before
/// returning. An error stops the apply (no further instance is started).
pub(crate) trait ApplyRecorder: Send + Sync {
    fn record(&self, addr: &InstanceAddr, instance: Option<&InstanceState>) -> Result<(), String>;

    /// Records a change to a deposed object: a create-before-destroy deposing the current
    /// object before its create, restoring it when the create produced nothing, or the
    /// deposed object's deletion.
    fn record_deposed(&self, change: &DeposedChange) -> Result<(), String>;

    /// Records that an instance's objects moved from `from` to `to` (a `moved` block).
    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), String>;

    /// Receives the digest of an applied instance's configuration as evaluated while
    /// applying (for the record of change-scoped planning); kept only if the apply succeeds.
    fn applied_config_digest(&self, _addr: &InstanceAddr, _digest: String) {}

    /// Receives the outputs of a root module call instance (`module.NAME[KEY]`) as the apply
    /// evaluated them, when every one is known and none is sensitive (for the record of
    /// change-scoped planning); kept only if the apply succeeds.
    fn applied_module_outputs(
        &self,
        _module: &str,
        _outputs: std::collections::BTreeMap<String, tenantform_proto::value::Value>,
    ) {
    }
}

/// Progress reports of planning for the user interface: the refresh of stored objects and
/// the data sources read while planning.
pub(crate) trait PlanHooks: Send + Sync {
    /// A stored object (with this id) is about to be read again.
    fn refreshing(&self, _addr: &InstanceAddr, _id: Option<&str>) {}
    /// A stored object was read again; `id` is the refreshed object's.
    fn refreshed(&self, _addr: &InstanceAddr, _id: Option<&str>) {}
    /// A data source is about to be read.
    fn reading(&self, _addr: &InstanceAddr) {}
    /// A data source read finished (`ok`), with the result's id.
    fn read(&self, _addr: &InstanceAddr, _id: Option<&str>, _ok: bool) {}
}

/// Planning without progress reports.
#[cfg(test)]
pub(crate) struct NoPlanHooks;

#[cfg(test)]
impl PlanHooks for NoPlanHooks {}

/// Progress reports for the user interface.
pub(crate) trait ApplyHooks: Send + Sync {
    /// An instance's change starts; `prior_id` is the id of the object it changes.
    fn started(&self, addr: &InstanceAddr, action: crate::plan::Action, prior_id: Option<&str>);
    fn finished(
        &self,
        addr: &InstanceAddr,
        action: crate::plan::Action,
        id: Option<&str>,
        ok: bool,
    );
    /// A provisioner of `addr` starts (`tenant.acme: Provisioning with 'local-exec'...`).
    fn provisioning(&self, addr: &InstanceAddr, kind: &str);
    /// A line of a provisioner's output.
    fn provision_output(&self, addr: &InstanceAddr, kind: &str, line: &str);

    /// A provisioner of `addr` finished, successfully or not.
    fn provisioned(&self, _addr: &InstanceAddr, _kind: &str, _ok: bool) {}

    /// The object an `import` block imports is about to be recorded, before its change.
    fn importing(&self, _addr: &InstanceAddr, _id: &str) {}

    /// The object an `import` block imports is recorded in state.
    fn imported(&self, _addr: &InstanceAddr, _id: &str) {}
}

pub(crate) struct ApplyOptions<'a> {
    pub parallelism: usize,
    pub recorder: &'a dyn ApplyRecorder,
    pub hooks: &'a dyn ApplyHooks,
    /// Runs the commands of `local-exec` provisioners.
    pub provisioners: &'a dyn crate::provisioners::ProvisionerRunner,
    /// When this flips to true no new instance is started; in-flight ones finish and are recorded.
    pub cancel: tokio::sync::watch::Receiver<bool>,
}

/// Validates the configuration against the providers' schemas (no state, no changes).
#[cfg(test)]
pub(crate) async fn validate(config: &Config, providers: &Providers) -> Diagnostics {
    validate_in_workspace(config, providers, DEFAULT_WORKSPACE).await
}

/// Validates as [`validate`] does, with `terraform.workspace` evaluating to `workspace`.
pub(crate) async fn validate_in_workspace(
    config: &Config,
    providers: &Providers,
    workspace: &str,
) -> Diagnostics {
    validate::validate(config, providers, workspace).await
}

/// Imports an existing object into state at `addr`.
#[cfg(test)]
pub(crate) async fn import(
    config: &Config,
    state: &State,
    providers: &Providers,
    addr: &InstanceAddr,
    id: &str,
) -> Result<State, Diagnostics> {
    let variables = BTreeMap::new();
    let target = ImportTarget { addr, id };
    import_with_variables(
        config,
        state,
        providers,
        &variables,
        target,
        DEFAULT_WORKSPACE,
    )
    .await
}

/// What `import` imports: the object `id` at the address `addr`.
pub(crate) struct ImportTarget<'a> {
    pub addr: &'a InstanceAddr,
    pub id: &'a str,
}

/// Imports an existing object into state, with input variable values for the provider
/// configuration, in `workspace` (`terraform.workspace`).
pub(crate) async fn import_with_variables(
    config: &Config,
    state: &State,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
    target: ImportTarget<'_>,
    workspace: &str,
) -> Result<State, Diagnostics> {
    import::import(config, state, providers, variables, target, workspace).await
}

#[cfg(test)]
mod tests;
