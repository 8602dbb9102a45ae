//! `tenantform version [-json]`: the program version and platform.

use super::{CommandResult, Ui};
use crate::cli::commands::Command;
use crate::cli::flag_defs;

pub(super) static COMMAND: Command = Command::new(
    "version",
    "[options]",
    "  Displays the version of tenantform.",
    &[flag_defs::JSON],
);

/// The platform in Go's notation, e.g. `linux_amd64`.
pub(super) fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let version = env!("CARGO_PKG_VERSION");
    if parsed.flag("json", false) {
        let doc = serde_json::json!({
            "terraform_version": version,
            "platform": platform(),
            "provider_selections": {},
            "terraform_outdated": false,
        });
        ui.out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    } else {
        ui.out(&format!("tenantform v{version}\non {}\n", platform()));
    }
    Ok(0)
}
