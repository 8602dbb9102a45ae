//! `apply -waves=SIZES -partition=module.tenant` on a fleet of `for_each` tenant modules on
//! the embedded backend: the waves apply every tenant in key order (a header per wave, the
//! state written once per wave); a `check` block that fails for a tenant of the second wave
//! stops the rollout with exit 1, the first wave applied and the third untouched (the state
//! and the catalog show it); once the cause is fixed, the same command applies only what is
//! left and the fleet converges. An interrupt stops the rollout before the second wave.
//! The flags are refused where they cannot apply.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeMap;
use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::process::children_running;
use acceptance_tests::recovery::wait_for_catalog_objects;

const TENANTS: [&str; 6] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

const ROOT: &str = r#"
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

provider "tenant" {
  backend = "embedded"
}

variable "release" {
  default = "v1"
}

# The tenant whose check rejects release v2 (the cause the test fixes).
variable "fragile" {
  default = "charlie"
}

module "tenant" {
  source   = "./modules/tenant"
  # Given out of order: the waves take them in key order.
  for_each = toset(["foxtrot", "charlie", "alpha", "echo", "bravo", "delta"])
  slug     = each.key
  release  = var.release
  fragile  = var.fragile == each.key
}

output "display_names" {
  value = { for slug, t in module.tenant : slug => t.display_name }
}
"#;

const TENANT: &str = r#"
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

variable "slug" {}
variable "release" {}
variable "fragile" {}

resource "tenant" "this" {
  slug                = var.slug
  display_name        = "${var.slug} ${var.release}"
  tier                = "free"
  region              = "eu-west-1"
  deletion_protection = false
}

resource "tenant_database" "main" {
  tenant_id        = tenant.this.id
  name             = "main"
  connection_limit = 5
}

check "release" {
  assert {
    condition     = !(var.fragile && tenant.this.display_name == "${var.slug} v2")
    error_message = "${var.slug} cannot run release v2."
  }
}

output "display_name" {
  value = tenant.this.display_name
}
"#;

fn fleet() -> Project {
    fleet_of(ROOT)
}

fn fleet_of(root: &str) -> Project {
    let project = Project::from_config(root);
    project.write_file("modules/tenant/main.tf", TENANT);
    project.init();
    project
}

fn serial(project: &Project) -> u64 {
    project.state().document["serial"].as_u64().unwrap()
}

/// Each tenant's display name, from the catalog.
fn catalog_names(project: &Project) -> BTreeMap<String, String> {
    project
        .catalog()
        .of("tenant")
        .iter()
        .map(|t| (t.key.clone(), t.detail.clone()))
        .collect()
}

/// Each tenant's display name, from the state.
fn state_names(project: &Project) -> BTreeMap<String, String> {
    project
        .state()
        .instances
        .iter()
        .filter(|i| i.resource_type == "tenant")
        .map(|i| {
            (
                i.attribute_str("slug").unwrap().to_string(),
                i.attribute_str("display_name").unwrap().to_string(),
            )
        })
        .collect()
}

fn names(releases: &[(&str, &str)]) -> BTreeMap<String, String> {
    releases
        .iter()
        .map(|(slug, release)| (slug.to_string(), format!("{slug} {release}")))
        .collect()
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in:\n{text}"))
}

fn waves_apply(project: &Project, sizes: &str, release: &str) -> acceptance_tests::Output {
    project.tenantform(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-waves={sizes}"),
        "-partition=module.tenant",
        &format!("-var=release={release}"),
    ])
}

#[test]
fn waves_apply_every_tenant_in_key_order_writing_the_state_after_each_wave() {
    let project = fleet();
    let applied = waves_apply(&project, "1,25%,100%", "v1");
    applied.expect_success();
    let out = &applied.stdout;
    // Six tenants: one, then 25% (2) in all, then all.
    assert!(
        out.contains("Canary rollout: 3 waves over 6 partitions of module.tenant with changes."),
        "{out}"
    );
    let headers = [
        "Wave 1 of 3: 1 partition: module.tenant[\"alpha\"]\n",
        "Wave 2 of 3: 1 partition: module.tenant[\"bravo\"]\n",
        "Wave 3 of 3: 4 partitions: module.tenant[\"charlie\"], module.tenant[\"delta\"], \
         module.tenant[\"echo\"], module.tenant[\"foxtrot\"]\n",
    ];
    let starts: Vec<usize> = headers.iter().map(|h| position(out, h)).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{out}");
    for (slug, wave) in TENANTS.iter().zip([0, 1, 2, 2, 2, 2]) {
        for resource in ["tenant.this", "tenant_database.main"] {
            let done = position(
                out,
                &format!("module.tenant[\"{slug}\"].{resource}: Creation complete"),
            );
            assert!(done > starts[wave], "{slug} before its wave:\n{out}");
            assert!(
                starts.get(wave + 1).is_none_or(|&next| done < next),
                "{slug} after its wave:\n{out}"
            );
        }
    }
    assert!(
        out.contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    // The state was written once per wave.
    assert_eq!(serial(&project), 3);
    let all_v1 = names(&TENANTS.map(|slug| (slug, "v1")));
    assert_eq!(state_names(&project), all_v1);
    assert_eq!(catalog_names(&project), all_v1);
    project.assert_catalog_matches_state();
    project.plan_detailed().expect_code(0);
}

#[test]
fn a_failed_check_stops_the_rollout_and_running_it_again_applies_only_what_is_left() {
    let project = fleet();
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    let before = serial(&project);

    // Release v2: charlie (wave 2 of 1,3,100%) fails its check once applied.
    let stopped = waves_apply(&project, "1,3,100%", "v2");
    assert_eq!(stopped.code, Some(1), "{}", stopped.describe());
    let err = &stopped.stderr;
    for expected in [
        "Canary rollout stopped at wave 2 of 3",
        "Wave 2 of 3 was applied (2 partitions: module.tenant[\"bravo\"], \
         module.tenant[\"charlie\"]), but its checks failed:",
        "module.tenant[\"charlie\"].check.release: charlie cannot run release v2.",
        "Applied by the earlier waves: 1 partition: module.tenant[\"alpha\"].",
        "Untouched (the later waves): 3 partitions: module.tenant[\"delta\"], \
         module.tenant[\"echo\"], module.tenant[\"foxtrot\"].",
    ] {
        assert!(err.contains(expected), "{expected:?} missing:\n{err}");
    }
    assert!(
        !stopped.stdout.contains("Wave 3 of 3"),
        "{}",
        stopped.stdout
    );
    // Two waves written; waves 1 and 2 applied, wave 3 untouched, in the state and the
    // catalog alike.
    assert_eq!(serial(&project), before + 2);
    let halfway = names(&[
        ("alpha", "v2"),
        ("bravo", "v2"),
        ("charlie", "v2"),
        ("delta", "v1"),
        ("echo", "v1"),
        ("foxtrot", "v1"),
    ]);
    assert_eq!(state_names(&project), halfway);
    assert_eq!(catalog_names(&project), halfway);

    // The cause fixed (no tenant rejects v2), the same command plans again and applies
    // only the tenants left.
    project.replace_in_file("main.tf", "default = \"charlie\"", "default = \"\"");
    let resumed = waves_apply(&project, "1,3,100%", "v2");
    resumed.expect_success();
    let out = &resumed.stdout;
    assert!(
        out.contains("Canary rollout: 2 waves over 3 partitions of module.tenant with changes."),
        "{out}"
    );
    assert!(
        out.contains("Wave 1 of 2: 1 partition: module.tenant[\"delta\"]\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "Wave 2 of 2: 2 partitions: module.tenant[\"echo\"], module.tenant[\"foxtrot\"]\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Apply complete! Resources: 0 added, 3 changed, 0 destroyed."),
        "{out}"
    );
    let all_v2 = names(&TENANTS.map(|slug| (slug, "v2")));
    assert_eq!(state_names(&project), all_v2);
    assert_eq!(catalog_names(&project), all_v2);
    project.assert_catalog_matches_state();
    project
        .tenantform(&[
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-var=release=v2",
        ])
        .expect_code(0);
}

#[test]
fn the_flags_are_refused_where_they_cannot_apply() {
    let project = fleet();
    let refused = |args: &[&str], expected: &str| {
        let mut all = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        all.extend_from_slice(args);
        let output = project.tenantform(&all);
        assert_eq!(output.code, Some(1), "{}", output.describe());
        assert!(
            output.stderr.contains(expected),
            "{expected:?} missing: {}",
            output.describe()
        );
    };
    refused(&["-waves=1,100%"], "needs -partition");
    refused(&["-partition=module.tenant"], "goes with -waves");
    refused(
        &["-waves=1,50%", "-partition=module.tenant"],
        "the last wave must be 100%",
    );
    refused(
        &["-waves=1,100%", "-partition=module.nope"],
        "Invalid -partition module.nope: the root module has no module call \"nope\"",
    );
    refused(
        &["-waves=1,100%", "-partition=module.tenant", "saved.tfplan"],
        "A saved plan is stale after the first wave",
    );
    refused(
        &["-waves=1,100%", "-partition=module.tenant", "-destroy"],
        "not valid with -destroy",
    );
    let destroy = project.tenantform(&["destroy", "-auto-approve", "-waves=1,100%"]);
    assert_eq!(destroy.code, Some(1), "{}", destroy.describe());
    // Nothing was applied by any of them.
    assert!(!project.state_path().exists());
}

fn send_interrupt(pid: u32) {
    // SAFETY: kill(2) with a pid this test started and a valid signal number.
    let result = unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) };
    assert_eq!(result, 0, "kill -INT {pid} failed");
}

#[test]
fn an_interrupt_stops_the_rollout_before_the_next_wave() {
    // Forty tenants, t00 to t39: the first wave takes t00 to t19.
    let root = ROOT.replace(
        "toset([\"foxtrot\", \"charlie\", \"alpha\", \"echo\", \"bravo\", \"delta\"])",
        "toset([for i in range(40) : format(\"t%02d\", i)])",
    );
    assert_ne!(root, ROOT);
    let project = fleet_of(&root);
    let mut apply = project
        .tenantform_command(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-parallelism=1",
            "-waves=50%,100%",
            "-partition=module.tenant",
        ])
        .spawn(false);
    wait_for_catalog_objects(&project, &mut apply, 4);
    let providers = children_running(apply.pid(), &project.binaries().provider);
    send_interrupt(apply.pid());
    for &pid in &providers {
        send_interrupt(pid);
    }
    let interrupted = apply.wait(Duration::from_secs(60));
    assert_eq!(interrupted.code, Some(1), "{}", interrupted.describe());
    let output = interrupted.combined();
    assert!(output.contains("Interrupt received"), "{output}");
    assert!(
        output.contains("Canary rollout stopped at wave"),
        "{output}"
    );
    assert!(!output.contains("Wave 2 of 2:"), "{output}");
    // Nothing of the second wave was applied; what the first did is all in the state.
    let second_wave = |slug: &str| slug.as_bytes()[1] >= b'2';
    let catalog = catalog_names(&project);
    assert!(!catalog.is_empty());
    assert!(!catalog.keys().any(|slug| second_wave(slug)), "{catalog:?}");
    assert!(!state_names(&project).keys().any(|slug| second_wave(slug)));
    project.assert_catalog_matches_state();
    // Running it again finishes the rollout.
    waves_apply(&project, "50%,100%", "v1").expect_success();
    assert_eq!(catalog_names(&project).len(), 40);
    project.plan_detailed().expect_code(0);
}
