//! `kill -9` of `tenantform` in the middle of applying 50 tenants, at a few seeded points:
//! the state still parses, nothing the provider created is lost (it is in the state or the
//! next plan adopts it), and a follow-up apply converges.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::generate::tenants_config;
use acceptance_tests::process::{children_running, is_alive, kill_pid, wait_until};
use acceptance_tests::recovery::{
    Expected, assert_recovers, start_apply, wait_for_catalog_objects,
};

const TENANTS: usize = 50;

/// A kill point derived from `seed`: the number of catalog objects (of the 100 the apply
/// creates) to wait for, and an extra delay in milliseconds.
fn kill_point(seed: u64) -> (usize, u64) {
    let mixed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let objects = 3 + (mixed >> 33) as usize % 70;
    let delay_ms = (mixed >> 17) % 40;
    (objects, delay_ms)
}

fn kill_tenantform_mid_apply(seed: u64) {
    let (objects, delay_ms) = kill_point(seed);
    eprintln!("seed {seed}: killing tenantform after {objects} catalog objects + {delay_ms} ms");
    let project = Project::from_config(&tenants_config(TENANTS, true));
    project.init();

    let mut apply = start_apply(&project, 10);
    wait_for_catalog_objects(&project, &mut apply, objects);
    std::thread::sleep(Duration::from_millis(delay_ms));
    let providers = children_running(apply.pid(), &project.binaries().provider);
    apply.kill_hard();
    let killed = apply.wait(Duration::from_secs(10));
    assert_eq!(
        killed.code,
        None,
        "tenantform should have been killed mid-apply\n{}",
        killed.describe()
    );
    // A provider orphaned by the kill should notice and exit; a crash of the whole machine
    // takes it down too, so stop it either way before recovering.
    if !wait_until(Duration::from_secs(5), || {
        providers.iter().all(|&pid| !is_alive(pid))
    }) {
        eprintln!("seed {seed}: the provider outlived tenantform by 5 s; killing it");
        for &pid in &providers {
            kill_pid(pid);
        }
    }

    assert_recovers(
        &project,
        &Expected {
            tenants: TENANTS,
            databases: TENANTS,
        },
    );
}

#[test]
fn kill_at_first_seeded_point() {
    kill_tenantform_mid_apply(7);
}

#[test]
fn kill_at_second_seeded_point() {
    kill_tenantform_mid_apply(1234);
}

#[test]
fn kill_at_third_seeded_point() {
    kill_tenantform_mid_apply(987_654_321);
}

#[test]
fn kill_points_are_spread_and_mid_apply() {
    let points: Vec<(usize, u64)> = [7, 1234, 987_654_321].map(kill_point).to_vec();
    for (objects, _) in &points {
        assert!((3..=72).contains(objects), "{points:?}");
    }
    let mut distinct: Vec<usize> = points.iter().map(|(objects, _)| *objects).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "three different kill points: {points:?}");
}
