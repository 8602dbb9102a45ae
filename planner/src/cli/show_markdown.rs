//! `tenantform show -markdown PLANFILE`: a saved plan as a pull-request comment (see
//! [`crate::plan::markdown`]). Not a Terraform flag: tenantform's own.

use std::path::Path;

use super::args::Flag;
use super::{CommandResult, Failure, Ui};
use crate::plan::markdown::render_markdown;
use crate::plan::planfile::PlanFile;

pub(super) const MARKDOWN: Flag = Flag::bool(
    "markdown",
    "If specified, output the saved plan as a pull-request comment in GitHub-flavoured \
     Markdown, grouped by tenant (at most 65,536 characters). Requires a plan file.",
);

/// Prints the comment for the plan file `path`; `-json` and a missing plan file are errors.
pub(super) fn run(ui: &Ui, path: Option<&String>, as_json: bool) -> CommandResult {
    if as_json {
        return Err(Failure::error(
            "Incompatible command-line options",
            "The -markdown and -json options cannot be used together: choose one output format.",
        ));
    }
    let Some(path) = path else {
        return Err(Failure::error(
            "Plan file required",
            "The -markdown option shows a saved plan: give the plan file, as in \
             \"tenantform show -markdown tfplan\".",
        ));
    };
    let read_failure = |e: &dyn std::fmt::Display| {
        Failure::error(
            "Failed to read the given file as a plan file",
            e.to_string(),
        )
    };
    let file = PlanFile::read(Path::new(path)).map_err(|e| read_failure(&e))?;
    let plan = file.to_plan(path).map_err(|e| read_failure(&e))?;
    ui.out(&render_markdown(&plan));
    Ok(0)
}
