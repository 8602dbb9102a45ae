//! `tenantform refresh`: Terraform's `apply -refresh-only -auto-approve` without the plan
//! or the summary: every stored object is read again, the state is updated to what was
//! found, and the root module's outputs are shown.

use super::commands::Command;
use super::common::{self, Common};
use super::flag_defs;
use super::{CommandResult, Failure, Ui};
use crate::diags::{Diagnostic, Sources};
use crate::engine::{self, PlanOptions};
use crate::plan::PlanMode;

pub(super) static COMMAND: Command = Command {
    name: "refresh",
    arguments: "[options]",
    about: "  Update the state file of your infrastructure with metadata that matches
  the physical resources they are tracking.

  This will not modify your infrastructure, but it can modify your
  state file to update metadata. This metadata might cause new changes
  to occur when you generate a plan or call apply next.",
    flags: &[
        flag_defs::COMPACT_WARNINGS,
        flag_defs::INPUT,
        flag_defs::JSON,
        flag_defs::LOCK,
        flag_defs::LOCK_TIMEOUT,
        flag_defs::NO_COLOR,
        flag_defs::PARALLELISM,
        flag_defs::TARGET,
        flag_defs::EXCLUDE,
        flag_defs::SWEEP,
        flag_defs::VAR,
        flag_defs::VAR_FILE,
        flag_defs::PROVIDER_TIMEOUT,
    ],
    refused: &["state", "state-out", "backup"],
};

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "")?;
    let common = Common::for_view(&parsed, &COMMAND, ui)?;
    let planning = super::plan::planning(&parsed, &COMMAND)?;
    let config = common::load_config()?;
    let store = common::store_for(&config)?;
    let _lock = common::lock(store.as_ref(), &common, "OperationTypeRefresh")?;
    let state = common::read_state(store.as_ref())?;
    if !state
        .instances
        .keys()
        .any(|addr| addr.resource.mode == crate::addrs::ResourceMode::Managed)
    {
        let empty = Diagnostic::warning(
            "Empty or non-existent state",
            "There are currently no remote objects tracked in the state, so there is nothing \
             to refresh.",
        );
        ui.diags(&empty.into(), &Sources::default());
    }
    let providers = common::start_providers_for(&config, &common).await?;
    let result = async {
        let options = PlanOptions {
            show_only: false,
            mode: PlanMode::RefreshOnly,
            refresh: true,
            parallelism: common.parallelism,
            targets: planning.targets.clone(),
            excludes: planning.excludes.clone(),
            replace: Vec::new(),
            generate_config: false,
            workspace: super::workspace::current()?,
            sweep: planning.sweep,
            scope: Default::default(),
        };
        let variables = common.resolve_variables(ui, &config)?;
        let hooks = super::hooks::ProgressHooks::new(ui.view);
        let plan =
            engine::plan_with_hooks(&config, &state, &providers, &variables, &options, &hooks)
                .await
                .map_err(|diags| common::with_sources(diags, &config))?;
        ui.diags(&plan.warnings, &config.sources);
        let applied = super::apply::apply_plan(
            ui,
            &common,
            store.as_ref(),
            &config,
            (&state, None),
            &plan,
            &providers,
        )
        .await?;
        Ok::<_, Failure>(applied)
    }
    .await;
    common::close_providers(&providers).await;
    let Some((new_state, _)) = result? else {
        return Ok(1);
    };
    ui.view.outputs(&new_state);
    Ok(0)
}
