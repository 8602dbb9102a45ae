//! `tenantform show [-json] [PLANFILE]`: the current state, or a saved plan, as text or as
//! Terraform's JSON representations.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::path::Path;

use super::args::Flag;
use super::output::{StateValues, output_values, state_outputs, state_text};
use super::{CommandResult, Failure, Ui, common};
use crate::config;
use crate::plan::json::{TERRAFORM_VERSION, configuration_json, saved_plan_json, state_json};
use crate::plan::planfile::PlanFile;
use crate::plan::render::{Schemas, render_plan};

pub(super) static COMMAND: Command = Command {
    name: "show",
    arguments: "[options] [path]",
    about: "  Reads and outputs the state or a saved plan file in a human-readable form.
  If no path is specified, the current state will be shown.",
    flags: &[
        flag_defs::NO_COLOR,
        Flag::bool(
            "json",
            "If specified, output the state or plan in a machine-readable form.",
        ),
        super::show_markdown::MARKDOWN,
    ],
    refused: &["var", "var-file"],
};

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 1, "Expected at most one positional argument.")?;
    let as_json = parsed.flag("json", false);
    if parsed.flag("markdown", false) {
        return super::show_markdown::run(ui, parsed.positional.first(), as_json);
    }
    match parsed.positional.first() {
        Some(path) => show_plan(ui, path, as_json).await,
        None => show_state(ui, as_json).await,
    }
}

async fn show_state(ui: &Ui, as_json: bool) -> CommandResult {
    let store = common::store()?;
    let state = crate::state::StateStore::read(&store)
        .map_err(|e| common::state_failure(e, "Failed to load state"))?;
    let Some(state) = state else {
        ui.out(if as_json {
            "{\"format_version\":\"1.0\"}\n"
        } else {
            "No state.\n"
        });
        return Ok(0);
    };
    let schemas = super::output::stored_schemas().await?;
    let values = StateValues::of(&state, &schemas);
    if as_json {
        let outputs = output_values(&state);
        let doc = state_json(
            TERRAFORM_VERSION,
            &values.resources(&state),
            state_outputs(&outputs),
        );
        ui.out(&format!("{doc}\n"));
    } else {
        ui.out(&state_text(&state, &values, &schemas));
    }
    Ok(0)
}

async fn show_plan(ui: &Ui, path: &str, as_json: bool) -> CommandResult {
    let file = PlanFile::read(Path::new(path)).map_err(|e| {
        Failure::error(
            "Failed to read the given file as a plan file",
            e.to_string(),
        )
    })?;
    let plan = file.to_plan(path).map_err(|e| {
        Failure::error(
            "Failed to read the given file as a plan file",
            e.to_string(),
        )
    })?;
    if as_json {
        let configuration = saved_configuration(&file).await?;
        ui.out(&format!("{}\n", saved_plan_json(&plan, configuration)));
        return Ok(0);
    }
    // The schemas tell nested blocks from attributes; without them the plan still renders.
    let schemas = match config::load_sources(Path::new("."), file.sources.clone()) {
        Ok(config) => match common::start_providers(&config).await {
            Ok(providers) => {
                let schemas = providers.schemas.clone();
                common::close_providers(&providers).await;
                schemas
            }
            Err(_) => Schemas::new(),
        },
        Err(_) => Schemas::new(),
    };
    ui.out(&format!("\n{}", render_plan(&plan, &schemas, ui.color)));
    for line in plan.scope.shown_lines() {
        ui.out(&format!("\n{line}\n"));
    }
    Ok(0)
}

/// The JSON of the configuration a plan file holds; the providers' schemas tell its
/// attributes from its nested blocks, as in Terraform.
async fn saved_configuration(file: &PlanFile) -> Result<serde_json::Value, Failure> {
    let config = config::load_sources(Path::new("."), file.sources.clone())
        .map_err(|diags| Failure::Diags(diags, crate::diags::Sources::new(file.sources.clone())))?;
    let providers = common::start_providers(&config).await?;
    let configuration = configuration_json(&config, &providers.schemas);
    common::close_providers(&providers).await;
    Ok(configuration)
}
