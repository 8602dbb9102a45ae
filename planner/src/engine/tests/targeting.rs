//! `-target`, `-exclude` and `-replace`: what a plan covers, which outputs it evaluates and
//! the warnings it carries.

use std::sync::Arc;

use super::*;
use crate::providers::fake::FakeProvider;

const FLEET: &str = concat!(
    r#"
resource "fake_thing" "base" {
  name = "base"
}

resource "fake_thing" "e" {
  for_each = toset(["x", "y", "z"])
  name     = "e-${each.key}-${fake_thing.base.id}"
}

resource "fake_thing" "lone" {
  name = "lone"
}

output "base" {
  value = fake_thing.base.name
}

output "lone" {
  value = fake_thing.lone.name
}

output "children" {
  value = { for k, c in fake_child.k : k => c.label }
}

output "constant" {
  value = "c"
}
"#,
    child_per_e!(),
);

async fn plan_targeted(
    fake: &Arc<FakeProvider>,
    state: &State,
    targets: &[&str],
    excludes: &[&str],
) -> Result<Plan, Diagnostics> {
    let mut options = options(PlanMode::Normal);
    options.targets = targets
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    options.excludes = excludes
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    plan_result(&config(FLEET), state, fake, &options).await
}

fn planned(plan: &Plan) -> Vec<String> {
    let mut addrs: Vec<String> = actions(plan).into_iter().map(|(a, _)| a).collect();
    addrs.sort();
    addrs
}

fn outputs(plan: &Plan) -> Vec<&str> {
    plan.outputs.iter().map(|o| o.name.as_str()).collect()
}

#[tokio::test]
async fn every_repeated_target_is_planned_with_its_dependencies() {
    let fake = FakeProvider::new();
    let plan = plan_targeted(
        &fake,
        &State::new(),
        &["fake_thing.lone", "fake_thing.e[\"x\"]"],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        planned(&plan),
        ["fake_thing.base", "fake_thing.e[\"x\"]", "fake_thing.lone"]
    );
    assert!(plan.targeted);
    assert_eq!(
        plan.warnings.0[0].summary,
        "Resource targeting is in effect"
    );
    assert!(plan.warnings.0[0].detail.starts_with(
        "You are creating a plan with the -target option, which means that the result of this \
         plan may not represent all of the changes requested by the current configuration."
    ));
}

#[tokio::test]
async fn only_outputs_whose_resources_are_all_targeted_are_evaluated() {
    let fake = FakeProvider::new();
    let plan = plan_targeted(&fake, &State::new(), &["fake_thing.lone"], &[])
        .await
        .unwrap();
    // "children" refers to untargeted resources and "constant" to none: both left out.
    assert_eq!(outputs(&plan), ["lone"]);
    let plan = plan_targeted(&fake, &State::new(), &["fake_child.k[\"y\"]"], &[])
        .await
        .unwrap();
    let mut names = outputs(&plan);
    names.sort_unstable();
    assert_eq!(names, ["base", "children"]);
}

#[tokio::test]
async fn a_targeted_apply_leaves_the_other_outputs_as_they_were() {
    let (fake, _, state) = converged(FLEET).await;
    let edited = FLEET.replace("name = \"lone\"", "name = \"lone2\"");
    let mut options = options(PlanMode::Normal);
    options.targets = vec!["fake_thing.lone".into()];
    let config = config(&edited);
    let plan = plan_with(&config, &state, &fake, &options).await;
    let (after, diags) = apply(&config, &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(diags.0[0].summary, "Applied changes may be incomplete");
    assert_eq!(
        after.outputs.keys().collect::<Vec<_>>(),
        state.outputs.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        after.outputs["constant"].value,
        state.outputs["constant"].value
    );
    assert_ne!(after.outputs["lone"].value, state.outputs["lone"].value);
}

#[tokio::test]
async fn an_exclude_leaves_out_what_it_names_and_everything_depending_on_it() {
    let fake = FakeProvider::new();
    let plan = plan_targeted(&fake, &State::new(), &[], &["fake_thing.base"])
        .await
        .unwrap();
    assert_eq!(planned(&plan), ["fake_thing.lone"]);
    let mut names = outputs(&plan);
    names.sort_unstable();
    assert_eq!(names, ["lone"]);
    assert!(plan.warnings.0[0].detail.contains("-exclude option"));

    // An instance: its siblings stay, but whatever depends on its block is left out.
    let plan = plan_targeted(&fake, &State::new(), &[], &["fake_thing.e[\"x\"]"])
        .await
        .unwrap();
    assert_eq!(
        planned(&plan),
        [
            "fake_thing.base",
            "fake_thing.e[\"y\"]",
            "fake_thing.e[\"z\"]",
            "fake_thing.lone"
        ]
    );
}

#[tokio::test]
async fn a_replace_without_the_key_of_an_expanded_resource_is_warned_about() {
    let (fake, _, state) = converged(FLEET).await;
    let mut options = options(PlanMode::Normal);
    options.replace = vec![
        "fake_thing.e".parse().unwrap(),
        "fake_thing.lone".parse().unwrap(),
        "fake_thing.base".parse().unwrap(),
    ];
    let plan = plan_with(&config(FLEET), &state, &fake, &options).await;
    let replaced: Vec<&str> = ["fake_thing.lone", "fake_thing.base"]
        .into_iter()
        .filter(|a| change(&plan, a).action == Action::DeleteThenCreate)
        .collect();
    assert_eq!(replaced, ["fake_thing.lone", "fake_thing.base"]);
    let warning = &plan.warnings.0[0];
    assert_eq!(
        warning.summary,
        "Incompletely-matched force-replace resource instance"
    );
    assert!(warning.detail.ends_with(
        "\n  -replace=\"fake_thing.e[\\\"x\\\"]\"\n  -replace=\"fake_thing.e[\\\"y\\\"]\"\n  \
         -replace=\"fake_thing.e[\\\"z\\\"]\""
    ));
}

#[tokio::test]
async fn in_a_destroy_plan_targets_take_their_dependents_and_excludes_keep_their_dependencies() {
    let (fake, _, state) = converged(FLEET).await;
    let destroy = |targets: Vec<String>, excludes: Vec<String>| {
        let mut options = options(PlanMode::Destroy);
        options.targets = targets;
        options.excludes = excludes;
        options
    };
    let targeted = destroy(vec!["fake_thing.e[\"x\"]".into()], Vec::new());
    let plan = plan_with(&config(FLEET), &state, &fake, &targeted).await;
    assert_eq!(
        planned(&plan),
        [
            "fake_child.k[\"x\"]",
            "fake_child.k[\"y\"]",
            "fake_child.k[\"z\"]",
            "fake_thing.e[\"x\"]"
        ]
    );
    assert!(plan.outputs.is_empty());
    let excluded = destroy(Vec::new(), vec!["fake_thing.e[\"x\"]".into()]);
    let plan = plan_with(&config(FLEET), &state, &fake, &excluded).await;
    assert_eq!(
        planned(&plan),
        [
            "fake_child.k[\"x\"]",
            "fake_child.k[\"y\"]",
            "fake_child.k[\"z\"]",
            "fake_thing.e[\"y\"]",
            "fake_thing.e[\"z\"]",
            "fake_thing.lone"
        ]
    );
}
