//! `tenantform state pull`: the current state, as the state file holds it (with any
//! journaled changes applied), on stdout.

use super::super::args::{self, Flag};
use super::{CommandResult, Failure, Ui, read_existing, store_for};
use crate::state::format_v4;

pub const USAGE: &str = "Usage: tenantform [global options] state pull [options]

  Pull the state from its location, upgrade the local copy, and output it
  to stdout.

  This command \"pulls\" the current state and outputs it to stdout.
  As part of this process, tenantform will upgrade the state format of the
  local copy to the current version.

Options:

  -state=statefile    Path to the state file to read. Defaults to
                      \"terraform.tfstate\" in the working directory.
";

pub fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = args::parse(
        args,
        &[
            Flag::value("state"),
            Flag::repeated("var"),
            Flag::repeated("var-file"),
            Flag::bool("no-color"),
        ],
    )
    .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    parsed
        .at_most(0, "Expected no positional arguments.")
        .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    let store = store_for(&parsed)?;
    if let Some(state) = read_existing(store.as_ref())? {
        let mut text = String::from_utf8_lossy(&format_v4::serialize(&state)).into_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        ui.out(&text);
    }
    Ok(0)
}
