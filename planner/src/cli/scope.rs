//! `-scope=changed|all` of `plan` and `apply` (a tenantform extension): reading the flag and
//! the store's instance record for the plan, the one line that says what a change-scoped
//! plan covered, and, after a successful apply, the new instance record (the digests the
//! apply computed, else the plan's) tied to the serial the apply wrote.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{Failure, Ui};
use crate::addrs::InstanceAddr;
use crate::engine::scoped::{ScopeRequest, record_after_apply};
use crate::engine::{ApplyRecorder, PlanOptions};
use crate::plan::{Plan, PlanMode};
use crate::providers::Providers;
use crate::state::{DeposedChange, InstanceState, State, StateStore};

/// The scope `-scope` asks for (without the record yet).
pub(super) fn requested(
    parsed: &super::args::Parsed,
    command: &'static super::commands::Command,
) -> Result<ScopeRequest, Failure> {
    match parsed.last("scope").map(str::trim) {
        None | Some("all") => Ok(ScopeRequest::All),
        Some("changed") => Ok(ScopeRequest::Changed(None)),
        Some(other) => Err(command.usage_error(format!(
            "Invalid -scope {other:?}: expected \"changed\" or \"all\""
        ))),
    }
}

/// The request with the store's instance record, for a `-scope=changed` plan. A record that
/// cannot be read counts as none: the plan is then a full one.
pub(super) fn with_record(request: ScopeRequest, store: &dyn StateStore) -> ScopeRequest {
    match request {
        ScopeRequest::Changed(_) => match store.read_scope_record() {
            Ok(record) => ScopeRequest::Changed(record.map(Box::new)),
            Err(err) => {
                tracing::warn!("could not read the instance record: {err}");
                ScopeRequest::Changed(None)
            }
        },
        ScopeRequest::All => ScopeRequest::All,
    }
}

/// Refuses `-scope=changed` where it has no meaning.
pub(super) fn check_options(options: &PlanOptions) -> Result<(), Failure> {
    if options.scope == ScopeRequest::All {
        return Ok(());
    }
    if options.mode != PlanMode::Normal {
        return Err(Failure::error(
            "Invalid -scope option",
            "The -scope=changed option is valid only in normal planning mode: a destroy or \
             refresh-only plan covers every instance.",
        ));
    }
    if !options.targets.is_empty() || !options.excludes.is_empty() {
        return Err(Failure::error(
            "Invalid -scope option",
            "The -scope=changed option cannot be combined with -target or -exclude.",
        ));
    }
    Ok(())
}

/// Prints what a change-scoped plan covered (nothing for other plans).
pub(super) fn report(ui: &Ui, plan: &Plan) {
    if let Some(line) = plan.scope.summary()
        && !ui.view.is_json()
    {
        ui.out(&format!("\n{line}\n"));
    }
}

/// A recorder that also keeps the digests the apply computed.
pub(super) struct DigestRecorder<'a> {
    inner: &'a dyn ApplyRecorder,
    applied: Mutex<BTreeMap<InstanceAddr, String>>,
}

impl<'a> DigestRecorder<'a> {
    pub(super) fn new(inner: &'a dyn ApplyRecorder) -> DigestRecorder<'a> {
        DigestRecorder {
            inner,
            applied: Mutex::new(BTreeMap::new()),
        }
    }
}

impl ApplyRecorder for DigestRecorder<'_> {
    fn record(&self, addr: &InstanceAddr, instance: Option<&InstanceState>) -> Result<(), String> {
        self.inner.record(addr, instance)
    }

    fn record_deposed(&self, change: &DeposedChange) -> Result<(), String> {
        self.inner.record_deposed(change)
    }

    fn record_move(&self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), String> {
        self.inner.record_move(from, to)
    }

    fn applied_config_digest(&self, addr: &InstanceAddr, digest: String) {
        crate::sync::locked(&self.applied).insert(addr.clone(), digest);
    }
}

/// Writes the instance record after a successful apply of a normal plan that left `state`
/// at `serial`. Failing to write it only costs the next change-scoped plan its scope (the
/// old record names another serial), so it warns.
pub(super) fn record_apply(
    store: &dyn StateStore,
    plan: &Plan,
    recorder: &DigestRecorder<'_>,
    state: &State,
    serial: u64,
    providers: &Providers,
) {
    if plan.mode != PlanMode::Normal {
        return;
    }
    let applied = std::mem::take(&mut *crate::sync::locked(&recorder.applied));
    let record = record_after_apply(&plan.scope.digests, &applied, state, serial, providers);
    if let Err(err) = store.write_scope_record(&record) {
        tracing::warn!("could not write the instance record: {err}");
    }
}
