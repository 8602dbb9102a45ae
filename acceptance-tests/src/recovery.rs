//! The checks after an interrupted apply (a killed `tenantform` or provider): the state still
//! parses, every object the provider created is either recorded in the state or adopted by the
//! next plan, and a follow-up apply converges to exactly the configured objects.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::catalog::CatalogObject;
use crate::plan_json;
use crate::process::{RunningProcess, wait_until};
use crate::project::Project;
use crate::state::State;

/// Live catalog objects per resource type that the configuration declares.
pub struct Expected {
    pub tenants: usize,
    pub databases: usize,
}

/// Runs the recovery checks on `project` after an interruption.
pub fn assert_recovers(project: &Project, expected: &Expected) {
    if project.state_path().exists() {
        let text = std::fs::read_to_string(project.state_path()).expect("read the state file");
        if let Err(error) = State::parse(&text) {
            panic!("the state file does not parse after the interruption: {error}\n{text}");
        }
    }
    let catalog_after_interruption = project.catalog();

    let plan = project.tenantform(&["plan", "-input=false", "-no-color", "-out", "tfplan"]);
    plan.expect_success();
    let shown = project.tenantform(&["show", "-json", "tfplan"]);
    shown.expect_success();
    let plan_document = plan_json::parse(&shown.stdout, "tenantform");

    // "In the state" means in the state file or in the state the plan started from (which
    // includes anything a journal replay recovered).
    let mut recorded: BTreeSet<String> = plan_json::prior_state_ids(&plan_document);
    for instance in &project.state_or_empty().instances {
        if let Some(id) = instance.id() {
            recorded.insert(id.to_string());
        }
    }
    let unrecorded: Vec<(String, CatalogObject)> = catalog_after_interruption
        .all_objects()
        .into_iter()
        .filter(|(_, object)| !recorded.contains(&object.id))
        .collect();
    eprintln!(
        "after the interruption: {}; {} object(s) not in the state",
        catalog_after_interruption.summary(),
        unrecorded.len()
    );
    if !unrecorded.is_empty() {
        assert!(
            plan.combined().contains("Adopting existing"),
            "{} catalog object(s) are not in the state and the plan does not adopt them: \
             {unrecorded:?}\n{}",
            unrecorded.len(),
            plan.describe()
        );
    }

    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    project.assert_catalog_matches_state();
    let catalog = project.catalog();
    assert_eq!(
        catalog.count("tenant"),
        expected.tenants,
        "{}",
        catalog.summary()
    );
    assert_eq!(
        catalog.count("tenant_database"),
        expected.databases,
        "{}",
        catalog.summary()
    );
    // Adopted, not replaced: everything that existed after the interruption is still there.
    for (resource_type, object) in catalog_after_interruption.all_objects() {
        assert!(
            catalog.find(&resource_type, &object.id).is_some(),
            "{resource_type} {object:?} existed after the interruption but was replaced \
             instead of adopted: {}",
            catalog.summary()
        );
    }
    project
        .tenantform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .expect_code(0);
}

/// Starts `tenantform apply` of the configuration in `project` in the background.
pub fn start_apply(project: &Project, parallelism: usize) -> RunningProcess {
    let parallelism = format!("-parallelism={parallelism}");
    project
        .tenantform_command(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            &parallelism,
        ])
        .spawn(false)
}

/// Waits until the catalog holds at least `count` live objects of any kind, panicking when
/// the apply ends or a minute passes first.
pub fn wait_for_catalog_objects(project: &Project, apply: &mut RunningProcess, count: usize) {
    let reached = wait_until(Duration::from_secs(60), || {
        apply.has_exited() || project.catalog().all_objects().len() >= count
    });
    let catalog = project.catalog();
    assert!(
        reached && !apply.has_exited(),
        "the apply should still be running with {count} catalog objects; catalog: {}\n{}",
        catalog.summary(),
        apply.output_so_far()
    );
}
