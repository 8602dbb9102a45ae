//! Planning deposed objects: each object a create-before-destroy deposed and could not delete
//! is refreshed and planned for deletion, whatever the configuration says; one the refresh
//! finds gone is planned as a no-op whose apply drops its record.

use crate::addrs::InstanceAddr;
use crate::diags::Diagnostics;
use crate::plan::{Action, PlanMode, ResourceChange};
use crate::state::InstanceState;

use super::plan::Planner;
use super::plan_instance::absent;

impl Planner<'_> {
    pub(super) async fn visit_deposed(
        &self,
        addr: &InstanceAddr,
        key: &str,
        object: &InstanceState,
    ) -> bool {
        match self.plan_deposed(addr, key, object).await {
            Ok(change) => {
                // Not through `add_change`: a deposed object is no input of the instance's
                // own planning (`replace_triggered_by`, pending data sources).
                self.accumulated().changes.push(change);
                true
            }
            Err(diags) => {
                self.scope.report(diags);
                false
            }
        }
    }

    async fn plan_deposed(
        &self,
        addr: &InstanceAddr,
        key: &str,
        object: &InstanceState,
    ) -> Result<ResourceChange, Diagnostics> {
        let subject = self.stored_subject(addr, object).await?;
        if self.refactoring.forgets(addr) {
            let mut change = self.plan_forget(&subject, object, None).await?;
            change.deposed = Some(key.to_string());
            return Ok(change);
        }
        let prior = self.refresh_object(&subject, object).await?;
        let mut change = match prior {
            None => self.change(&subject, Action::NoOp, None, absent(), None),
            Some(prior) if self.options.mode == PlanMode::RefreshOnly => {
                self.change(&subject, Action::NoOp, None, prior, None)
            }
            Some(prior) => self
                .plan_delete(&subject, Some(prior), None)
                .await?
                .unwrap_or_else(|| self.change(&subject, Action::NoOp, None, absent(), None)),
        };
        change.deposed = Some(key.to_string());
        Ok(change)
    }
}
