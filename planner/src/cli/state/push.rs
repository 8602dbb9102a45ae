//! `tenantform state push [options] PATH`: replaces the stored state with a state file (or
//! standard input for `-`), through the configuration's state store, under the state lock.
//! As Terraform's, it refuses a state of another lineage or an older serial over a
//! non-empty state unless `-force`, and writes the pushed lineage and serial unchanged.

use std::io::Read;

use super::super::args::Flag;
use super::rm::lock_unless_disabled;
use super::{CommandResult, Ui, common, read_existing};
use crate::cli::commands::Command;
use crate::cli::flag_defs;
use crate::state::{State, StateStore, format_v4};

pub(super) static COMMAND: Command = Command {
    name: "state push",
    arguments: "[options] PATH",
    about: "  Update remote state from a local state file at PATH.

  This command \"pushes\" a local state and overwrites remote state
  with a local state file. The command will protect you against writing
  an older serial or a different state file lineage unless you specify the
  \"-force\" flag.

  If PATH is \"-\", then this command will read the state to push from stdin.",
    flags: &[
        Flag::bool(
            "force",
            "Write the state even if lineages don't match or the remote serial is higher.",
        ),
        flag_defs::LOCK,
        flag_defs::LOCK_TIMEOUT,
        flag_defs::IGNORE_REMOTE_VERSION,
        flag_defs::NO_COLOR,
    ],
    refused: &["var", "var-file"],
};

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let [path] = parsed.positional.as_slice() else {
        return Err(crate::cli::Failure::error(
            "Required argument missing",
            "Exactly one argument expected: the path to a Terraform state file.",
        ));
    };
    let pushed = match read_source(path) {
        Ok(state) => state,
        Err(message) => {
            ui.err(&format!("{message}\n"));
            return Ok(1);
        }
    };
    let store = common::store()?;
    let _lock = lock_unless_disabled(store.as_ref(), &parsed, "OperationTypeInvalid", &COMMAND)?;
    let existing = read_existing(store.as_ref())?;
    if !parsed.flag("force", false)
        && let Err(reason) = check_valid_import(&pushed, existing.as_ref())
    {
        ui.err(&format!("Failed to write state: {reason}\n"));
        return Ok(1);
    }
    if let Err(err) = store.replace(&pushed) {
        ui.err(&format!("Failed to write state: {err}\n"));
        return Ok(1);
    }
    Ok(0)
}

/// The state at `path` (standard input for `-`), or Terraform's message.
fn read_source(path: &str) -> Result<State, String> {
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path)
            .map_err(|err| format!("open {path}: {}", go_error_text(&err)))?
            .read_to_end(&mut bytes)
            .map(|_| ())
    };
    let unreadable = |reason: String| format!("Error reading source state {path:?}: {reason}");
    read.map_err(|err| unreadable(err.to_string()))?;
    match format_v4::parse(&bytes, path) {
        Ok(Some(state)) => Ok(state),
        Ok(None) => Err(unreadable("no state".into())),
        Err(err) => Err(unreadable(err.to_string())),
    }
}

/// Go's wording of the usual file errors.
fn go_error_text(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

/// Terraform's `CheckValidImport`: any state may replace an empty one; otherwise the pushed
/// state must share the lineage and have a newer serial (or the same serial and content).
fn check_valid_import(pushed: &State, existing: Option<&State>) -> Result<(), String> {
    let Some(existing) = existing.filter(|e| !e.is_empty()) else {
        return Ok(());
    };
    if pushed.lineage.is_empty() || existing.lineage.is_empty() {
        return Ok(());
    }
    if pushed.lineage != existing.lineage {
        return Err(format!(
            "cannot import state with lineage {:?} over unrelated state with lineage {:?}",
            pushed.lineage, existing.lineage
        ));
    }
    match pushed.serial.cmp(&existing.serial) {
        std::cmp::Ordering::Greater => Ok(()),
        std::cmp::Ordering::Equal if pushed.same_content(existing) => Ok(()),
        std::cmp::Ordering::Equal => Err(format!(
            "cannot overwrite existing state with serial {} with a different state that has \
             the same serial",
            pushed.serial
        )),
        std::cmp::Ordering::Less => Err(format!(
            "cannot import state with serial {} over newer state with serial {}",
            pushed.serial, existing.serial
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::OutputState;

    fn state(lineage: &str, serial: u64, output: &str) -> State {
        let mut state = State {
            lineage: lineage.into(),
            serial,
            ..State::new()
        };
        state.outputs.insert(
            "o".into(),
            OutputState {
                value: crate::state::StoredJson::from_json(&serde_json::json!(output)),
                ty: serde_json::json!("string"),
                sensitive: false,
            },
        );
        state
    }

    #[test]
    fn lineage_and_serial_are_checked_as_terraform_checks_them() {
        let existing = state("l1", 5, "a");
        assert_eq!(
            check_valid_import(&state("l1", 6, "b"), Some(&existing)),
            Ok(())
        );
        assert_eq!(
            check_valid_import(&state("l1", 5, "a"), Some(&existing)),
            Ok(())
        );
        assert_eq!(
            check_valid_import(&state("l2", 9, "b"), Some(&existing)).unwrap_err(),
            "cannot import state with lineage \"l2\" over unrelated state with lineage \"l1\""
        );
        assert_eq!(
            check_valid_import(&state("l1", 4, "b"), Some(&existing)).unwrap_err(),
            "cannot import state with serial 4 over newer state with serial 5"
        );
        assert!(
            check_valid_import(&state("l1", 5, "b"), Some(&existing))
                .unwrap_err()
                .contains("same serial")
        );
        let empty = State::new();
        assert_eq!(
            check_valid_import(&state("l2", 1, "b"), Some(&empty)),
            Ok(())
        );
        assert_eq!(check_valid_import(&state("l2", 1, "b"), None), Ok(()));
    }
}
