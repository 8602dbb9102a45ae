//! The body of the comment at a given level of detail: one collapsible section per tenant
//! (and one for what is shared) listing its changed instances, then the output changes; or,
//! at the lowest levels, one table row of counts per tenant.

use super::counts::ActionCounts;
use super::escape::{count, html, shorten, table_code};
use super::grouping::{Group, Lifecycle};
use super::instance::instance;
use super::outputs::outputs_section;
use super::{Detail, Review};

/// The longest tenant key a summary line shows.
const NAME_LIMIT: usize = 300;

/// The tenant sections and the outputs at `detail`, or `None` when they exceed `budget`.
/// Below full detail, the first sections (those needing attention come first) get back as
/// much detail as the room the others leave allows.
pub(super) fn body(review: &Review<'_>, detail: Detail, budget: usize) -> Option<String> {
    let mut out = degradation_note(detail);
    if !review.groups.is_empty() {
        out.push_str("### Changes by tenant\n\n");
    }
    if detail == Detail::Counts {
        out.push_str(COUNTS_HEADER);
        for group in &review.groups {
            out.push_str(&counts_row(group));
            if out.len() > budget {
                return None;
            }
        }
        if !review.groups.is_empty() {
            out.push('\n');
        }
    } else {
        let outputs_len = outputs_section(&review.outputs, detail).len();
        let sections =
            sections_within(review, detail, budget.checked_sub(out.len() + outputs_len)?)?;
        out.extend(sections);
    }
    out.push_str(&outputs_section(&review.outputs, detail));
    (out.len() <= budget).then_some(out)
}

/// Every group's section at `detail` or more, within `budget` bytes in all.
fn sections_within(review: &Review<'_>, detail: Detail, budget: usize) -> Option<Vec<String>> {
    let mut sections = Vec::with_capacity(review.groups.len());
    let mut used = 0;
    for group in &review.groups {
        let section = group_section(group, detail);
        used += section.len();
        if used > budget {
            return None;
        }
        sections.push(section);
    }
    let mut spare = budget - used;
    let richer = [Detail::Full, Detail::NoDiffs]
        .into_iter()
        .filter(|richer| *richer < detail);
    for (group, section) in review.groups.iter().zip(&mut sections) {
        for level in richer.clone() {
            let upgraded = group_section(group, level);
            if upgraded.len() <= section.len() + spare {
                spare = spare + section.len() - upgraded.len();
                *section = upgraded;
                break;
            }
        }
    }
    Some(sections)
}

/// The counts table with as many groups as fit in `budget`, then a line for the others.
pub(super) fn first_groups(review: &Review<'_>, budget: usize) -> String {
    let groups = &review.groups;
    // What the groups from each index on add up to, for the line that stands for them.
    let mut rest = vec![ActionCounts::default(); groups.len() + 1];
    for index in (0..groups.len()).rev() {
        rest[index] = rest[index + 1];
        rest[index].merge(&groups[index].counts);
    }
    let left_out = |shown: usize| match groups.len() - shown {
        0 => String::new(),
        n => format!(
            "… and {} ({}).\n\n",
            count(n, "more tenant"),
            rest[shown].describe()
        ),
    };
    let mut out = degradation_note(Detail::FirstGroups);
    out.push_str("### Changes by tenant\n\n");
    let outputs = outputs_section(&review.outputs, Detail::Counts);
    let room = budget.saturating_sub(out.len() + COUNTS_HEADER.len() + outputs.len() + 1);
    let mut rows = String::new();
    let mut shown = 0;
    for group in groups {
        let row = counts_row(group);
        if rows.len() + row.len() + left_out(shown + 1).len() > room {
            break;
        }
        rows.push_str(&row);
        shown += 1;
    }
    if shown > 0 {
        out.push_str(COUNTS_HEADER);
        out.push_str(&rows);
        out.push('\n');
    }
    out.push_str(&left_out(shown));
    out.push_str(&outputs);
    out
}

fn degradation_note(detail: Detail) -> String {
    let left_out = match detail {
        Detail::Full => return String::new(),
        Detail::NoDiffs => "the diffs of long texts from the sections with no room for them",
        Detail::Addresses => "the changed attributes from the sections with no room for them",
        Detail::Counts => "the changed instances (each tenant shows its counts)",
        Detail::FirstGroups => {
            "the changed instances (each tenant shows its counts) and some tenants"
        }
    };
    format!(
        "> [!NOTE]\n> Shortened to fit a GitHub comment: left out {left_out}. \
         `tenantform show PLANFILE` shows the whole plan.\n\n"
    )
}

const COUNTS_HEADER: &str = "| tenant | changes |\n|---|---|\n";

fn group_name(group: &Group<'_>) -> String {
    match group.tenant {
        Some(tenant) => shorten(tenant, NAME_LIMIT).into_owned(),
        None => "shared".into(),
    }
}

fn lifecycle_word(group: &Group<'_>) -> &'static str {
    match group.lifecycle {
        Lifecycle::Onboarding => "onboarding: ",
        Lifecycle::Offboarding => "offboarding: ",
        Lifecycle::Changing => "",
    }
}

fn counts_row(group: &Group<'_>) -> String {
    let name = match group.tenant {
        Some(_) => table_code(&group_name(group)),
        None => "**shared**".into(),
    };
    format!(
        "| {name} | {}{} |\n",
        lifecycle_word(group),
        group.counts.describe()
    )
}

/// `<details>` with the group's summary line and its instances.
fn group_section(group: &Group<'_>, detail: Detail) -> String {
    let name = match group.tenant {
        Some(_) => format!("tenant <code>{}</code>", html(&group_name(group))),
        None => "shared (outside tenant modules)".into(),
    };
    let mut out = format!(
        "<details><summary><b>{name}</b>: {}{}</summary>\n\n",
        lifecycle_word(group),
        html(&group.counts.describe())
    );
    for change in &group.changes {
        out.push_str(&instance(change, detail));
    }
    if detail == Detail::Addresses {
        out.push('\n');
    }
    out.push_str("</details>\n\n");
    out
}
