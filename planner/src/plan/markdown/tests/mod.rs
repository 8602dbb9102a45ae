//! Unit tests of the pull-request comment: grouping by tenant, degradation under the size
//! limit, masking of sensitive values, escaping, and a snapshot of a mixed plan.

mod attributes;
mod degradation;
mod escaping;
mod grouping;
mod headline;
mod masking;
mod snapshot;
mod structure;

use tenantform_proto::value::{AttributePath, Value};

use super::COMMENT_LIMIT as COMMENT;
use super::budget::{Fitted, fit};
use super::{Detail, Review};
use crate::plan::{Action, OutputChange, Plan, ResourceChange};
use crate::test_support::{obj, resource_change, s};

/// A change of `addr`; the values are objects (or null).
fn change(addr: &str, action: Action, prior: Value, planned: Value) -> ResourceChange {
    resource_change(addr, action, prior, planned)
}

/// A tenant object named `name`.
fn tenant(name: &str) -> Value {
    obj(&[("id", s(&format!("id-{name}"))), ("display_name", s(name))])
}

/// `change` with these attributes sensitive.
fn with_sensitive(mut change: ResourceChange, attributes: &[&str]) -> ResourceChange {
    change.sensitive_paths = attributes.iter().map(|a| AttributePath::attr(a)).collect();
    change
}

fn output(
    name: &str,
    action: Action,
    before: Value,
    after: Value,
    sensitive: bool,
) -> OutputChange {
    OutputChange {
        name: name.into(),
        action,
        before,
        after,
        sensitive,
    }
}

fn plan_of(changes: Vec<ResourceChange>, outputs: Vec<OutputChange>) -> Plan {
    Plan {
        changes,
        outputs,
        ..Plan::default()
    }
}

/// The comment of `plan` within `limit` bytes.
fn fitted(plan: &Plan, limit: usize) -> Fitted {
    fit(&Review::of(plan), limit)
}

/// The headline's counts table as `(kind, count)` pairs.
fn headline_counts(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("| create |"))
        .unwrap_or_else(|| panic!("no counts table in:\n{text}"));
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('|')
            .split('|')
            .map(|c| c.trim().replace(',', ""))
            .collect()
    };
    cells(lines[header])
        .into_iter()
        .zip(cells(lines[header + 2]))
        .map(|(kind, count)| (kind, count.parse().expect("a count")))
        .collect()
}

fn count_of(text: &str, kind: &str) -> usize {
    headline_counts(text)
        .into_iter()
        .find(|(k, _)| k == kind)
        .map(|(_, count)| count)
        .unwrap_or_else(|| panic!("no {kind} count"))
}

fn assert_detail(fitted: &Fitted, detail: Detail) {
    assert_eq!(fitted.detail, detail, "{}", fitted.text);
}
