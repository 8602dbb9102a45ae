//! `tenantform show -markdown PLANFILE`: a saved plan as one pull-request comment in
//! GitHub-flavoured Markdown, grouped by tenant. The headline counts every change; deletions,
//! replacements and offboardings are called out first; then one collapsible section per
//! tenant (see [`grouping`] for what a tenant is) with each changed instance and its changed
//! attributes, sensitive values masked; then the output changes. The whole comment stays
//! within GitHub's 65,536-character limit by leaving out detail ([`budget`]).

mod attributes;
mod budget;
mod counts;
mod escape;
mod grouping;
mod headline;
mod instance;
mod outputs;
mod sections;
mod values;

use crate::plan::render::Counts;
use crate::plan::{Action, OutputChange, Plan, PlanMode, ResourceChange};
use counts::ActionCounts;
pub(crate) use grouping::tenant_of;
use grouping::{Group, group_changes};

/// GitHub's limit on the size of an issue or pull-request comment.
pub(crate) const COMMENT_LIMIT: usize = 65_536;

/// How much of each change the body shows, from the most to the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    /// Instances, their changed attributes and the diffs of long texts.
    Full,
    /// Instances and their changed attributes, without the diffs.
    NoDiffs,
    /// One line per instance.
    Addresses,
    /// One row of counts per tenant.
    Counts,
    /// Rows of counts for the first tenants only.
    FirstGroups,
}

/// What the comment is made of.
struct Review<'a> {
    mode: PlanMode,
    groups: Vec<Group<'a>>,
    /// Every listed change, whatever the body leaves out.
    counts: ActionCounts,
    /// Terraform's `Plan: N to add, …` counts.
    terraform: Counts,
    /// Changed root outputs, by name.
    outputs: Vec<&'a OutputChange>,
    /// Objects changed or deleted outside of tenantform.
    drifted: Vec<&'a ResourceChange>,
    /// Made with `-target` or `-exclude`.
    targeted: bool,
}

impl<'a> Review<'a> {
    fn of(plan: &'a Plan) -> Review<'a> {
        let groups = group_changes(&plan.changes, plan.mode);
        let mut counts = ActionCounts::default();
        for group in &groups {
            counts.merge(&group.counts);
        }
        let outputs = plan.changed_outputs();
        let mut drifted: Vec<&ResourceChange> = plan
            .drift
            .iter()
            .filter(|d| d.action != Action::NoOp)
            .collect();
        drifted.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
        Review {
            mode: plan.mode,
            groups,
            counts,
            terraform: Counts::of(plan),
            outputs,
            drifted,
            targeted: plan.targeted,
        }
    }
}

/// The plan as a pull-request comment of at most [`COMMENT_LIMIT`] bytes.
pub(crate) fn render_markdown(plan: &Plan) -> String {
    budget::fit(&Review::of(plan), COMMENT_LIMIT).text
}

#[cfg(test)]
mod tests;
