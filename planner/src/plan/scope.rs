//! What a plan records about its scope (tenantform extensions): whether it was a
//! change-scoped plan (`-scope=changed`) and which instances it left out unchanged, why it
//! planned everything instead, the digest of each instance's configuration it computed (what
//! an apply of the plan records for the next change-scoped plan), and the `-sweep=K/N` slice
//! of a refresh-only sweep.

use std::collections::{BTreeMap, BTreeSet};

use crate::addrs::InstanceAddr;

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PlanScope {
    /// Made with `-scope=changed` against a valid instance record: only the changed
    /// instances were refreshed and planned.
    pub changed_only: bool,
    /// Why a `-scope=changed` plan planned everything (no valid instance record).
    pub fallback: Option<String>,
    /// The instances a change-scoped plan left out as unchanged (neither refreshed nor
    /// planned by the provider).
    pub unchanged: BTreeSet<InstanceAddr>,
    /// The digest of each instance's configuration, where it was wholly known.
    pub digests: BTreeMap<InstanceAddr, String>,
    /// `-sweep=K/N` of a refresh-only sweep plan.
    pub sweep: Option<String>,
}

impl PlanScope {
    /// The one line that says what a `-scope=changed` plan covered; `None` for other plans.
    pub(crate) fn summary(&self) -> Option<String> {
        if let Some(reason) = &self.fallback {
            return Some(format!("Scope: full plan ({reason})"));
        }
        self.changed_only.then(|| {
            format!(
                "Scope: changed ({} unchanged instance(s) left out, not refreshed)",
                self.unchanged.len()
            )
        })
    }
}
