//! `moved` and `removed` blocks through plan and apply: previous addresses, durable moves,
//! forgotten objects and Terraform's errors.

use super::*;
use crate::plan::ActionReason;

const TWO_THINGS: &str = r#"
resource "fake_thing" "a" {
  name = "a"
}

resource "fake_thing" "f" {
  name = "f"
}
"#;

const RENAMED: &str = r#"
resource "fake_thing" "b" {
  name = "a"
}

moved {
  from = fake_thing.a
  to   = fake_thing.b
}

resource "fake_thing" "f" {
  name = "f"
}
"#;

/// [`TWO_THINGS`] without `fake_thing.f`, whose `removed` block holds `inside`.
fn removing_f(inside: &str) -> Config {
    config(&format!(
        "\nresource \"fake_thing\" \"a\" {{\n  name = \"a\"\n}}\n\nremoved {{\n  from = fake_thing.f\n{inside}}}\n"
    ))
}

#[tokio::test]
async fn a_rename_plans_a_move_and_apply_records_it_durably() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let renamed = config(RENAMED);
    let plan = plan(&renamed, &state, &fake).await;
    let moved = change(&plan, "fake_thing.b");
    assert_eq!(moved.action, Action::NoOp);
    assert_eq!(
        moved.previous_address.as_ref().map(ToString::to_string),
        Some("fake_thing.a".to_string())
    );
    assert!(!plan.is_empty(), "a plan with a move is a change");
    let before = fake.events().len();
    let recorder = Recorder::new(&fake);
    let applying = Applying {
        recorder: &recorder,
        cancel_on_start: None,
        runner: &crate::provisioners::RecordingRunner::default(),
    };
    let (after, diags) = applying.apply(&renamed, &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let moves = recorder.moves.lock().unwrap().clone();
    assert_eq!(moves.len(), 1);
    assert_eq!(
        (moves[0].0.to_string(), moves[0].1.to_string()),
        ("fake_thing.a".to_string(), "fake_thing.b".to_string())
    );
    let addrs: Vec<String> = after.instances.keys().map(ToString::to_string).collect();
    assert_eq!(addrs, ["fake_thing.b", "fake_thing.f"]);
    let events = &fake.events()[before..];
    assert!(
        !events
            .iter()
            .any(|e| e.starts_with("delete") || e.starts_with("create")),
        "{events:?}"
    );
    assert!(plan_is_empty(&renamed, &after, &fake).await);
}

async fn plan_is_empty(config: &Config, state: &State, fake: &Arc<FakeProvider>) -> bool {
    plan(config, state, fake).await.is_empty()
}

#[tokio::test]
async fn a_moved_instance_without_configuration_is_deleted_for_lack_of_a_move_target() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let gone = RENAMED.replace("resource \"fake_thing\" \"b\" {\n  name = \"a\"\n}\n", "");
    let plan = plan(&config(&gone), &state, &fake).await;
    assert_action(
        &plan,
        "fake_thing.b",
        Action::Delete,
        Some(ActionReason::DeleteBecauseNoMoveTarget),
    );
}

#[tokio::test]
async fn removed_with_destroy_false_forgets_without_calling_the_provider() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let forgetting = removing_f("  lifecycle {\n    destroy = false\n  }\n");
    let before = fake.events().len();
    let plan = plan(&forgetting, &state, &fake).await;
    let forgotten = change(&plan, "fake_thing.f");
    assert_eq!(forgotten.action, Action::Forget);
    assert!(forgotten.planned.is_null());
    assert!(
        plan.warnings
            .0
            .iter()
            .any(|w| w.summary.contains("no longer be managed")),
        "{:?}",
        plan.warnings
    );
    let (after, diags) = apply(&forgetting, &state, &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    let addrs: Vec<String> = after.instances.keys().map(ToString::to_string).collect();
    assert_eq!(addrs, ["fake_thing.a"]);
    let events = &fake.events()[before..];
    assert!(
        !events.iter().any(|e| e.ends_with(" f")),
        "the forgotten object was touched: {events:?}"
    );
}

#[tokio::test]
async fn removed_with_destroy_true_plans_a_deletion() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let destroying = removing_f("");
    let plan = plan(&destroying, &state, &fake).await;
    assert_eq!(change(&plan, "fake_thing.f").action, Action::Delete);
}

#[tokio::test]
async fn invalid_statements_fail_the_plan_with_terraforms_errors() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let cases = [
        (
            format!("{TWO_THINGS}moved {{\n  from = fake_thing.a\n  to = fake_thing.z\n}}\n"),
            "Moved object still exists",
        ),
        (
            format!(
                "{RENAMED}resource \"fake_thing\" \"c\" {{\n  name = \"c\"\n}}\n\
                 moved {{\n  from = fake_thing.a\n  to = fake_thing.c\n}}\n"
            ),
            "Ambiguous move statements",
        ),
        (
            format!("{TWO_THINGS}removed {{\n  from = fake_thing.a\n}}\n"),
            "Removed resource still exists",
        ),
        (
            format!(
                "{TWO_THINGS}moved {{\n  from = fake_thing.x\n  to = fake_thing.y\n}}\n\
                 moved {{\n  from = fake_thing.y\n  to = fake_thing.x\n}}\n"
            ),
            "Cyclic dependency in move statements",
        ),
    ];
    for (source, summary) in cases {
        let diags = plan_error(&config(&source), &state, &fake).await;
        assert!(
            diags.0.iter().any(|d| d.summary == summary),
            "expected {summary:?}, got:\n{diags}"
        );
    }
}

#[tokio::test]
async fn targeting_must_cover_both_ends_of_a_move() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let mut options = options(PlanMode::Normal);
    options.targets = vec!["fake_thing.b".into()];
    let result = plan_result(&config(RENAMED), &state, &fake, &options).await;
    let diags = result.expect_err("the plan must fail");
    assert_eq!(
        diags.0[0].summary,
        "Moved resource instances excluded by targeting"
    );
    assert!(diags.0[0].detail.contains("-target=\"fake_thing.a\""));
}

#[tokio::test]
async fn removed_blocks_in_child_modules_and_for_whole_modules_forget_their_objects() {
    let fake = FakeProvider::new();
    let files = |main: &str, child: &str| {
        let files = std::collections::BTreeMap::from([
            ("main.tf".to_string(), main.to_string()),
            ("m/main.tf".to_string(), child.to_string()),
        ]);
        crate::config::load_sources(std::path::Path::new("."), files).unwrap()
    };
    let call = "module \"m\" {\n  source = \"./m\"\n}\nmodule \"old\" {\n  source = \"./m\"\n}\n";
    let things = "resource \"fake_thing\" \"kept\" {\n  name = \"k\"\n}\n\
                  resource \"fake_thing\" \"gone\" {\n  name = \"g\"\n}\n";
    let state = converge(&files(call, things), &State::new(), &fake).await;
    let main = "module \"m\" {\n  source = \"./m\"\n}\n\
                removed {\n  from = module.old\n  lifecycle {\n    destroy = false\n  }\n}\n";
    let child = "resource \"fake_thing\" \"kept\" {\n  name = \"k\"\n}\n\
                 removed {\n  from = fake_thing.gone\n  lifecycle {\n    destroy = false\n  }\n}\n";
    let plan = plan(&files(main, child), &state, &fake).await;
    let forgotten: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Forget)
        .map(|c| c.addr.to_string())
        .collect();
    assert_eq!(
        forgotten,
        [
            "module.m.fake_thing.gone",
            "module.old.fake_thing.gone",
            "module.old.fake_thing.kept"
        ]
    );
    assert!(
        plan.changes
            .iter()
            .all(|c| c.action_reason != Some(ActionReason::DeleteBecauseNoModule)),
        "objects of a removed module have no resource configuration, as in Terraform"
    );
}

#[tokio::test]
async fn a_removed_block_runs_its_destroy_time_provisioners_before_the_deletion() {
    let (fake, _, state) = converged(TWO_THINGS).await;
    let removing = removing_f(
        "  provisioner \"local-exec\" {\n    when    = destroy\n    command = \"echo bye ${self.name}\"\n  }\n",
    );
    let plan = plan(&removing, &state, &fake).await;
    let runner = crate::provisioners::RecordingRunner::default();
    let (_, diags) = apply_with_runner(&removing, &state, &plan, &fake, &runner).await;
    assert!(!diags.has_errors(), "{diags}");
    let requests = runner.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].command, "echo bye f");
}

#[tokio::test]
async fn without_moves_the_plan_reads_the_prior_state_uncopied() {
    let (_, _, state) = converged(TWO_THINGS).await;
    let prepare = |text: &str| {
        let (moved, _) = super::super::refactor::prepare(&config(text), &state, PlanMode::Normal)
            .map_err(|diags| diags.to_string())
            .unwrap();
        moved
    };
    let unmoved = prepare(TWO_THINGS);
    assert!(matches!(unmoved, std::borrow::Cow::Borrowed(_)));
    assert_eq!(*unmoved, state);
    let moved = prepare(RENAMED);
    assert!(matches!(moved, std::borrow::Cow::Owned(_)));
    let names: Vec<String> = moved.instances.keys().map(ToString::to_string).collect();
    assert_eq!(names, ["fake_thing.b", "fake_thing.f"]);
}
