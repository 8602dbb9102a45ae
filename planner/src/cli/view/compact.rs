//! `-compact-warnings`: warnings shown as Terraform's compact list of their summaries, one
//! entry per distinct summary with where it occurs, instead of every warning in full.

use crate::diags::{Diagnostic, Diagnostics};

/// The compact form of `warnings` (all of them warnings), with its surrounding blank lines
/// and closing hint.
pub(super) fn compact_warnings(warnings: &Diagnostics, color: bool) -> String {
    let heading = if color {
        "\x1b[1m\x1b[33mWarnings:\x1b[0m\n\n"
    } else {
        "Warnings:\n\n"
    };
    let mut text = format!("\n{heading}");
    for group in grouped(warnings) {
        text.push_str(&format!("- {}\n", group[0].summary));
        match (&group[0].range, group.len()) {
            (Some(range), 1) => {
                text.push_str(&format!(
                    "  on {} line {}\n",
                    range.filename, range.start.line
                ));
            }
            (Some(range), n) => text.push_str(&format!(
                "  on {} line {} (and {} more)\n",
                range.filename,
                range.start.line,
                n - 1
            )),
            (None, 1) => {}
            (None, n) => text.push_str(&format!("  ({n} occurences of this warning)\n")),
        }
    }
    text.push_str("\nTo see the full warning notes, run tenantform without -compact-warnings.\n");
    text
}

/// The warnings grouped by summary, in the order each summary first occurs.
fn grouped(warnings: &Diagnostics) -> Vec<Vec<&Diagnostic>> {
    let mut groups: Vec<Vec<&Diagnostic>> = Vec::new();
    for warning in warnings.iter() {
        match groups.iter_mut().find(|g| g[0].summary == warning.summary) {
            Some(group) => group.push(warning),
            None => groups.push(vec![warning]),
        }
    }
    groups
}
