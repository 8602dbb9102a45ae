//! `local-exec` provisioners: when they run, what they see, and what a failure does.

use super::*;
use crate::provisioners::RecordingRunner;

const PROVISIONED: &str = r#"
resource "fake_thing" "a" {
  name = "a"

  provisioner "local-exec" {
    command     = "welcome ${self.name} ${self.id}"
    environment = { TENANT = self.name }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "farewell ${self.name}"
  }
}
"#;

#[tokio::test]
async fn creation_and_destroy_provisioners_run_with_self() {
    let fake = FakeProvider::new();
    let config = config(PROVISIONED);
    let runner = RecordingRunner::default();
    let plan = plan(&config, &State::new(), &fake).await;
    let (state, diags) = apply_with_runner(&config, &State::new(), &plan, &fake, &runner).await;
    assert!(!diags.has_errors(), "{diags}");
    {
        let requests = runner.requests.lock().unwrap();
        assert_eq!(requests.len(), 1, "{requests:?}");
        assert!(
            requests[0].command.starts_with("welcome a "),
            "{requests:?}"
        );
        assert_eq!(requests[0].environment["TENANT"], "a");
    }
    let destroy = plan_mode(&config, &state, &fake, PlanMode::Destroy).await;
    let (state, diags) = apply_with_runner(&config, &state, &destroy, &fake, &runner).await;
    assert!(!diags.has_errors(), "{diags}");
    assert!(state.instances.is_empty());
    assert_eq!(runner.requests.lock().unwrap()[1].command, "farewell a");
}

#[tokio::test]
async fn a_failed_creation_provisioner_taints_the_object_unless_it_may_continue() {
    let failing = |on_failure: &str| {
        format!(
            "resource \"fake_thing\" \"a\" {{\n  name = \"a\"\n  provisioner \"local-exec\" {{\n    \
             command = \"false\"\n    on_failure = {on_failure}\n  }}\n}}\n"
        )
    };
    let (fake, config, plan) = planned_afresh(&failing("fail")).await;
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    error_mentioning(&diags, "local-exec provisioner error", "exit status 1");
    let stored = state.instances.values().next().expect("the created object");
    assert!(stored.tainted);

    let fake = FakeProvider::new();
    let config = super::config(&failing("continue"));
    let plan = super::plan(&config, &State::new(), &fake).await;
    let (state, diags) = apply(&config, &State::new(), &plan, &fake).await;
    assert!(!diags.has_errors(), "{diags}");
    assert!(
        diags
            .iter()
            .any(|d| d.summary == "local-exec provisioner error")
    );
    assert!(!state.instances.values().next().unwrap().tainted);
}
