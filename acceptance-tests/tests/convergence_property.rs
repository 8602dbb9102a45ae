//! Convergence as a property: for random fleets and random sequences of edits (tenants added,
//! removed, renamed through their `for_each` keys and changed; users and API keys added,
//! changed and removed), every apply of the real binaries on the embedded backend converges:
//! the next `plan -detailed-exitcode` exits 0, the state holds exactly the declared
//! instances, and the provider's catalog holds exactly the state's and the model's objects.
//!
//! The seed is fixed; `TENANTFORM_PROPTEST_CASES` (default 10) and `TENANTFORM_PROPTEST_SEED`
//! (a number) make longer or other runs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;

use acceptance_tests::Project;
use acceptance_tests::fleet_model::{
    API_KEY_NAMES, DISPLAY_NAMES, Edit, Fleet, ROLES, TENANT_KEYS, TIERS, TenantSpec, USER_NAMES,
    apply_edit, catalog_lines, expected_addresses, expected_catalog, fleet_config,
};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const DEFAULT_CASES: u32 = 10;
const DEFAULT_SEED: u64 = 0x7e4a_27f0_2026_1207;

fn tenant_spec() -> impl Strategy<Value = TenantSpec> {
    (
        select(DISPLAY_NAMES),
        select(TIERS),
        btree_map(select(USER_NAMES), select(ROLES), 0..=3),
        btree_set(select(API_KEY_NAMES), 0..=2),
    )
        .prop_map(|(display_name, tier, users, api_keys)| TenantSpec {
            display_name,
            tier,
            users,
            api_keys,
        })
}

fn fleet() -> impl Strategy<Value = Fleet> {
    btree_map(select(TENANT_KEYS), tenant_spec(), 0..=4)
}

fn edit() -> impl Strategy<Value = Edit> {
    let pick = || 0..8_usize;
    prop_oneof![
        (select(TENANT_KEYS), tenant_spec()).prop_map(|(key, spec)| Edit::AddTenant(key, spec)),
        pick().prop_map(|pick| Edit::RemoveTenant { pick }),
        (pick(), select(TENANT_KEYS)).prop_map(|(pick, to)| Edit::RenameTenant { pick, to }),
        (pick(), select(DISPLAY_NAMES), select(TIERS)).prop_map(|(pick, display_name, tier)| {
            Edit::ChangeTenant {
                pick,
                display_name,
                tier,
            }
        }),
        (pick(), select(USER_NAMES), select(ROLES)).prop_map(|(pick, user, role)| Edit::SetUser {
            pick,
            user,
            role
        }),
        (pick(), pick()).prop_map(|(pick, user_pick)| Edit::RemoveUser { pick, user_pick }),
        (pick(), select(API_KEY_NAMES)).prop_map(|(pick, name)| Edit::AddApiKey { pick, name }),
        (pick(), pick()).prop_map(|(pick, key_pick)| Edit::RemoveApiKey { pick, key_pick }),
    ]
}

/// A starting fleet and up to four steps of one to three edits each.
fn scenario() -> impl Strategy<Value = (Fleet, Vec<Vec<Edit>>)> {
    (fleet(), vec(vec(edit(), 1..=3), 1..=4))
}

/// Applies `fleet` and checks that everything converged to it.
fn apply_and_check(project: &Project, fleet: &Fleet, step: usize) {
    project.write_file("main.tf", &fleet_config(fleet));
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    let plan = project.plan_detailed();
    assert_eq!(
        plan.code,
        Some(0),
        "step {step}: the plan after an apply is empty\n{}",
        plan.describe()
    );
    let mut addresses = project.state_or_empty().addresses();
    addresses.sort();
    assert_eq!(
        addresses,
        expected_addresses(fleet),
        "step {step}: the state holds the declared instances"
    );
    project.assert_catalog_matches_state();
    eprintln!("  step {step}: {} instance(s) converged", addresses.len());
    assert_eq!(
        catalog_lines(project),
        expected_catalog(fleet),
        "step {step}: the catalog holds the declared objects"
    );
}

fn run_scenario(mut fleet: Fleet, steps: &[Vec<Edit>]) {
    let project = Project::from_config(&fleet_config(&fleet));
    project.init();
    apply_and_check(&project, &fleet, 0);
    for (index, edits) in steps.iter().enumerate() {
        for edit in edits {
            apply_edit(&mut fleet, edit);
        }
        apply_and_check(&project, &fleet, index + 1);
    }
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
        Err(_) => default,
    }
}

fn runner() -> TestRunner {
    let cases = env_number("TENANTFORM_PROPTEST_CASES", DEFAULT_CASES);
    let seed = env_number("TENANTFORM_PROPTEST_SEED", DEFAULT_SEED);
    eprintln!("convergence property: {cases} case(s), seed {seed}");
    let config = Config {
        cases,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let seed_bytes: Vec<u8> = seed.to_le_bytes().repeat(4);
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    )
}

#[test]
fn every_apply_converges_to_the_declared_fleet() {
    let mut runner = runner();
    let result = runner.run(&scenario(), |(fleet, steps)| {
        run_scenario(fleet, &steps);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("the convergence property failed: {failure}");
    }
}

#[test]
fn the_fixed_seed_draws_the_same_scenarios() {
    let draw = || {
        let mut runner = runner();
        let tree = scenario().new_tree(&mut runner).unwrap();
        format!("{:?}", tree.current())
    };
    let drawn: BTreeSet<String> = (0..3).map(|_| draw()).collect();
    assert_eq!(drawn.len(), 1, "{drawn:?}");
}
