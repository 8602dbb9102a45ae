//! The drift part of the human-readable plan: objects the refresh found changed or deleted
//! outside of tenantform, and the whole of a refresh-only plan, worded as Terraform words
//! them (wrapped at 78 columns, as Terraform wraps when not writing to a terminal).

use std::collections::HashMap;

use tenantform_proto::value::{PathStep, Value};

use super::{Schemas, bold, render_outputs, render_with_header, schema_block};
use crate::addrs::{InstanceAddr, ResourceMode};
use crate::plan::{Action, OutputChange, Plan, PlanMode, RelevantAttribute, ResourceChange};

/// The width Terraform wraps its messages at when the output is not a terminal.
const COLUMNS: usize = 78;

/// A refresh-only plan: the drift it would record and the output changes, or a note that
/// nothing changed.
pub(super) fn render_refresh_only(
    plan: &Plan,
    outputs: &[&OutputChange],
    schemas: &Schemas,
    color: bool,
) -> String {
    let mut out = String::new();
    if !plan.drift.is_empty() {
        out.push_str(&drift_section(&plan.drift, schemas, color));
        out.push_str(&wrap(
            "\n\nThis is a refresh-only plan, so tenantform will not take any actions to \
             undo these. If you were expecting these changes then you can apply this plan to \
             record the updated values in the tenantform state without changing any remote \
             objects.",
        ));
        out.push('\n');
    }
    if !outputs.is_empty() {
        if !plan.drift.is_empty() {
            out.push_str(&horizontal_rule());
        }
        out.push_str(&render_outputs(
            outputs,
            super::output_name_width(plan),
            color,
        ));
        out.push_str(&wrap(
            "\nYou can apply this plan to save these new output values to the tenantform \
             state, without changing any real infrastructure.",
        ));
        out.push('\n');
    }
    if plan.drift.is_empty() && outputs.is_empty() {
        out.push_str(&bold("\nNo changes.", color));
        out.push_str(" Your infrastructure still matches the configuration.\n\n");
        out.push_str(&wrap(
            "tenantform has checked that the real remote objects still match the result of \
             your most recent changes, and found no differences.",
        ));
        out.push('\n');
    }
    out
}

/// The drift note of a normal or destroy plan: the drifted objects whose relevant
/// attributes changed, showing only those attributes as changed, then the warning that the
/// plan may undo them and a horizontal rule. `None` when there is no such drift or when the
/// plan changes nothing (Terraform then shows no drift at all).
pub(super) fn drift_note(plan: &Plan, schemas: &Schemas, color: bool) -> Option<String> {
    if changes_nothing(plan) {
        return None;
    }
    let relevant = relevant_paths(&plan.relevant_attributes);
    let shown: Vec<ResourceChange> = plan
        .drift
        .iter()
        .filter(|drift| drift.action != Action::NoOp)
        .filter_map(|drift| relevant_part(drift, relevant.get(&drift.addr)?))
        .collect();
    if shown.is_empty() {
        return None;
    }
    let mut out = drift_section(&shown, schemas, color);
    out.push_str(&wrap(
        "\n\nUnless you have made equivalent changes to your configuration, or ignored the \
         relevant attributes using ignore_changes, the following plan may include actions to \
         undo or respond to these changes.",
    ));
    out.push('\n');
    out.push_str(&horizontal_rule());
    Some(out)
}

/// The "No changes." text of a normal or destroy plan that changes nothing, after a drift
/// note when one was shown. Lines break where Terraform breaks them (before its name becomes
/// ours), as in the plain "No changes." message.
pub(super) fn render_no_changes(plan: &Plan, drift_shown: bool, color: bool) -> String {
    let (headline, message) = match (plan.mode, drift_shown, plan.is_empty()) {
        (PlanMode::Destroy, ..) => (
            " No objects need to be destroyed.",
            "Either you have not created any objects yet or the existing objects were \
             already deleted outside of Terraform.",
        ),
        (_, false, _) => (
            " Your infrastructure matches the configuration.",
            "Terraform has compared your real infrastructure against your configuration and \
             found no differences, so no changes are needed.",
        ),
        (_, true, false) => (
            " Your infrastructure matches the configuration.",
            "Your configuration already matches the changes detected above, so applying this \
             plan will only update the state to include the changes detected above and won't \
             change any real infrastructure.",
        ),
        (_, true, true) => (
            " Your infrastructure matches the configuration.",
            "Your configuration already matches the changes detected above. If you'd like to \
             update the Terraform state to match, create and apply a refresh-only plan:\n  \
             terraform apply -refresh-only",
        ),
    };
    let message = wrap(message)
        .replace("Terraform", "tenantform")
        .replace("terraform apply", "tenantform apply");
    format!("{}{headline}\n\n{message}\n", bold("No changes.", color))
}

/// True when no resource instance changes or moves and no output changes (Terraform's
/// `diffs.Empty`, over the changes the JSON plan lists).
fn changes_nothing(plan: &Plan) -> bool {
    let listed = plan.changes.iter().filter(|c| {
        !(c.addr.resource.mode == ResourceMode::Data
            && matches!(c.action, Action::Delete | Action::NoOp))
    });
    listed
        .map(|c| c.as_shown(plan.mode))
        .all(|c| c.action == Action::NoOp && c.previous_address.is_none())
        && plan.outputs.iter().all(|o| o.action == Action::NoOp)
}

/// The drift of one object as a normal plan shows it: only when the plan refers to it, with
/// the parts the plan does not refer to shown unchanged (at their stored values); `None`
/// when none of the relevant parts changed. A deleted object is shown whole.
fn relevant_part(drift: &ResourceChange, paths: &[&[PathStep]]) -> Option<ResourceChange> {
    if paths.is_empty() {
        return None;
    }
    let mut shown = drift.clone();
    if !drift.planned.is_null() {
        shown.planned = std::sync::Arc::new(keep_relevant(&drift.prior, &drift.planned, paths));
        if shown.planned == shown.prior {
            return None;
        }
    }
    Some(shown)
}

/// The relevant attributes' paths by instance, each instance's in the plan's order (one
/// pass: a fleet has thousands of drifted objects and of relevant attributes).
fn relevant_paths(relevant: &[RelevantAttribute]) -> HashMap<&InstanceAddr, Vec<&[PathStep]>> {
    let mut paths: HashMap<&InstanceAddr, Vec<&[PathStep]>> = HashMap::new();
    for attribute in relevant {
        paths
            .entry(&attribute.resource)
            .or_default()
            .push(attribute.attribute.0.as_slice());
    }
    paths
}

/// `planned` with every part no path reaches put back to its `prior` value (Terraform's
/// relevant-attribute matcher): a path ending at a part makes all of it relevant.
fn keep_relevant(prior: &Value, planned: &Value, paths: &[&[PathStep]]) -> Value {
    if paths.is_empty() {
        return prior.clone();
    }
    if paths.iter().any(|path| path.is_empty()) {
        return planned.clone();
    }
    let below = |step: &PathStep| -> Vec<&[PathStep]> {
        paths
            .iter()
            .filter(|path| same_step(&path[0], step))
            .map(|path| &path[1..])
            .collect()
    };
    match (prior, planned) {
        (Value::Object(before), Value::Object(after)) => Value::Object(
            after
                .iter()
                .map(|(name, value)| {
                    let before = before.get(name).unwrap_or(&Value::Null);
                    let step = PathStep::Attribute(name.clone());
                    (name.clone(), keep_relevant(before, value, &below(&step)))
                })
                .collect(),
        ),
        (Value::Map(before), Value::Map(after)) => {
            let keys: std::collections::BTreeSet<&String> =
                before.keys().chain(after.keys()).collect();
            let mut kept = std::collections::BTreeMap::new();
            for key in keys {
                let inner = below(&PathStep::StringKey(key.clone()));
                let source = if inner.is_empty() { before } else { after };
                if let Some(value) = source.get(key) {
                    let before = before.get(key).unwrap_or(&Value::Null);
                    kept.insert(key.clone(), keep_relevant(before, value, &inner));
                }
            }
            Value::Map(kept)
        }
        (Value::List(before), Value::List(after)) if before.len() == after.len() => Value::List(
            before
                .iter()
                .zip(after)
                .enumerate()
                .map(|(index, (before, after))| {
                    let step = PathStep::IntKey(i64::try_from(index).unwrap_or(i64::MAX));
                    keep_relevant(before, after, &below(&step))
                })
                .collect(),
        ),
        _ => planned.clone(),
    }
}

/// True when two path steps select the same part: names and string keys compare as text.
fn same_step(a: &PathStep, b: &PathStep) -> bool {
    match (a, b) {
        (PathStep::IntKey(a), PathStep::IntKey(b)) => a == b,
        (
            PathStep::Attribute(a) | PathStep::StringKey(a),
            PathStep::Attribute(b) | PathStep::StringKey(b),
        ) => a == b,
        _ => false,
    }
}

/// "Objects have changed outside of tenantform" and one block per drifted object. It opens
/// the plan text, right after the blank line the CLI prints.
fn drift_section(drift: &[ResourceChange], schemas: &Schemas, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} {}\n\n",
        bold("Note:", color),
        bold("Objects have changed outside of tenantform", color)
    ));
    out.push_str(&wrap(
        "tenantform detected the following changes made outside of tenantform since the \
         last \"tenantform apply\" which may have affected this plan:\n",
    ));
    for change in drift {
        out.push('\n');
        let block = schema_block(schemas, change);
        out.push_str(&render_with_header(
            change,
            drift_header(change),
            block,
            color,
        ));
    }
    out
}

/// The comment above a drifted object: Terraform's "has changed", "has been deleted" or,
/// for an object that only moved, "has moved to".
fn drift_header(change: &ResourceChange) -> Vec<String> {
    let addr = &change.addr;
    let previous = change.previous_address.as_ref();
    let mut lines = match (change.action, previous) {
        (Action::NoOp, Some(previous)) => return vec![format!("{previous} has moved to {addr}")],
        (Action::Delete, _) => vec![format!("{addr} has been deleted")],
        _ => vec![format!("{addr} has changed")],
    };
    if let Some(previous) = previous {
        lines.push(format!("(moved from {previous})"));
    }
    lines
}

/// A blank line, then the rule Terraform draws across the output's width.
pub(crate) fn horizontal_rule() -> String {
    format!("\n{}\n", "─".repeat(COLUMNS - 1))
}

/// Wraps each line of `text` at [`COLUMNS`], breaking between words.
pub(super) fn wrap(text: &str) -> String {
    text.split('\n')
        .map(wrap_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_line(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for word in line.split(' ') {
        let length = word.chars().count();
        if width > 0 && width + 1 + length > COLUMNS {
            out.push('\n');
            width = 0;
        } else if width > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(word);
        width += length;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_between_words_at_78_columns() {
        let text = "tenantform has checked that the real remote objects still match the result \
                    of your most recent changes, and found no differences.";
        let wrapped = wrap(text);
        assert_eq!(
            wrapped,
            "tenantform has checked that the real remote objects still match the result of\n\
             your most recent changes, and found no differences."
        );
        assert!(wrapped.lines().all(|line| line.chars().count() <= COLUMNS));
        assert_eq!(wrap("a\n\nb"), "a\n\nb");
    }

    fn map(entries: &[(&str, &str)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), Value::string(*v)))
                .collect(),
        )
    }

    #[test]
    fn relevant_paths_are_grouped_by_instance_in_the_plans_order() {
        let attribute = |addr: &str, name: &str| RelevantAttribute {
            resource: crate::test_support::instance_addr(addr),
            attribute: tenantform_proto::value::AttributePath(vec![PathStep::Attribute(
                name.into(),
            )]),
        };
        let relevant = [
            attribute("tenant.a", "tier"),
            attribute("tenant.b", "labels"),
            attribute("tenant.a", "name"),
        ];
        let paths = relevant_paths(&relevant);
        let names = |addr: &str| -> Vec<String> {
            paths[&crate::test_support::instance_addr(addr)]
                .iter()
                .map(|path| format!("{path:?}"))
                .collect()
        };
        assert_eq!(paths.len(), 2);
        assert_eq!(
            names("tenant.a"),
            [
                format!("{:?}", [PathStep::Attribute("tier".into())]),
                format!("{:?}", [PathStep::Attribute("name".into())]),
            ]
        );
        assert_eq!(names("tenant.b").len(), 1);
    }

    #[test]
    fn only_the_parts_a_path_reaches_keep_their_drift() {
        let prior = Value::Object(
            [
                ("labels".to_string(), map(&[("team", "a"), ("env", "prod")])),
                ("tier".to_string(), Value::string("free")),
            ]
            .into(),
        );
        let planned = Value::Object(
            [
                ("labels".to_string(), map(&[("team", "b"), ("cost", "x")])),
                ("tier".to_string(), Value::string("pro")),
            ]
            .into(),
        );
        let team = [
            PathStep::Attribute("labels".into()),
            PathStep::StringKey("team".into()),
        ];
        let kept = keep_relevant(&prior, &planned, &[&team]);
        let expected = Value::Object(
            [
                ("labels".to_string(), map(&[("team", "b"), ("env", "prod")])),
                ("tier".to_string(), Value::string("free")),
            ]
            .into(),
        );
        assert_eq!(kept, expected);
        assert_eq!(keep_relevant(&prior, &planned, &[&[]]), planned);
        assert_eq!(keep_relevant(&prior, &planned, &[]), prior);
    }
}
