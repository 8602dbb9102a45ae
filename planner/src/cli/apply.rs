//! `tenantform apply [PLANFILE]` and `tenantform destroy`: plan (or load a saved plan),
//! ask for approval, then apply with the state locked throughout, every instance result
//! recorded durably the moment it is known, and the final state compacted into the file.

use std::path::Path;

use super::args::Flag;
use super::commands::Command;
use super::common::{self, Common, StoreRecorder};
use super::flag_defs;
use super::hooks::ProgressHooks;
use super::{CommandResult, Failure, Ui};
use crate::config::{self, Config};
use crate::engine::{self, ApplyOptions};
use crate::plan::planfile::PlanFile;
use crate::plan::render::Counts;
use crate::plan::{Plan, PlanMode};
use crate::providers::Providers;
use crate::state::{ApplyScope, State, StateStore};

pub(super) static COMMAND: Command = Command {
    name: "apply",
    arguments: "[options] [PLAN]",
    about: "  Creates or updates infrastructure according to tenantform configuration
  files in the current directory.

  By default, tenantform will generate a new plan and present it for your
  approval before taking any action. You can optionally provide a plan
  file created by a previous call to \"tenantform plan\", in which case
  tenantform will take the actions described in that plan without any
  confirmation prompt.",
    flags: &flag_defs::joined::<{ APPLY_FLAGS.len() + flag_defs::WAVE_FLAGS.len() }>(&[
        APPLY_FLAGS,
        flag_defs::WAVE_FLAGS,
    ]),
    refused: super::plan::OPERATION_REFUSED,
};

pub(super) static DESTROY_COMMAND: Command = Command {
    name: "destroy",
    arguments: "[options]",
    about: "  Destroy tenantform-managed infrastructure.

  This command is a convenience alias for:
      tenantform apply -destroy",
    flags: APPLY_FLAGS,
    refused: super::plan::OPERATION_REFUSED,
};

/// `-auto-approve`, the plan mode flags, the flags of every run, `-compact-warnings` and
/// `-json`, then the gate's.
const APPLY_FLAGS: &[Flag] = &flag_defs::joined::<23>(&[
    &[flag_defs::AUTO_APPROVE],
    flag_defs::PLAN_MODE_FLAGS,
    flag_defs::RUN_FLAGS,
    flag_defs::OPERATION_VIEW_FLAGS,
    flag_defs::GATE_FLAGS,
]);

pub(super) async fn run(ui: &Ui, args: &[String], destroy_command: bool) -> CommandResult {
    let command: &'static Command = if destroy_command {
        &DESTROY_COMMAND
    } else {
        &COMMAND
    };
    let parsed = command.parse_at_most(args, 1, "Expected at most one positional argument.")?;
    if ui.view.is_json() && parsed.positional.is_empty() && !parsed.flag("auto-approve", false) {
        return Err(Failure::error(
            "Plan file or auto-approve required",
            "tenantform cannot ask for interactive approval when -json is set. You can either \
             apply a saved plan file, or enable the -auto-approve option.",
        ));
    }
    let common = Common::for_view(&parsed, command, ui)?;
    let mode = super::plan::mode(&parsed, destroy_command)?;
    let mut planning = super::plan::planning(&parsed, command)?;
    planning.auto_approved = parsed.flag("auto-approve", false);
    let gate = super::policy::Gate::from(&parsed, command)?;
    let waves = super::apply_waves::request(&parsed, command, mode, &planning)?;
    if let Some(path) = parsed.positional.first() {
        if destroy_command {
            return Err(command.usage_error("destroy does not accept a plan file"));
        }
        if planning.sweep.is_some() {
            return Err(command.usage_error(
                "The -sweep option is not valid with a saved plan: it chooses what a new plan \
                 refreshes.",
            ));
        }
        return apply_saved(ui, &common, path, &gate).await;
    }
    let config = common::load_config()?;
    if let Some(waves) = &waves {
        waves.check(&config)?;
    }
    let store = common::store_for(&config)?;
    // A canary rollout writes the whole state after each wave: it holds the state exclusively.
    let mut lock = match &waves {
        Some(_) => super::tenant_apply::ApplyLock::Exclusive(common::lock(
            &store,
            &common,
            "OperationTypeApply",
        )?),
        None => super::tenant_apply::lock(&store, &common)?,
    };
    planning.read_ahead(&config);
    let (mut state, scope) = super::scope::read_state_and_record(planning.scope, &store)?;
    planning.scope = scope;
    let providers = common::start_providers_for(&config, &common).await?;
    let auto_approved = parsed.flag("auto-approve", false);
    let result = async {
        for replans in 0.. {
            let plan =
                super::plan::make_plan(ui, &config, &state, &providers, &common, mode, &planning)
                    .await?;
            gate.check(ui, &plan, &config, &providers.schemas)?;
            let rollout = match &waves {
                Some(waves) => waves.rollout(ui, &plan, &config)?,
                None => None,
            };
            if !plan.is_empty() && !auto_approved {
                approve(ui, &common, mode, &plan.workspace)?;
            }
            if let Some(rollout) = &rollout {
                let run = super::apply_waves::WaveRun {
                    ui,
                    common: &common,
                    store: &*store,
                    config: &config,
                    providers: &providers,
                };
                return run.execute(state, &plan, rollout).await;
            }
            let prior = super::tenant_apply::Prior::Read(&state);
            let may_replan = auto_approved && replans < super::tenant_apply::REPLANS;
            match super::tenant_apply::settle_or_replan(
                lock, &store, &common, &plan, prior, may_replan,
            )? {
                super::tenant_apply::Settle::Ready(settled) => {
                    return execute(ui, &common, &store, &config, settled, &plan, &providers).await;
                }
                super::tenant_apply::Settle::Replan {
                    lock: held,
                    state: fresh,
                } => {
                    super::tenant_apply::replanning(ui);
                    (lock, state) = (held, fresh);
                }
            }
        }
        Ok(1)
    }
    .await;
    common::close_providers(&providers).await;
    result
}

fn approve(ui: &Ui, common: &Common, mode: PlanMode, workspace: &str) -> Result<(), Failure> {
    let destroying = mode == PlanMode::Destroy;
    if !common.input {
        return Err(Failure::error(
            if destroying {
                "Cannot confirm destroy"
            } else {
                "Cannot confirm apply"
            },
            "Cannot confirm the changes due to -input=false. Use -auto-approve to apply \
             without interactive approval.",
        ));
    }
    let in_workspace = match workspace {
        crate::state::DEFAULT_WORKSPACE => String::new(),
        named => format!(" in workspace {named:?}"),
    };
    let approved = if destroying {
        common::confirm(
            ui,
            &format!("Do you really want to destroy all resources{in_workspace}?"),
            "tenantform will destroy all your managed infrastructure, as shown above.\n  \
             There is no undo.",
        )
    } else {
        common::confirm(
            ui,
            &format!("Do you want to perform these actions{in_workspace}?"),
            "tenantform will perform the actions described above.",
        )
    };
    if approved {
        return Ok(());
    }
    let what = if destroying { "Destroy" } else { "Apply" };
    Err(Failure::error(format!("{what} cancelled"), ""))
}

/// Terraform's refusal to apply a plan made in another workspace than the current one.
fn check_plan_workspace(planned: &str) -> Result<(), Failure> {
    let current = super::workspace::current()?;
    if current == planned {
        return Ok(());
    }
    Err(Failure::error(
        format!(
            "The plan file describes changes to the {planned:?} workspace, but the {current:?} \
             workspace is currently in use.\n\nApplying this plan with the incorrect workspace \
             selected could result in state being stored in an unexpected location, or a \
             downstream error when tenantform attempts apply a plan using the other \
             workspace's state. If you'd like to continue to use the plan file, you must run \
             \"tenantform workspace select {planned}\" to select the matching workspace.\nIn \
             future make sure the selected workspace is not changed between creating and \
             applying a plan file.\n"
        ),
        "",
    ))
}

/// Applies a saved plan, after checking it was made against the current state.
async fn apply_saved(
    ui: &Ui,
    common: &Common,
    path: &str,
    gate: &super::policy::Gate,
) -> CommandResult {
    let file = PlanFile::read(Path::new(path))
        .map_err(|e| Failure::error("Failed to load the saved plan", e.to_string()))?;
    let mut plan = file
        .to_plan(path)
        .map_err(|e| Failure::error("Failed to load the saved plan", e.to_string()))?;
    check_plan_workspace(&plan.workspace)?;
    let store = common::store()?;
    let store = store.as_ref();
    let config = config::load_sources(Path::new("."), file.sources.clone())
        .map_err(|diags| Failure::Diags(diags, crate::diags::Sources::new(file.sources.clone())))?;
    let lock = super::tenant_apply::lock(store, common)?;
    let prior = super::tenant_apply::Prior::Saved {
        plan: &plan,
        objects: file.scope_objects.as_ref(),
    };
    let settled = super::tenant_apply::settle(lock, store, common, &plan, prior)?;
    super::saved_plan_variables::check(ui, &config, &plan, file.set_variables.as_ref(), common)?;
    let providers = common::start_providers_for(&config, common).await?;
    super::scope::rebase_saved_plan(&mut plan, &settled.state, &providers.schemas);
    let result = match gate.check(ui, &plan, &config, &providers.schemas) {
        Ok(()) => {
            ui.view.saved_plan_changes(&plan);
            execute(ui, common, store, &config, settled, &plan, &providers).await
        }
        Err(refused) => Err(refused),
    };
    common::close_providers(&providers).await;
    result
}

/// Runs the apply, records and compacts the state, prints the summary and outputs.
async fn execute(
    ui: &Ui,
    common: &Common,
    store: &dyn StateStore,
    config: &Config,
    settled: super::tenant_apply::Settled,
    plan: &Plan,
    providers: &Providers,
) -> CommandResult {
    let (state, scope) = (&settled.state, settled.scope.as_ref());
    let Some((new_state, counts)) =
        apply_plan(ui, common, store, config, (state, scope), plan, providers).await?
    else {
        return Ok(1);
    };
    ui.view.apply_summary(counts, plan.mode);
    if plan.mode != PlanMode::Destroy {
        ui.view.outputs(&new_state);
    }
    Ok(0)
}

/// Applies `plan` with progress reports, records and compacts the state and reports the
/// diagnostics; the new state and the counts of what completed, `None` after errors.
pub(super) async fn apply_plan(
    ui: &Ui,
    common: &Common,
    store: &dyn StateStore,
    config: &Config,
    (state, scope): (&State, Option<&ApplyScope>),
    plan: &Plan,
    providers: &Providers,
) -> Result<Option<(State, Counts)>, Failure> {
    let hooks = ProgressHooks::new(ui.view);
    let store_recorder = StoreRecorder { store };
    let recorder = super::scope::DigestRecorder::new(&store_recorder);
    let (cancel, watcher) = common::watch_interrupts(ui);
    if !plan.is_empty() && !ui.view.is_json() {
        ui.out("\n");
    }
    let options = ApplyOptions {
        parallelism: common.parallelism,
        recorder: &recorder,
        hooks: &hooks,
        provisioners: &crate::provisioners::ProcessRunner,
        cancel,
    };
    let (new_state, diags) = engine::apply(config, state, plan, providers, options).await;
    watcher.abort();
    let base_serial = state.serial;
    let persisted = match scope {
        None => store
            .compact(&new_state)
            .map(|serial| (new_state, Some(serial)))
            .map_err(|e| e.to_string()),
        Some(scope) => {
            super::tenant_apply::persist(store, config, providers, plan, &new_state, scope)
                .await
                .map(|stored| {
                    let alone = stored.serial == base_serial + 1;
                    let serial = alone.then_some(stored.serial);
                    (stored, serial)
                })
        }
    };
    ui.diags(&diags, &config.sources);
    let (new_state, serial) = match persisted {
        Ok(stored) => stored,
        Err(err) => {
            return Err(Failure::error(
                "Failed to persist state",
                format!(
                    "{err}\n\nEvery completed change is recorded in the state journal and will \
                     be replayed the next time the state is read."
                ),
            ));
        }
    };
    // A merge that took in another apply's write records nothing: its digests of the other
    // instances would describe this plan's configuration, not what is stored.
    if let Some(serial) = serial
        && !diags.has_errors()
    {
        super::scope::record_apply(store, plan, &recorder, &new_state, serial, providers);
    }
    Ok((!diags.has_errors()).then(|| (new_state, hooks.counts())))
}
