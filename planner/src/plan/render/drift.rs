//! The drift part of the human-readable plan: objects the refresh found changed or deleted
//! outside of tenantform, and the whole of a refresh-only plan, worded as Terraform words
//! them (wrapped at 78 columns, as Terraform wraps when not writing to a terminal).

use super::{Schemas, bold, render_outputs, render_with_header, schema_block};
use crate::plan::{Action, OutputChange, Plan, ResourceChange};

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
        out.push_str(&render_outputs(outputs, color));
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

/// "Objects have changed outside of tenantform" and one block per drifted object.
fn drift_section(drift: &[ResourceChange], schemas: &Schemas, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\n{} {}\n\n",
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

fn horizontal_rule() -> String {
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
}
