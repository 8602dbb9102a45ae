//! The verdict after a wave: which `check` block assertions failed where it matters. A
//! failure counts in a partition the rollout has applied (this wave's or an earlier one's)
//! and anywhere outside the partitions; a partition not yet applied is still as it was, so
//! its checks say nothing about the rollout. Unlike Terraform, where a failed `check` only
//! warns, a counted failure stops the rollout. Resource preconditions and postconditions
//! need no verdict: they fail the apply itself.

use std::collections::BTreeSet;

use crate::addrs::{InstanceAddr, ModuleStep};
use crate::plan::checks::{CheckResult, CheckStatus};

use super::Partition;

/// One line per failed assertion that counts: `check.NAME in MODULE: message`.
pub(crate) fn failed_checks(
    checks: &[CheckResult],
    partition: &Partition,
    applied: &BTreeSet<&[ModuleStep]>,
) -> Vec<String> {
    let mut failed = BTreeSet::new();
    for check in checks {
        if check.config["kind"] != "check"
            || !matches!(check.status, CheckStatus::Fail | CheckStatus::Error)
        {
            continue;
        }
        let module_text = check.instance["module"].as_str().unwrap_or_default();
        let counts = if module_text.is_empty() {
            true
        } else {
            match format!("{module_text}.x.y").parse::<InstanceAddr>() {
                Ok(addr) => partition
                    .key_of(&addr.module)
                    .is_none_or(|key| applied.contains(key)),
                Err(_) => true,
            }
        };
        if !counts {
            continue;
        }
        let name = check.instance["to_display"]
            .as_str()
            .unwrap_or("a check block");
        let why = match (&check.status, &check.problem) {
            (CheckStatus::Fail, Some(problem)) => problem.clone(),
            (CheckStatus::Fail, None) => "the assertion does not hold".to_string(),
            _ => "the assertion could not be evaluated".to_string(),
        };
        failed.insert(format!("{name}: {why}"));
    }
    failed.into_iter().collect()
}

#[cfg(test)]
mod tests;
