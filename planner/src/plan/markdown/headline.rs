//! The top of the comment, always complete: the title, Terraform's `Plan:` line, the count of
//! every kind of change, the tenants concerned; then the alerts that need a reviewer's eye
//! first (GitHub's `> [!CAUTION]` for deletions and offboardings, `> [!WARNING]` for
//! replacements and targeted plans, `> [!NOTE]` for onboardings and drift), each list
//! capped in size.

use std::fmt::Write;

use super::Review;
use super::escape::{code, count, number, shorten};
use super::grouping::{Group, Lifecycle};
use crate::plan::{Action, PlanMode, ResourceChange};

/// The most bytes one alert's list takes before "… and N more".
const ALERT_LIST_LIMIT: usize = 8_000;
/// The longest address or key an alert shows.
const NAME_LIMIT: usize = 300;

/// The marker that lets a CI job find (and replace) its previous comment.
pub(super) const MARKER: &str = "<!-- tenantform show -markdown -->";

/// Title, summary line, counts table and tenants line.
pub(super) fn headline(review: &Review<'_>) -> String {
    let mut out = format!("{MARKER}\n");
    let title = match review.mode {
        PlanMode::Normal => "tenantform plan",
        PlanMode::Destroy => "tenantform destroy plan",
        PlanMode::RefreshOnly => "tenantform refresh-only plan",
    };
    let _ = writeln!(out, "## {title}\n");
    if review.mode == PlanMode::RefreshOnly {
        let _ = writeln!(
            out,
            "**{} changed outside of tenantform.** Applying this plan records the changes \
             in the state; it changes no infrastructure.\n",
            count(review.drifted.len(), "object")
        );
        return out;
    }
    if review.counts.is_empty() && review.outputs.is_empty() {
        out.push_str("**No changes.** Your infrastructure matches the configuration.\n\n");
        return out;
    }
    let terraform = &review.terraform;
    let imports = match terraform.import {
        0 => String::new(),
        n => format!("{} to import, ", number(n)),
    };
    let _ = writeln!(
        out,
        "**Plan:** {imports}{} to add, {} to change, {} to destroy.\n",
        number(terraform.add),
        number(terraform.change),
        number(terraform.destroy)
    );
    out.push_str(&counts_table(review));
    out.push_str(&scope_line(review));
    out
}

fn counts_table(review: &Review<'_>) -> String {
    let kinds = review.counts.by_kind();
    let mut out = String::from("|");
    for (kind, _) in &kinds {
        let _ = write!(out, " {kind} |");
    }
    out.push_str("\n|");
    out.push_str(&"---:|".repeat(kinds.len()));
    out.push_str("\n|");
    for (_, count) in &kinds {
        let _ = write!(out, " {} |", number(*count));
    }
    out.push_str("\n\n");
    out
}

/// `**Tenants:** 3 with changes (1 onboarding, 1 offboarding) · shared: 2 changes · …`
fn scope_line(review: &Review<'_>) -> String {
    let tenants: Vec<&Group<'_>> = review
        .groups
        .iter()
        .filter(|g| g.tenant.is_some())
        .collect();
    let with = |lifecycle| tenants.iter().filter(|g| g.lifecycle == lifecycle).count();
    let mut parts = vec![format!(
        "**Tenants:** {} with changes ({} onboarding, {} offboarding)",
        number(tenants.len()),
        number(with(Lifecycle::Onboarding)),
        number(with(Lifecycle::Offboarding))
    )];
    if let Some(shared) = review.groups.iter().find(|g| g.tenant.is_none()) {
        parts.push(format!("**shared:** {}", shared.counts.describe()));
    }
    if !review.outputs.is_empty() {
        parts.push(format!(
            "**outputs:** {} changed",
            number(review.outputs.len())
        ));
    }
    format!("{}\n\n", parts.join(" · "))
}

/// The alerts: what is destroyed, what is replaced, who is onboarded, what drifted.
pub(super) fn alerts(review: &Review<'_>) -> String {
    let mut out = String::new();
    let offboarded: Vec<&Group<'_>> = review
        .groups
        .iter()
        .filter(|g| g.lifecycle == Lifecycle::Offboarding)
        .collect();
    let deleted: Vec<&ResourceChange> = review
        .groups
        .iter()
        .filter(|g| g.lifecycle != Lifecycle::Offboarding)
        .flat_map(|g| g.changes.iter().map(AsRef::as_ref))
        .filter(|c| c.action == Action::Delete)
        .collect();
    if !offboarded.is_empty() || !deleted.is_empty() {
        let items = offboarded
            .iter()
            .map(|g| offboarding_item(g))
            .chain(deleted.iter().map(|c| format!("`-` {}", address(c))));
        out.push_str(&alert(
            "CAUTION",
            &format!(
                "**Applying this plan deletes {}**{}:",
                count(review.counts.delete, "object"),
                match offboarded.len() {
                    0 => String::new(),
                    n => format!(", offboarding {}", count(n, "tenant")),
                }
            ),
            items,
            offboarded.len() + deleted.len(),
        ));
    }
    let replaced: Vec<&ResourceChange> = review
        .groups
        .iter()
        .flat_map(|g| g.changes.iter().map(AsRef::as_ref))
        .filter(|c| {
            matches!(
                c.action,
                Action::DeleteThenCreate | Action::CreateThenDelete
            )
        })
        .collect();
    if !replaced.is_empty() {
        out.push_str(&alert(
            "WARNING",
            &format!(
                "**Applying this plan replaces {}** (destroyed, then created again):",
                count(replaced.len(), "object")
            ),
            replaced.iter().map(|c| {
                let symbol = match c.action {
                    Action::CreateThenDelete => "+/-",
                    _ => "-/+",
                };
                format!("`{symbol}` {}", address(c))
            }),
            replaced.len(),
        ));
    }
    out.push_str(&notes(review));
    out
}

/// The targeting warning, the onboarding and drift notes.
fn notes(review: &Review<'_>) -> String {
    let mut out = String::new();
    if review.targeted {
        out.push_str(
            "> [!WARNING]\n> **Resource targeting is in effect:** this plan was made with \
             `-target` or `-exclude` and may leave out changes the configuration implies.\n\n",
        );
    }
    let onboarded: Vec<&str> = review
        .groups
        .iter()
        .filter(|g| g.lifecycle == Lifecycle::Onboarding)
        .filter_map(|g| g.tenant)
        .collect();
    if !onboarded.is_empty() {
        out.push_str(&alert(
            "NOTE",
            &format!("**Onboarding {}:**", count(onboarded.len(), "tenant")),
            onboarded.iter().map(|t| code(&shorten(t, NAME_LIMIT))),
            onboarded.len(),
        ));
    }
    if !review.drifted.is_empty() {
        out.push_str(&alert(
            "NOTE",
            &format!(
                "**{} changed outside of tenantform** since the last run:",
                count(review.drifted.len(), "object")
            ),
            review.drifted.iter().map(|c| {
                let word = if c.action == Action::Delete {
                    "deleted"
                } else {
                    "changed"
                };
                format!("{} {word}", address(c))
            }),
            review.drifted.len(),
        ));
    }
    out
}

fn offboarding_item(group: &Group<'_>) -> String {
    format!(
        "tenant {} is offboarded ({} deleted)",
        code(&shorten(group.tenant.unwrap_or_default(), NAME_LIMIT)),
        count(group.counts.delete, "object")
    )
}

/// An instance's address as code, with its deposed key.
pub(super) fn address(change: &ResourceChange) -> String {
    let text = code(&shorten(&change.addr.to_string(), NAME_LIMIT));
    match &change.deposed {
        Some(key) => format!(
            "{text} (deposed object {})",
            code(&shorten(key, NAME_LIMIT))
        ),
        None => text,
    }
}

/// `> [!KIND]`, the lead line and the items as a list, cut to [`ALERT_LIST_LIMIT`] bytes.
fn alert(kind: &str, lead: &str, items: impl Iterator<Item = String>, total: usize) -> String {
    let mut out = format!("> [!{kind}]\n> {lead}\n");
    let mut listed = 0;
    let mut used = 0;
    for item in items {
        let line = format!("> - {item}\n");
        if used + line.len() > ALERT_LIST_LIMIT {
            break;
        }
        used += line.len();
        out.push_str(&line);
        listed += 1;
    }
    if listed < total {
        let _ = writeln!(out, "> - … and {} more", number(total - listed));
    }
    out.push('\n');
    out
}
