//! `apply -waves=SIZES -partition=module.NAME` (a tenantform extension): plan as `apply`
//! does, then apply the plan's changes in canary waves of partitions (the instances of a
//! module call with `for_each`), in one process holding the state lock throughout. The
//! state is written after every wave; after each wave the `check` blocks of what has been
//! applied must pass, and the first wave that fails (an apply error, a failed
//! postcondition or check) stops the rollout, leaving the later waves untouched. Running
//! the same command again plans again, so only what is left is applied.

mod report;

use super::args::Parsed;
use super::commands::Command;
use super::common::{self, Common, StoreRecorder};
use super::hooks::ProgressHooks;
use super::{CommandResult, Failure, Ui};
use crate::config::Config;
use crate::engine::ApplyOptions;
use crate::engine::waves::{self, Partition, Rollout, WaveSizes};
use crate::plan::render::Counts;
use crate::plan::{Plan, PlanMode};
use crate::providers::Providers;
use crate::state::{State, StateStore};

/// The rollout the flags ask for.
pub(super) struct WavesRequest {
    sizes: WaveSizes,
    partition: Partition,
}

/// Reads `-waves` and `-partition` (both or neither), refusing them with what they cannot
/// go with: a saved plan, a destroy or refresh-only plan, `-target` or `-exclude`.
pub(super) fn request(
    parsed: &Parsed,
    command: &'static Command,
    mode: PlanMode,
    planning: &super::plan::Planning,
) -> Result<Option<WavesRequest>, Failure> {
    let (sizes, partition) = match (parsed.last("waves"), parsed.last("partition")) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(command.usage_error(
                "The -waves option needs -partition=module.NAME: the module call with \
                 for_each whose instances the waves apply.",
            ));
        }
        (None, Some(_)) => {
            return Err(command.usage_error(
                "The -partition option goes with -waves=SIZES (such as -waves=1,10%,100%).",
            ));
        }
        (Some(sizes), Some(partition)) => (sizes, partition),
    };
    let sizes = WaveSizes::parse(sizes).map_err(|m| command.usage_error(m))?;
    let partition = Partition::parse(partition).map_err(|m| command.usage_error(m))?;
    let refuse = |detail: &str| Err(Failure::error("Invalid -waves option", detail));
    if !parsed.positional.is_empty() {
        return refuse(
            "A saved plan is stale after the first wave; apply -waves plans itself. Run \
             apply -waves without a plan file.",
        );
    }
    if mode != PlanMode::Normal {
        return refuse(
            "The -waves option applies the changes of a normal plan; it is not valid with \
             -destroy or -refresh-only.",
        );
    }
    if !planning.targets.is_empty() || !planning.excludes.is_empty() {
        return refuse(
            "The -waves option chooses what each wave applies; it cannot be combined with \
             -target or -exclude.",
        );
    }
    Ok(Some(WavesRequest { sizes, partition }))
}

impl WavesRequest {
    /// Refuses a partition that is not a module call with `for_each` of `config`.
    pub(super) fn check(&self, config: &Config) -> Result<(), Failure> {
        self.partition
            .check(config)
            .map_err(|detail| Failure::error("Invalid -partition option", detail))
    }

    /// The waves of `plan` (none for a plan without changes), announced before approval.
    pub(super) fn rollout(
        &self,
        ui: &Ui,
        plan: &Plan,
        config: &Config,
    ) -> Result<Option<Rollout>, Failure> {
        if plan.is_empty() {
            return Ok(None);
        }
        let rollout = Rollout::new(plan, config, self.partition.clone(), &self.sizes)
            .map_err(|detail| Failure::error("Cannot apply this plan in waves", detail))?;
        report::announce(ui, &report::layout(&rollout));
        Ok(Some(rollout))
    }
}

/// What every wave of one rollout applies through.
pub(super) struct WaveRun<'a> {
    pub ui: &'a Ui,
    pub common: &'a Common,
    pub store: &'a dyn StateStore,
    pub config: &'a Config,
    pub providers: &'a Providers,
}

/// How one wave ended.
enum WaveEnd {
    Completed(Counts),
    Failed(report::Stop),
}

impl WaveRun<'_> {
    /// Applies the waves in order; exit 0 when all completed, a report of what was and was
    /// not applied at the first that failed. One interrupt watcher serves every wave, so an
    /// interrupt between two waves stops the rollout too.
    pub(super) async fn execute(
        &self,
        state: State,
        plan: &Plan,
        rollout: &Rollout,
    ) -> CommandResult {
        let (cancel, watcher) = common::watch_interrupts(self.ui);
        let result = self.run_waves(state, plan, rollout, &cancel).await;
        watcher.abort();
        result
    }

    async fn run_waves(
        &self,
        state: State,
        plan: &Plan,
        rollout: &Rollout,
        cancel: &tokio::sync::watch::Receiver<bool>,
    ) -> CommandResult {
        let mut state = state;
        let mut totals = Counts::default();
        for index in 0..rollout.waves.len() {
            if *cancel.borrow() {
                return Err(report::stopped(rollout, index, &report::Stop::Interrupted));
            }
            report::announce(self.ui, &report::header(rollout, index));
            let (end, after) = self.apply_one(&state, plan, rollout, index, cancel).await?;
            match end {
                WaveEnd::Completed(counts) => {
                    totals.add += counts.add;
                    totals.change += counts.change;
                    totals.destroy += counts.destroy;
                    totals.import += counts.import;
                    state = after;
                }
                WaveEnd::Failed(stop) => return Err(report::stopped(rollout, index, &stop)),
            }
        }
        self.ui.view.apply_summary(totals, plan.mode);
        self.ui.view.outputs(&state);
        Ok(0)
    }

    /// Applies one wave, writes the state and reads it back (with its new serial).
    async fn apply_one(
        &self,
        state: &State,
        plan: &Plan,
        rollout: &Rollout,
        index: usize,
        cancel: &tokio::sync::watch::Receiver<bool>,
    ) -> Result<(WaveEnd, State), Failure> {
        let hooks = ProgressHooks::new(self.ui.view);
        let recorder = StoreRecorder { store: self.store };
        let options = ApplyOptions {
            parallelism: self.common.parallelism,
            recorder: &recorder,
            hooks: &hooks,
            provisioners: &crate::provisioners::ProcessRunner,
            cancel: cancel.clone(),
        };
        let outcome = waves::apply_wave(
            self.config,
            state,
            plan,
            rollout,
            index,
            self.providers,
            options,
        )
        .await;
        let persisted = self.store.compact(&outcome.state);
        self.ui.diags(&outcome.diags, &self.config.sources);
        if let Err(err) = persisted {
            return Err(Failure::error(
                "Failed to persist state",
                format!(
                    "{err}\n\nEvery completed change is recorded in the state journal and will \
                     be replayed the next time the state is read. The rollout stopped at wave \
                     {} of {}.",
                    index + 1,
                    rollout.waves.len()
                ),
            ));
        }
        let after = common::read_state(self.store)?;
        let end = if outcome.diags.has_errors() {
            WaveEnd::Failed(report::Stop::Errors)
        } else if !outcome.failed_checks.is_empty() {
            WaveEnd::Failed(report::Stop::Checks(outcome.failed_checks))
        } else {
            WaveEnd::Completed(hooks.counts())
        };
        Ok((end, after))
    }
}

#[cfg(test)]
mod tests;
