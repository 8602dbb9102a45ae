//! The body of the comment at a given level of detail: one collapsible section per tenant
//! (and one for what is shared) listing its changed instances, then the output changes; or,
//! at the lowest levels, one table row of counts per tenant.

use std::fmt::Write;

use super::attributes::{AttributeRow, Cell, output_rows, resource_rows};
use super::counts::ActionCounts;
use super::escape::{code, count, fenced, html, shorten, table_code};
use super::grouping::{Group, Lifecycle};
use super::headline::address;
use super::{Detail, Review};
use crate::plan::{Action, ActionReason, OutputChange, ResourceChange};

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

/// One instance: its action line, then (with attribute detail) its changed attributes.
fn instance(change: &ResourceChange, detail: Detail) -> String {
    let line = action_line(change);
    if detail == Detail::Addresses {
        return format!("- {line}\n");
    }
    let mut out = format!("{line}\n\n");
    let rows = resource_rows(change);
    if !rows.is_empty() {
        let one_sided = matches!(change.action, Action::Create | Action::Read);
        out.push_str(&rows_table(&rows, !one_sided, "attribute"));
        out.push_str(&text_diffs(&rows, detail));
    }
    out
}

/// `` `~` **update** `addr` `` with what else the plan says about the instance.
fn action_line(change: &ResourceChange) -> String {
    let (symbol, word) = match change.action {
        Action::Create => ("+", "create"),
        Action::Update => ("~", "update"),
        Action::DeleteThenCreate => ("-/+", "replace"),
        Action::CreateThenDelete => ("+/-", "replace (create before destroy)"),
        Action::Delete => ("-", "delete"),
        Action::Forget => (".", "forget (removed from state, not destroyed)"),
        Action::Read => ("<=", "read"),
        Action::NoOp if change.importing.is_some() => ("<-", "import"),
        Action::NoOp => ("->", "move"),
    };
    let mut out = format!("`{symbol}` **{word}** {}", address(change));
    if let Some(previous) = &change.previous_address {
        let _ = write!(
            out,
            ", moved from {}",
            code(&shorten(&previous.to_string(), NAME_LIMIT))
        );
    }
    if let Some(importing) = &change.importing {
        let _ = write!(
            out,
            ", imported from id {}",
            code(&shorten(&importing.id, NAME_LIMIT))
        );
    }
    if let Some(reason) = change.action_reason.and_then(reason_text) {
        let _ = write!(out, " ({reason})");
    }
    out
}

fn reason_text(reason: ActionReason) -> Option<&'static str> {
    Some(match reason {
        ActionReason::ReplaceBecauseTainted => "tainted",
        ActionReason::ReplaceByRequest => "replacement requested",
        ActionReason::ReplaceByTriggers => "replace_triggered_by",
        ActionReason::DeleteBecauseNoResourceConfig => "not in the configuration",
        ActionReason::DeleteBecauseNoModule => "its module instance is gone",
        ActionReason::DeleteBecauseCountIndex => "index out of range for count",
        ActionReason::DeleteBecauseEachKey => "key not in for_each",
        ActionReason::DeleteBecauseWrongRepetition => "repetition changed",
        ActionReason::DeleteBecauseNoMoveTarget => "moved to an address not in the configuration",
        ActionReason::ReplaceBecauseCannotUpdate
        | ActionReason::ReadBecauseConfigUnknown
        | ActionReason::ReadBecauseDependencyPending
        | ActionReason::ReadBecauseCheckNested => return None,
    })
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Value(text) => table_code(text),
        Cell::Note(text) => format!("*{text}*"),
    }
}

/// The rows as a table: `| attribute | before | after |`, or without `before`.
fn rows_table(rows: &[AttributeRow], with_before: bool, first: &str) -> String {
    let mut out = if with_before {
        format!("| {first} | before | after |\n|---|---|---|\n")
    } else {
        format!("| {first} | value |\n|---|---|\n")
    };
    for row in rows {
        let mut name = table_code(&shorten(&row.path, NAME_LIMIT));
        if row.forces_replacement {
            name.push_str(" **forces replacement**");
        }
        if with_before {
            let _ = writeln!(
                out,
                "| {name} | {} | {} |",
                cell_text(&row.before),
                cell_text(&row.after)
            );
        } else {
            let _ = writeln!(out, "| {name} | {} |", cell_text(&row.after));
        }
    }
    out.push('\n');
    out
}

/// The diffs of the rows' long texts as fenced blocks, or one line saying they are left out.
fn text_diffs(rows: &[AttributeRow], detail: Detail) -> String {
    let diffed: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|row| Some((row.path.as_str(), row.text_diff.as_deref()?)))
        .collect();
    if diffed.is_empty() {
        return String::new();
    }
    if detail != Detail::Full {
        return format!(
            "*Diff of {} left out.*\n\n",
            count(diffed.len(), "long text")
        );
    }
    let mut out = String::new();
    for (path, diff) in diffed {
        let _ = writeln!(out, "{}:\n", code(path));
        out.push_str(&fenced("diff", diff));
        out.push('\n');
    }
    out
}

/// The output changes: a table of values, a list of names, or their counts.
fn outputs_section(outputs: &[&OutputChange], detail: Detail) -> String {
    if outputs.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Outputs\n\n");
    match detail {
        Detail::Full | Detail::NoDiffs => {
            let rows: Vec<AttributeRow> = outputs.iter().flat_map(|o| output_rows(o)).collect();
            out.push_str(&rows_table(&rows, true, "output"));
            out.push_str(&text_diffs(&rows, detail));
        }
        Detail::Addresses => {
            for output in outputs {
                let (symbol, word) = match output.action {
                    Action::Create => ("+", "create"),
                    Action::Delete => ("-", "delete"),
                    _ => ("~", "update"),
                };
                let _ = writeln!(
                    out,
                    "- `{symbol}` **{word}** {}",
                    code(&shorten(&output.name, NAME_LIMIT))
                );
            }
            out.push('\n');
        }
        Detail::Counts | Detail::FirstGroups => {
            let _ = writeln!(out, "{} changed.\n", count(outputs.len(), "output"));
        }
    }
    out
}
