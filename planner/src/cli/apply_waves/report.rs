//! What a canary rollout tells people: the layout of the waves before approval, a header
//! per wave, and, when a wave fails, what was applied, which wave failed and why, and what
//! was left untouched. As JSON, the layout and headers are Terraform's `log` messages.

use crate::addrs::{ModuleStep, module_instance_string};
use crate::engine::waves::Rollout;

use super::super::view::View;
use super::super::{Failure, Ui, write_out};

/// How many partitions a list names before it says how many more there are.
const NAMED: usize = 5;

/// Why a wave stopped the rollout.
pub(super) enum Stop {
    /// The apply reported errors (shown above it).
    Errors,
    /// `check` assertions failed: one line each.
    Checks(Vec<String>),
    /// An interrupt arrived before the wave started.
    Interrupted,
}

/// A line of its own for people, a `log` message as JSON.
pub(super) fn announce(ui: &Ui, text: &str) {
    match &ui.view {
        View::Json(json) => json.log(text),
        View::Human { .. } => write_out(&format!("\n{}\n", ui.bold(text))),
    }
}

/// Before approval: how many waves over how many partitions.
pub(super) fn layout(rollout: &Rollout) -> String {
    let waves = rollout.waves.len();
    let outside: usize = rollout.waves.iter().map(|w| w.outside).sum();
    let mut text = format!(
        "Canary rollout: {} over {} of {} with changes",
        plural(waves, "wave", "waves"),
        plural(rollout.partition_count(), "partition", "partitions"),
        rollout.partition,
    );
    if outside > 0 {
        text.push_str(&format!(
            ", and {} outside them",
            plural(outside, "change", "changes")
        ));
    }
    text.push('.');
    text
}

/// `Wave 2 of 3: 9 partitions: module.tenant["b"], ... (4 more)`.
pub(super) fn header(rollout: &Rollout, index: usize) -> String {
    let wave = &rollout.waves[index];
    let mut text = format!(
        "Wave {} of {}: {}",
        index + 1,
        rollout.waves.len(),
        partitions_named(&wave.partitions)
    );
    if wave.outside > 0 {
        text.push_str(&format!(
            "; and {} outside the partitions",
            plural(wave.outside, "change", "changes")
        ));
    }
    text
}

/// The error that ends a rollout stopped at wave `index`.
pub(super) fn stopped(rollout: &Rollout, index: usize, stop: &Stop) -> Failure {
    let total = rollout.waves.len();
    let wave = &rollout.waves[index];
    let done: Vec<Vec<ModuleStep>> = rollout.waves[..index]
        .iter()
        .flat_map(|w| w.partitions.iter().cloned())
        .collect();
    let untouched: Vec<Vec<ModuleStep>> = rollout.waves[index + 1..]
        .iter()
        .flat_map(|w| w.partitions.iter().cloned())
        .collect();
    let why = match stop {
        Stop::Errors => format!(
            "Wave {} of {total} failed: its apply reported the errors above, so its \
             partitions may be applied in part (the state records every change that \
             completed): {}.",
            index + 1,
            partitions_named(&wave.partitions)
        ),
        Stop::Checks(lines) => format!(
            "Wave {} of {total} was applied ({}), but its checks failed:\n  - {}\n(Unlike \
             Terraform, where a failed check block only warns, a failed check stops a \
             canary rollout.)",
            index + 1,
            partitions_named(&wave.partitions),
            lines.join("\n  - ")
        ),
        Stop::Interrupted => format!(
            "The rollout was interrupted before wave {} of {total} started: {} not applied.",
            index + 1,
            partitions_named(&wave.partitions)
        ),
    };
    let detail = format!(
        "{why}\n\nApplied by the earlier waves: {}.\nUntouched (the later waves): {}.\n\n\
         Fix the cause and run the same apply -waves again: it plans again and applies only \
         what is left.",
        partitions_named(&done),
        partitions_named(&untouched),
    );
    Failure::error(
        format!("Canary rollout stopped at wave {} of {total}", index + 1),
        detail,
    )
}

/// `3 partitions: module.tenant["a"], module.tenant["b"], module.tenant["c"]`, naming at
/// most [`NAMED`].
fn partitions_named(partitions: &[Vec<ModuleStep>]) -> String {
    if partitions.is_empty() {
        return "no partitions".to_string();
    }
    let names: Vec<String> = partitions
        .iter()
        .take(NAMED)
        .map(|p| module_instance_string(p))
        .collect();
    let more = match partitions.len().saturating_sub(NAMED) {
        0 => String::new(),
        more => format!(", ... ({more} more)"),
    };
    format!(
        "{}: {}{more}",
        plural(partitions.len(), "partition", "partitions"),
        names.join(", ")
    )
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

#[cfg(test)]
mod tests;
