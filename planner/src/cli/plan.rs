//! `tenantform plan`: shows the changes the configuration requires, optionally saving them
//! to a plan file for `apply`. With `-detailed-exitcode`: 0 no changes, 1 error, 2 changes.

use std::path::Path;

use super::commands::Command;
use super::common::{self, Common};
use super::flag_defs;
use super::hooks::ProgressHooks;
use super::{CommandResult, Failure, Ui};
use crate::config::Config;
use crate::engine::{self, PlanOptions};
use crate::plan::planfile::PlanFile;
use crate::plan::{Plan, PlanMode};
use crate::providers::Providers;
use crate::state::State;

pub(super) static COMMAND: Command = Command {
    name: "plan",
    arguments: "[options]",
    about: "  Generates a speculative execution plan, showing what actions tenantform
  would take to apply the current configuration. This command will not
  actually perform the planned actions.

  You can optionally save the plan to a file, which you can then pass to
  the \"apply\" command to perform exactly the actions described in the plan.",
    flags: &flag_defs::joined::<25>(&[
        flag_defs::PLAN_MODE_FLAGS,
        &[
            flag_defs::VAR,
            flag_defs::VAR_FILE,
            flag_defs::DETAILED_EXITCODE,
            flag_defs::INPUT,
            flag_defs::LOCK,
            flag_defs::LOCK_TIMEOUT,
            flag_defs::NO_COLOR,
            flag_defs::OUT,
            flag_defs::GENERATE_CONFIG_OUT,
            flag_defs::PARALLELISM,
            flag_defs::PROVIDER_TIMEOUT,
        ],
        flag_defs::OPERATION_VIEW_FLAGS,
        flag_defs::GATE_FLAGS,
    ]),
    refused: OPERATION_REFUSED,
};

/// The Terraform flags of `plan`, `apply` and `destroy` that tenantform does not implement.
pub(super) const OPERATION_REFUSED: &[&str] = &[
    "state",
    "state-out",
    "backup",
    "allow-deferral",
    "minimal-refresh",
    "invoke",
    "policies",
];

/// The planning options the flags select besides the mode.
pub(super) struct Planning {
    pub refresh: bool,
    pub targets: Vec<String>,
    pub excludes: Vec<String>,
    pub replace: Vec<crate::addrs::InstanceAddr>,
    /// `-generate-config-out=FILE` (plan only).
    pub generate_config_out: Option<String>,
    /// The plan is applied without asking (`apply -auto-approve`): as in Terraform, the
    /// plan's failed `check` assertions are not shown, since the apply checks again.
    pub auto_approved: bool,
    /// `-sweep=K/N`: refresh only one slice of the instances (refresh-only mode only).
    pub sweep: Option<engine::sweep::Sweep>,
    /// `-scope=changed|all` (with the store's instance record once read).
    pub scope: engine::scoped::ScopeRequest,
    /// The plan is only shown (see `PlanOptions::show_only`).
    pub show_only: bool,
    /// The root locals evaluated while the state is read (see `engine/read_ahead.rs`).
    pub read_ahead: Option<engine::read_ahead::ReadAhead>,
}

impl Planning {
    /// Starts evaluating the root locals of `config` that need nothing the state gives, so
    /// that the plan takes them once the state is read.
    pub(super) fn read_ahead(&mut self, config: &Config) {
        if let Ok(workspace) = super::workspace::current() {
            self.read_ahead = Some(engine::read_ahead::ReadAhead::start(config, &workspace));
        }
    }
}

/// Reads `-refresh`, `-target`, `-exclude` and `-replace` (every occurrence of the last
/// three), refusing `-target` with `-exclude` as OpenTofu does.
pub(super) fn planning(
    parsed: &super::args::Parsed,
    command: &'static Command,
) -> Result<Planning, Failure> {
    let targets = targetables(parsed.all("target"), "target", command)?;
    let excludes = targetables(parsed.all("exclude"), "exclude", command)?;
    if !targets.is_empty() && !excludes.is_empty() {
        return Err(Failure::error(
            "Invalid combination of arguments",
            "The target and exclude planning options are mutually-exclusive. Each plan must \
             use either only the target options or only the exclude options.",
        ));
    }
    let replace = parsed
        .all("replace")
        .iter()
        .map(|text| text.parse())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e: crate::addrs::AddrParseError| command.usage_error(e.to_string()))?;
    Ok(Planning {
        refresh: parsed.flag("refresh", true),
        targets,
        excludes,
        replace,
        generate_config_out: parsed.last("generate-config-out").map(str::to_string),
        auto_approved: false,
        sweep: parsed
            .last("sweep")
            .map(engine::sweep::Sweep::parse)
            .transpose()
            .map_err(|message| command.usage_error(message))?,
        scope: super::scope::requested(parsed, command)?,
        show_only: false,
        read_ahead: None,
    })
}

/// Module, resource and instance addresses given to `-target` or `-exclude`.
fn targetables(
    given: &[String],
    flag: &str,
    command: &'static Command,
) -> Result<Vec<String>, Failure> {
    let mut addrs = Vec::new();
    for text in given {
        let valid = text.parse::<crate::addrs::InstanceAddr>().is_ok()
            || format!("{text}.x.y")
                .parse::<crate::addrs::InstanceAddr>()
                .is_ok();
        if !valid {
            return Err(command.usage_error(format!("Invalid {flag} {text:?}")));
        }
        addrs.push(text.trim().to_string());
    }
    Ok(addrs)
}

/// The planning mode the flags select, refusing contradictions as Terraform does; `destroy`
/// is the `destroy` command, which always destroys.
pub(super) fn mode(parsed: &super::args::Parsed, destroy: bool) -> Result<PlanMode, Failure> {
    let destroy_flag = parsed.flag("destroy", false);
    let refresh_only = parsed.flag("refresh-only", false);
    let invalid = |detail: &str| Err(Failure::error("Invalid mode option", detail));
    if destroy {
        return match (destroy_flag, refresh_only) {
            (true, _) => invalid(
                "The -destroy option is not valid for \"terraform destroy\", because this \
                 command always runs in destroy mode.",
            ),
            (false, true) => {
                invalid("The -refresh-only option is not valid for \"terraform destroy\".")
            }
            (false, false) => Ok(PlanMode::Destroy),
        };
    }
    match (destroy_flag, refresh_only) {
        (true, true) => Err(Failure::error(
            "Incompatible plan mode options",
            "The -destroy and -refresh-only options are mutually-exclusive.",
        )),
        (true, false) => Ok(PlanMode::Destroy),
        (false, true) if !parsed.flag("refresh", true) => Err(Failure::error(
            "Incompatible refresh options",
            "It doesn't make sense to use -refresh-only at the same time as -refresh=false, \
             because Terraform would have nothing to do.",
        )),
        (false, true) => Ok(PlanMode::RefreshOnly),
        (false, false) => Ok(PlanMode::Normal),
    }
}

/// Plans against `state` and prints the plan.
pub(super) async fn make_plan(
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
        excludes: planning.excludes.clone(),
        replace: planning.replace.clone(),
        generate_config: planning.generate_config_out.is_some(),
        workspace: super::workspace::current()?,
        sweep: planning.sweep,
        scope: planning.scope.clone(),
        show_only: planning.show_only,
    };
    super::scope::check_options(&options)?;
    if options.sweep.is_some() && mode != PlanMode::RefreshOnly {
        return Err(Failure::error(
            "Invalid -sweep option",
            "The -sweep option is valid only in refresh-only mode: use it with -refresh-only \
             (or the refresh command).",
        ));
    }
    if !options.replace.is_empty() && mode != PlanMode::Normal {
        return Err(Failure::error(
            "Unsupported plan mode",
            "Forcing resource instance replacement (with -replace=...) is allowed only in normal \
             planning mode.",
        ));
    }
    let variables = common.resolve_variables(ui, config)?;
    let hooks = ProgressHooks::new(ui.view);
    let inputs = engine::PlanInputs {
        config,
        state,
        providers,
        variables: &variables,
    };
    let read_ahead = planning.read_ahead.as_ref();
    let plan = engine::plan_reading_ahead(inputs, &options, &hooks, read_ahead)
        .await
        .map_err(|diags| common::with_sources(diags, config))?;
    let mut warnings = plan.warnings.clone();
    if planning.auto_approved {
        warnings
            .0
            .retain(|warning| warning.summary != engine::CHECK_ASSERTION_FAILED);
    }
    super::scope::report(ui, &plan);
    ui.view.plan(&plan, &providers.schemas);
    // Terraform reports the plan's diagnostics after the plan itself.
    ui.diags(&warnings, &config.sources);
    Ok(plan)
}

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "")?;
    let common = Common::for_view(&parsed, &COMMAND, ui)?;
    let mode = mode(&parsed, false)?;
    let mut planning = planning(&parsed, &COMMAND)?;
    let gate = super::policy::Gate::from(&parsed, &COMMAND)?;
    let config = common::load_config()?;
    tracing::debug!("configuration loaded");
    let store = common::store_for(&config)?;
    let _lock = super::tenant_apply::shared_or_exclusive(&store, &common, "OperationTypePlan")?;
    planning.read_ahead(&config);
    let (state, scope) = super::scope::read_state_and_record(planning.scope, &store)?;
    planning.scope = scope;
    if let Some(path) = &planning.generate_config_out {
        super::generated_config::check_target(path)?;
    }
    let out = parsed.last("out");
    planning.show_only = out.is_none()
        && !ui.view.is_json()
        && planning.generate_config_out.is_none()
        && !gate.reads_plan_document();
    let providers = common::start_providers_for(&config, &common).await?;
    tracing::debug!("providers started");
    let planned = make_plan(ui, &config, &state, &providers, &common, mode, &planning).await;
    tracing::debug!("plan made and shown");
    common::close_providers(&providers).await;
    let mut plan = planned?;
    gate.check(ui, &plan, &config, &providers.schemas)?;
    let generated = match &planning.generate_config_out {
        Some(path) if super::generated_config::write(path, &plan)? => Some(path.as_str()),
        _ => None,
    };
    if let Some(out) = out {
        super::scope::add_stored_digests(&mut plan, &state);
        let mut file = PlanFile::new(&plan, config.sources.files.clone());
        file.set_variables = super::saved_plan_variables::set_variables(&config, &common);
        file.scope_objects = super::tenant_apply::planned_objects(&plan, &state);
        file.write(Path::new(out))
            .map_err(|e| Failure::error("Failed to write plan file", e.to_string()))?;
    }
    if !ui.view.is_json() {
        next_step(ui, out, &plan, generated);
    }
    let detailed = parsed.flag("detailed-exitcode", false);
    let code = if detailed && !plan.is_empty() { 2 } else { 0 };
    super::at_exit::leave_to_exit(plan);
    super::at_exit::leave_to_exit(state);
    // The options hold the instance record read with the state.
    super::at_exit::leave_to_exit(planning);
    Ok(code)
}

/// What to do next after a plan with changes, as Terraform says it (nothing in automation):
/// a rule, where `-generate-config-out` wrote, and how to apply the saved plan or the note
/// that an unsaved plan may not be what `apply` does.
fn next_step(ui: &Ui, out: Option<&str>, plan: &Plan, generated: Option<&str>) {
    if plan.is_empty() || common::in_automation() {
        return;
    }
    let mut text = crate::plan::render::horizontal_rule();
    if let Some(path) = generated {
        text.push_str(&super::generated_config::written_message(path));
    }
    text.push_str(&match out {
        Some(out) => format!(
            "\nSaved the plan to: {out}\n\nTo perform exactly these actions, run the following \
             command to apply:\n    tenantform apply \"{out}\"\n"
        ),
        None => "\nNote: You didn't use the -out option to save this plan, so tenantform can't\n\
                 guarantee to take exactly these actions if you run \"tenantform apply\" now.\n"
            .to_string(),
    });
    ui.out(&text);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The planning options these flags give; the flags themselves must parse.
    fn planning_for(flags: &[&str]) -> Result<Planning, Failure> {
        let flags: Vec<String> = flags.iter().map(std::string::ToString::to_string).collect();
        let parsed = COMMAND
            .parse(&flags)
            .unwrap_or_else(|_| panic!("the flags parse"));
        planning(&parsed, &COMMAND)
    }

    #[test]
    fn repeated_targets_and_replacements_are_all_kept() {
        let Ok(planning) = planning_for(&[
            "-target=tenant.a",
            "-target",
            "module.t[\"x\"]",
            "-replace=tenant.a",
            "-replace=tenant.b[1]",
        ]) else {
            panic!("the addresses are valid");
        };
        assert_eq!(planning.targets, ["tenant.a", "module.t[\"x\"]"]);
        let replaced: Vec<String> = planning
            .replace
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        assert_eq!(replaced, ["tenant.a", "tenant.b[1]"]);
    }

    #[test]
    fn exclude_cannot_be_combined_with_target() {
        let combined =
            planning_for(&["-exclude=tenant.a", "-exclude=tenant.b", "-target=tenant.c"]);
        let Err(Failure::Diags(diags, _)) = combined else {
            panic!("-target with -exclude accepted");
        };
        assert_eq!(diags.0[0].summary, "Invalid combination of arguments");
        let Ok(planning) = planning_for(&["-exclude=tenant.a", "-exclude=module.m"]) else {
            panic!("the addresses are valid");
        };
        assert_eq!(planning.excludes, ["tenant.a", "module.m"]);
    }

    #[test]
    fn sweep_takes_k_of_n_and_refuses_a_bad_value_as_a_usage_error() {
        let Ok(planning) = planning_for(&["-refresh-only", "-sweep=2/3"]) else {
            panic!("-sweep=2/3 refused");
        };
        assert_eq!(planning.sweep, engine::sweep::Sweep::parse("2/3").ok());
        for bad in ["-sweep=0/3", "-sweep=4/3", "-sweep=x", "-sweep=1/0"] {
            let Err(Failure::Usage(message, _)) = planning_for(&["-refresh-only", bad]) else {
                panic!("{bad} accepted");
            };
            assert!(message.contains("Invalid -sweep"), "{message}");
        }
        let Ok(none) = planning_for(&["-refresh-only"]) else {
            panic!("no -sweep refused");
        };
        assert_eq!(none.sweep, None);
    }
}
