//! The output changes at the end of the comment: a table of values (sensitive outputs
//! masked), a list of names, or their count, by the level of detail.

use std::fmt::Write;

use super::Detail;
use super::attributes::{AttributeRow, output_rows};
use super::escape::{code, count, shorten};
use super::instance::{rows_table, text_diffs};
use crate::plan::{Action, OutputChange};

/// The longest output name a line shows.
const NAME_LIMIT: usize = 300;

/// The output changes: a table of values, a list of names, or their counts.
pub(super) fn outputs_section(outputs: &[&OutputChange], detail: Detail) -> String {
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
