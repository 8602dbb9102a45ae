//! `tenantform plan`: shows the changes the configuration requires, optionally saving them
//! to a plan file for `apply`. With `-detailed-exitcode`: 0 no changes, 1 error, 2 changes.

use std::path::Path;

use super::args::Flag;
use super::common::{self, Common};
use super::{CommandResult, Failure, Ui};
use crate::config::Config;
use crate::engine::{self, PlanOptions};
use crate::plan::planfile::PlanFile;
use crate::plan::render::render_plan;
use crate::plan::{Plan, PlanMode};
use crate::providers::Providers;
use crate::state::State;

pub const USAGE: &str = "Usage: tenantform [global options] plan [options]

  Generates a speculative execution plan, showing what actions tenantform
  would take to apply the current configuration.

Options:

  -destroy               Select the \"destroy\" planning mode.
  -refresh-only          Select the \"refresh only\" planning mode.
  -refresh=false         Skip checking for changes made outside tenantform.
  -out=path              Write the plan to the given path.
  -detailed-exitcode     Return 0 for no changes, 1 for errors, 2 for changes.
  -generate-config-out=path
                         Write configuration for the targets of import blocks
                         that have none to the given new file.
  -input=true            Ask for input for variables if not directly set.
  -lock=false            Don't hold a state lock during the operation.
  -lock-timeout=0s       Duration to retry a state lock.
  -no-color              If specified, output won't contain any color.
  -parallelism=n         Limit the number of concurrent operations. Defaults to 10.
  -replace=resource      Force replacement of a particular resource instance.
  -target=resource       Limit the planning operation to only the given module,
                         resource, or resource instance and all of its
                         dependencies. Repeat to target several.
  -var 'foo=bar'         Set a value for one of the input variables.
  -var-file=FILE         Load variable values from the given file.
";

pub const PLAN_FLAGS: &[Flag] = &[
    Flag::bool("destroy"),
    Flag::bool("refresh-only"),
    Flag::bool("refresh"),
    Flag::repeated("target"),
    Flag::repeated("replace"),
];

/// The planning options the flags select besides the mode.
pub struct Planning {
    pub refresh: bool,
    pub targets: Vec<String>,
    pub replace: Vec<crate::addrs::InstanceAddr>,
    /// `-generate-config-out=FILE` (plan only).
    pub generate_config_out: Option<String>,
}

/// Reads `-refresh`, `-target` and `-replace`.
pub fn planning(parsed: &super::args::Parsed, usage: &'static str) -> Result<Planning, Failure> {
    let mut targets = Vec::new();
    for target in parsed.all("target") {
        let valid = target.parse::<crate::addrs::InstanceAddr>().is_ok()
            || format!("{target}.x.y")
                .parse::<crate::addrs::InstanceAddr>()
                .is_ok();
        if !valid {
            return Err(Failure::Usage(format!("Invalid target {target:?}"), usage));
        }
        targets.push(target.trim().to_string());
    }
    let replace = parsed
        .all("replace")
        .iter()
        .map(|text| text.parse())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e: crate::addrs::AddrParseError| Failure::Usage(e.to_string(), usage))?;
    Ok(Planning {
        refresh: parsed.flag("refresh", true),
        targets,
        replace,
        generate_config_out: parsed.last("generate-config-out").map(str::to_string),
    })
}

/// The planning mode the flags select.
pub fn mode(parsed: &super::args::Parsed) -> PlanMode {
    if parsed.flag("destroy", false) {
        PlanMode::Destroy
    } else if parsed.flag("refresh-only", false) {
        PlanMode::RefreshOnly
    } else {
        PlanMode::Normal
    }
}

/// Plans against `state` and prints the plan.
pub async fn make_plan(
    ui: &Ui,
    config: &Config,
    state: &State,
    providers: &Providers,
    common: &Common,
    mode: PlanMode,
    planning: &Planning,
) -> Result<Plan, Failure> {
    let options = PlanOptions {
        mode,
        refresh: planning.refresh,
        parallelism: common.parallelism,
        targets: planning.targets.clone(),
        replace: planning.replace.clone(),
        generate_config: planning.generate_config_out.is_some(),
    };
    let variables = common.resolve_variables(ui, config)?;
    let plan = engine::plan(config, state, providers, &variables, &options)
        .await
        .map_err(|diags| common::with_sources(diags, config))?;
    ui.diags(&plan.warnings, &config.sources);
    ui.out(&format!(
        "\n{}",
        render_plan(&plan, &providers.schemas, ui.color)
    ));
    Ok(plan)
}

pub async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let mut flags = PLAN_FLAGS.to_vec();
    flags.extend([
        Flag::value("out"),
        Flag::bool("detailed-exitcode"),
        Flag::value("generate-config-out"),
    ]);
    let parsed = common::parse(args, &flags, USAGE)?;
    parsed
        .at_most(0, "")
        .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    let common = Common::from(&parsed, USAGE)?;
    let config = common::load_config()?;
    let store = common::store_for(&config)?;
    let _lock = common::lock(&store, &common, "OperationTypePlan")?;
    let state = common::read_state(&store)?;
    let planning = planning(&parsed, USAGE)?;
    if let Some(path) = &planning.generate_config_out {
        super::generated_config::check_target(path)?;
    }
    let providers = common::start_providers(&config).await?;
    let planned = make_plan(
        ui,
        &config,
        &state,
        &providers,
        &common,
        mode(&parsed),
        &planning,
    )
    .await;
    common::close_providers(&providers).await;
    let plan = planned?;
    if let Some(path) = &planning.generate_config_out
        && super::generated_config::write(path, &plan)?
    {
        ui.out(&super::generated_config::written_message(path));
    }
    match parsed.last("out") {
        Some(out) => {
            PlanFile::new(&plan, config.sources.files.clone())
                .write(Path::new(out))
                .map_err(|e| Failure::error("Failed to write plan file", e.to_string()))?;
            ui.out(&format!(
                "\nSaved the plan to: {out}\n\nTo perform exactly these actions, run the following \
                 command to apply:\n    tenantform apply \"{out}\"\n"
            ));
        }
        None if !plan.is_empty() => ui.out(
            "\nNote: You didn't use the -out option to save this plan, so tenantform can't\n\
             guarantee to take exactly these actions if you run \"tenantform apply\" now.\n",
        ),
        None => {}
    }
    let detailed = parsed.flag("detailed-exitcode", false);
    Ok(if detailed && !plan.is_empty() { 2 } else { 0 })
}
