//! What the differential oracles share: running every fixture on a few threads, the list of
//! known divergences (`NAME: reason` lines) that may only shrink, and the verdict that fails
//! on an unexpected difference or on a listed fixture that now agrees.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many fixtures run at once (each drives two tools).
pub const WORKERS: usize = 2;
/// The list of known divergences an oracle's fixture directory may hold.
pub const KNOWN_DIVERGENCES_FILE: &str = "known_divergences.txt";

/// The items whose name contains the value of the environment variable `filter_variable`
/// (all of them when it is unset), with their names.
pub fn select_by_env<'a, T>(
    items: &'a [T],
    name: impl Fn(&T) -> &str,
    filter_variable: &str,
) -> Vec<(&'a str, &'a T)> {
    let filter = std::env::var(filter_variable).unwrap_or_default();
    items
        .iter()
        .map(|item| (name(item), item))
        .filter(|(item_name, _)| item_name.contains(&filter))
        .collect()
}

/// Checks every selected item ([`check_all`]) and judges the failures ([`judge`]) against
/// the [`KNOWN_DIVERGENCES_FILE`] of `fixtures_dir`.
pub fn check_and_judge<T: Sync>(
    what: &str,
    selected: &[(&str, &T)],
    fixtures_dir: &Path,
    check: impl Fn(&T) -> Result<(), String> + Sync,
) {
    let failures = check_all(selected, check);
    let names: Vec<&str> = selected.iter().map(|(name, _)| *name).collect();
    let known = known_divergences(&fixtures_dir.join(KNOWN_DIVERGENCES_FILE));
    judge(what, &names, &failures, &known, KNOWN_DIVERGENCES_FILE);
}

/// The fixtures a `known_divergences.txt` file lists, with the reason.
pub fn known_divergences(file: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, reason) = line.split_once(':').unwrap_or((line, ""));
            (name.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

/// Checks every named item on [`WORKERS`] threads; the failure reports by name.
pub fn check_all<T: Sync>(
    items: &[(&str, &T)],
    check: impl Fn(&T) -> Result<(), String> + Sync,
) -> BTreeMap<String, String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS.min(items.len()) {
            scope.spawn(|| {
                while let Some((name, item)) = items.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(report) = check(item) {
                        failures
                            .lock()
                            .expect("the failure list")
                            .insert(name.to_string(), report);
                    }
                }
            });
        }
    });
    failures.into_inner().expect("the failure list")
}

/// Prints the known divergences and fails on any other difference, or when a fixture the
/// list names (`list_name`) now agrees. `what` names the fixtures ("configurations").
pub fn judge(
    what: &str,
    selected: &[&str],
    failures: &BTreeMap<String, String>,
    known: &BTreeMap<String, String>,
    list_name: &str,
) {
    let mut unexpected = Vec::new();
    for (name, report) in failures {
        match known.get(name) {
            Some(reason) => eprintln!("known divergence {name} ({reason}):\n{report}\n"),
            None => unexpected.push(format!("{name}\n{report}")),
        }
    }
    let now_agreeing: Vec<&str> = selected
        .iter()
        .copied()
        .filter(|name| known.contains_key(*name) && !failures.contains_key(*name))
        .collect();
    eprintln!(
        "{} of {} {what} agree with Terraform 1.15.5 ({} known divergences)",
        selected.len() - failures.len(),
        selected.len(),
        failures.len() - unexpected.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} of {} {what} differ from Terraform 1.15.5 (tenantform vs terraform):\n\n{}",
        unexpected.len(),
        selected.len(),
        unexpected.join("\n\n")
    );
    assert!(
        now_agreeing.is_empty(),
        "these {what} now agree with Terraform; remove them from {list_name}: {now_agreeing:?}"
    );
}
