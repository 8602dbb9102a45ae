//! `tenantform validate [-json]`: checks the configuration (variable declarations included)
//! against the providers' schemas, without state or remote calls that change anything.
//! `-json` prints Terraform's machine-readable report with every diagnostic's range and
//! snippet.

use super::args::Flag;
use super::commands::Command;
use super::flag_defs;
use super::{CommandResult, Failure, Ui, common};
use crate::diags::validate_report;
use crate::{engine, variables};

pub(super) static COMMAND: Command = Command {
    name: "validate",
    arguments: "[options]",
    about: "  Validate the configuration files in a directory, referring only to the
  configuration and not accessing any remote services such as remote state,
  provider APIs, etc.",
    flags: &[
        Flag::bool(
            "json",
            "Produce output in a machine-readable JSON format, suitable for use in text \
             editor integrations and other automated systems. Always disables color.",
        ),
        flag_defs::NO_COLOR,
    ],
    refused: &["no-tests", "test-directory", "query", "var", "var-file"],
};

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "")?;
    let as_json = parsed.flag("json", false);
    let outcome = async {
        let config = common::load_config()?;
        let declarations = variables::check_declarations(&config);
        if declarations.has_errors() {
            return Ok((declarations, config.sources));
        }
        let workspace = super::workspace::current()?;
        let providers = common::start_providers(&config).await?;
        let mut diags = declarations;
        diags.extend(engine::validate_in_workspace(&config, &providers, &workspace).await);
        common::close_providers(&providers).await;
        Ok::<_, Failure>((diags, config.sources))
    }
    .await;
    let (diags, sources) = match outcome {
        Ok(found) => found,
        Err(Failure::Diags(diags, sources)) => (diags, sources),
        Err(usage) => return Err(usage),
    };
    if as_json {
        let report =
            serde_json::to_string_pretty(&validate_report(&diags, &sources)).unwrap_or_default();
        ui.out(&format!("{report}\n"));
        return Ok(i32::from(diags.has_errors()));
    }
    if diags.has_errors() {
        return Err(Failure::Diags(diags, sources));
    }
    ui.diags(&diags, &sources);
    ui.out(&format!(
        "{} The configuration is valid.\n",
        ui.green("Success!")
    ));
    Ok(0)
}
