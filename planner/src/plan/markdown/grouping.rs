//! Who each change belongs to. A tenant is the key of the outermost `for_each` module
//! instance (`module.tenant["acme"].…` and `module.platform.module.tenant["acme"].…` belong
//! to `acme`, whatever modules they nest); everything else (root resources, `count` or single
//! module instances with no `for_each` instance around them) is shared. The planner stays tenant-agnostic: this reads module instance keys only.
//!
//! A tenant whose every managed instance the plan deletes is offboarded, one whose every
//! managed instance it creates is onboarded. Groups needing attention (offboardings,
//! deletions, replacements) come first; within each part, shared first, then tenants by key.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::counts::ActionCounts;
use crate::addrs::{InstanceAddr, InstanceKey, ResourceMode};
use crate::plan::{Action, PlanMode, ResourceChange};

/// What the plan does to a tenant as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lifecycle {
    /// Every managed instance is created.
    Onboarding,
    /// Every managed instance is deleted.
    Offboarding,
    /// Anything else (and always the shared group).
    Changing,
}

/// The listed changes of one tenant, or of what is shared.
#[derive(Debug)]
pub(super) struct Group<'a> {
    /// The tenant's key; `None` for the shared group.
    pub tenant: Option<&'a str>,
    /// Sorted by address (then deposed key).
    pub changes: Vec<Cow<'a, ResourceChange>>,
    pub counts: ActionCounts,
    pub lifecycle: Lifecycle,
}

impl Group<'_> {
    /// Whether applying destroys something in this group.
    pub(super) fn needs_attention(&self) -> bool {
        self.lifecycle == Lifecycle::Offboarding
            || self.counts.delete > 0
            || self.counts.replace > 0
    }
}

/// The tenant an instance belongs to: the key of the outermost module instance that
/// `for_each` made (the first module step with a string key), whatever single or `count`
/// module instances enclose it.
pub(crate) fn tenant_of(addr: &InstanceAddr) -> Option<&str> {
    addr.module.iter().find_map(|step| match &step.key {
        InstanceKey::Str(key) => Some(key.as_str()),
        InstanceKey::Int(_) | InstanceKey::None => None,
    })
}

/// Whether the comment lists a change: a real action, a move or an import; never the
/// forgetting of a data source's result (which plans neither show nor count).
pub(super) fn is_listed(change: &ResourceChange) -> bool {
    let acts = change.action != Action::NoOp
        || change.previous_address.is_some()
        || change.importing.is_some();
    acts && !change.removes_data_result()
}

/// Whether every instance of a tenant is created, or deleted: managed current objects only.
#[derive(Default)]
struct Census {
    instances: usize,
    created: usize,
    deleted: usize,
}

impl Census {
    fn lifecycle(&self) -> Lifecycle {
        match self.instances {
            0 => Lifecycle::Changing,
            n if n == self.created => Lifecycle::Onboarding,
            n if n == self.deleted => Lifecycle::Offboarding,
            _ => Lifecycle::Changing,
        }
    }
}

/// The groups of a plan's changes, in the comment's order. A refresh-only plan proposes no
/// changes, so it has none.
pub(super) fn group_changes(changes: &[ResourceChange], mode: PlanMode) -> Vec<Group<'_>> {
    if mode == PlanMode::RefreshOnly {
        return Vec::new();
    }
    let mut groups: BTreeMap<Option<&str>, (Vec<Cow<'_, ResourceChange>>, Census)> =
        BTreeMap::new();
    for change in changes {
        let tenant = tenant_of(&change.addr);
        let (listed, census) = groups.entry(tenant).or_default();
        if change.addr.resource.mode == ResourceMode::Managed && change.deposed.is_none() {
            census.instances += 1;
            census.created += usize::from(change.action == Action::Create);
            census.deleted += usize::from(change.action == Action::Delete);
        }
        let shown = change.as_shown(mode);
        if is_listed(&shown) {
            listed.push(shown);
        }
    }
    let mut ordered: Vec<Group<'_>> = groups
        .into_iter()
        .filter(|(_, (listed, _))| !listed.is_empty())
        .map(|(tenant, (mut listed, census))| {
            listed.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
            let mut counts = ActionCounts::default();
            for change in &listed {
                counts.add(change);
            }
            Group {
                tenant,
                changes: listed,
                counts,
                lifecycle: match tenant {
                    Some(_) => census.lifecycle(),
                    None => Lifecycle::Changing,
                },
            }
        })
        .collect();
    // A stable sort keeps shared first and tenants by key within each part.
    ordered.sort_by_key(|group| !group.needs_attention());
    ordered
}
