//! Canary waves (`apply -waves=SIZES -partition=module.NAME`, a tenantform extension): the
//! changes of one plan applied in waves of partitions (the instances of a module call with
//! `for_each`), each wave a targeted apply of its part of the plan against the state the
//! waves before it left, followed by the verdict of the `check` blocks. The CLI holds the
//! state lock across all the waves and stops at the first wave that fails.

mod layout;
mod partition;
mod sizes;
mod verdict;

pub(crate) use layout::Rollout;
pub(crate) use partition::Partition;
pub(crate) use sizes::WaveSizes;

use crate::config::Config;
use crate::diags::Diagnostics;
use crate::plan::Plan;
use crate::providers::Providers;
use crate::state::State;

use super::ApplyOptions;

/// What applying one wave ended with.
pub(crate) struct WaveOutcome {
    /// The state after the wave (also streamed to the recorder).
    pub state: State,
    pub diags: Diagnostics,
    /// The `check` assertions that failed in the wave's partitions, those of earlier waves,
    /// or outside the partitions: one line each.
    pub failed_checks: Vec<String>,
}

/// Applies wave `index` of `rollout`, a rollout of `plan`, to `state` (the state the
/// earlier waves left).
pub(crate) async fn apply_wave(
    config: &Config,
    state: &State,
    plan: &Plan,
    rollout: &Rollout,
    index: usize,
    providers: &Providers,
    options: ApplyOptions<'_>,
) -> WaveOutcome {
    let part = rollout.wave_plan(plan, index);
    let applied = super::apply::apply_part(config, state, &part, plan, providers, options).await;
    let applied_partitions = rollout.partitions_through(index);
    let failed_checks =
        verdict::failed_checks(&applied.checks, &rollout.partition, &applied_partitions);
    WaveOutcome {
        state: applied.state,
        diags: applied.diags,
        failed_checks,
    }
}
