//! `plan -refresh-only -sweep=K/N` on a PostgreSQL tenant fleet: logins turned off by hand in
//! several tenants are drift, each sweep slice reports exactly the drift of its own tenants
//! (a tenant never split across slices, the slices disjoint), and the slices together report
//! what a full `plan -refresh-only` does; `refresh -sweep` records only its slice's drift.
//! `-sweep` outside refresh-only mode, or with a bad value, is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};

use acceptance_tests::pg_inspect::{PgInspector, identifier};
use acceptance_tests::pg_project::{PgProject, start_postgres, user_address};
use acceptance_tests::postgres::Profile;

const TENANTS: usize = 6;
const SLICES: usize = 3;

/// The addresses a refresh-only plan (with `extra` flags) reports as drifted, from
/// `show -json`'s `resource_drift`.
fn drifted(fleet: &PgProject<'_>, name: &str, extra: &[&str]) -> BTreeSet<String> {
    let plan_file = format!("{name}.tfplan");
    let mut args = vec!["plan", "-refresh-only", "-input=false", "-no-color"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-out", &plan_file]);
    fleet.tenantform(&args).expect_success();
    let shown = fleet.tenantform(&["show", "-json", &plan_file]);
    shown.expect_success();
    let plan: serde_json::Value = serde_json::from_str(&shown.stdout)
        .unwrap_or_else(|e| panic!("show -json is not JSON ({e}): {}", shown.describe()));
    plan["resource_drift"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|drift| drift["change"]["actions"] != serde_json::json!(["no-op"]))
        .map(|drift| drift["address"].as_str().unwrap().to_string())
        .collect()
}

/// The tenant slug of a `module.tenant["SLUG"]...` address.
fn tenant_of(address: &str) -> &str {
    let rest = address
        .strip_prefix("module.tenant[\"")
        .unwrap_or_else(|| panic!("{address} is not in a tenant"));
    &rest[..rest.find('"').unwrap()]
}

#[test]
fn sweep_slices_report_their_tenants_drift_and_add_up_to_a_full_refresh() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::example(&server, TENANTS);
    let inventory = fleet.inventory();
    assert_eq!(inventory.len(), TENANTS);
    let inspector = PgInspector::new(&server);
    fleet.init_and_apply();
    assert!(drifted(&fleet, "clean", &[]).is_empty());

    // A DBA turns logins off by hand in every tenant: all of a tenant's users where it has
    // several, so a tenant's drift spans more than one instance.
    let mut expected = BTreeSet::new();
    for tenant in &inventory {
        for user in &tenant.users {
            let (login, _) = fleet.user_credentials(&tenant.slug, &user.email);
            inspector.rows(&format!("ALTER ROLE {} NOLOGIN", identifier(&login)));
            expected.insert(user_address(&tenant.slug, &user.email));
        }
    }
    let full = drifted(&fleet, "full", &[]);
    assert_eq!(
        full, expected,
        "a full refresh-only plan reports every drifted login"
    );

    let mut slice_of_tenant: BTreeMap<String, usize> = BTreeMap::new();
    let mut union = BTreeSet::new();
    for k in 1..=SLICES {
        let sweep = format!("-sweep={k}/{SLICES}");
        let slice = drifted(&fleet, &format!("sweep{k}"), &[&sweep]);
        for address in &slice {
            assert!(
                full.contains(address),
                "{sweep} reports {address}, not drift"
            );
            let earlier = slice_of_tenant.insert(tenant_of(address).to_string(), k);
            assert!(
                earlier.is_none_or(|earlier| earlier == k),
                "{address} is in slice {k}, its tenant in slice {earlier:?}"
            );
            assert!(union.insert(address.clone()), "{address} in two slices");
        }
    }
    // Every tenant's drift in one slice, the slices together the full refresh.
    assert_eq!(slice_of_tenant.len(), TENANTS, "{slice_of_tenant:?}");
    assert_eq!(union, full);
    let used: BTreeSet<usize> = slice_of_tenant.values().copied().collect();
    assert!(
        used.len() > 1,
        "the fleet falls into one slice: {slice_of_tenant:?}"
    );
    // -sweep=1/1 is the full refresh-only plan; nothing was changed by the sweeps.
    assert_eq!(drifted(&fleet, "whole", &["-sweep=1/1"]), full);

    // `refresh -sweep` records only its slice's drift in the state: a later full
    // refresh-only plan still reports the other slices'.
    let first = &inventory[0].slug;
    let k = slice_of_tenant[first];
    fleet
        .tenantform(&[
            "refresh",
            "-input=false",
            "-no-color",
            &format!("-sweep={k}/{SLICES}"),
        ])
        .expect_success();
    let left: BTreeSet<String> = full
        .iter()
        .filter(|address| slice_of_tenant[tenant_of(address)] != k)
        .cloned()
        .collect();
    assert_eq!(drifted(&fleet, "after_refresh", &[]), left);
}

#[test]
fn sweep_is_refused_outside_refresh_only_mode_and_with_a_bad_value() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::example(&server, 1);
    fleet.init();
    let normal = fleet.tenantform(&["plan", "-input=false", "-no-color", "-sweep=1/3"]);
    assert_eq!(normal.code, Some(1), "{}", normal.describe());
    assert!(
        normal.stderr.contains("-sweep") && normal.stderr.contains("refresh-only"),
        "{}",
        normal.describe()
    );
    for bad in ["-sweep=0/3", "-sweep=4/3", "-sweep=1/0", "-sweep=two/3"] {
        let refused = fleet.tenantform(&["plan", "-refresh-only", "-input=false", bad]);
        assert_eq!(refused.code, Some(1), "{}", refused.describe());
        assert!(
            refused.stderr.contains("Invalid -sweep"),
            "{bad}: {}",
            refused.describe()
        );
    }
    for command in [
        &["refresh", "-input=false", "-sweep=3/2"][..],
        &[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-sweep=3/2",
        ][..],
    ] {
        let refused = fleet.tenantform(command);
        assert_eq!(refused.code, Some(1), "{}", refused.describe());
        assert!(
            refused.stderr.contains("Invalid -sweep"),
            "{}",
            refused.describe()
        );
    }
    let destroying = fleet.tenantform(&["apply", "-destroy", "-auto-approve", "-sweep=1/2"]);
    assert_eq!(destroying.code, Some(1), "{}", destroying.describe());
    assert!(
        destroying.stderr.contains("-sweep"),
        "{}",
        destroying.describe()
    );
}
