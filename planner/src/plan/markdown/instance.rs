//! One changed instance in a tenant's section: its action line (symbol, word, address, and
//! what else the plan says: moved from, imported from, why), and, with attribute detail, the
//! table of its changed attributes and the diffs of its long texts. Output changes share the
//! table and the diffs.

use std::fmt::Write;

use super::Detail;
use super::attributes::{AttributeRow, Cell, resource_rows};
use super::escape::{code, count, fenced, shorten, table_code};
use super::headline::address;
use crate::plan::{Action, ActionReason, ResourceChange};

/// The longest address, id or attribute path a line shows.
const NAME_LIMIT: usize = 300;

/// One instance: its action line, then (with attribute detail) its changed attributes.
pub(super) fn instance(change: &ResourceChange, detail: Detail) -> String {
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
pub(super) fn rows_table(rows: &[AttributeRow], with_before: bool, first: &str) -> String {
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
pub(super) fn text_diffs(rows: &[AttributeRow], detail: Detail) -> String {
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
