//! `terraform.workspace` is the workspace the operation runs in: the plan's, the apply's
//! (the plan's recorded workspace), validation's.

use super::*;

const NAMED_BY_WORKSPACE: &str = r#"
resource "fake_thing" "w" {
  name = "thing-${terraform.workspace}"
}

output "workspace" {
  value = terraform.workspace
}
"#;

#[tokio::test]
async fn plan_and_apply_evaluate_terraform_workspace_to_the_plans_workspace() {
    let fake = FakeProvider::new();
    let config = config(NAMED_BY_WORKSPACE);
    let mut options = options(PlanMode::Normal);
    options.workspace = "staging".into();
    let plan = plan_with(&config, &State::new(), &fake, &options).await;
    assert_eq!(plan.workspace, "staging");
    let output = plan.outputs.iter().find(|o| o.name == "workspace");
    assert_eq!(output.map(|o| &o.after), Some(&Value::string("staging")));
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(
        string_attr(&state, "fake_thing.w", "name"),
        Value::string("thing-staging")
    );
}

#[tokio::test]
async fn the_default_workspace_is_default() {
    let fake = FakeProvider::new();
    let plan = plan(&config(NAMED_BY_WORKSPACE), &State::new(), &fake).await;
    let output = plan.outputs.iter().find(|o| o.name == "workspace");
    assert_eq!(output.map(|o| &o.after), Some(&Value::string("default")));
}

#[tokio::test]
async fn validation_sees_the_workspace_it_is_given() {
    let providers = providers(&FakeProvider::new());
    let config = config(
        r#"
resource "fake_thing" "w" {
  name = terraform.workspace == "prod" ? "ok" : 5 + "x"
}
"#,
    );
    let prod = super::super::validate_in_workspace(&config, &providers, "prod").await;
    assert!(!prod.has_errors(), "{prod}");
    let default = super::super::validate(&config, &providers).await;
    assert!(
        default.has_errors(),
        "the default workspace takes the failing branch"
    );
}
