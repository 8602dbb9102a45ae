//! What the state keeps after an apply, against Terraform 1.15.5: the same configuration is
//! applied by `tenantform` and by Terraform, each in its own directory, and then
//!
//! - the state's `sensitive_attributes` agree, including the attributes the configuration
//!   (not the provider's schema) makes sensitive;
//! - `show -json` marks the same `sensitive_values`, lists the same `depends_on` and gives the
//!   outputs and the attributes of dynamic type the same values and types;
//! - `console` prints the same for expressions over the stored resources (values, sensitive
//!   values, `type(...)`);
//! - a destroy plan keeps the same `before_sensitive`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::plan_text::mask_generated;
use acceptance_tests::process::DEFAULT_TIMEOUT;
use acceptance_tests::{Output, Project, Terraform, TerraformVersion};
use serde_json::Value;

const CONFIG: &str = r#"
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

provider "tenant" {
  backend = "embedded"
  path    = "${path.root}/.tenants"
}

variable "display" {
  type      = string
  default   = "Acme Corporation"
  sensitive = true
}

resource "tenant" "acme" {
  slug                = "acme"
  display_name        = var.display
  deletion_protection = false
  labels = {
    team = "core"
  }
}

resource "tenant" "fleet" {
  count               = 2
  slug                = "fleet-${count.index}"
  display_name        = "Fleet ${count.index}"
  deletion_protection = false
  labels              = { parent = tenant.acme.slug }
}

resource "tenant" "after" {
  slug                = "after"
  display_name        = "After"
  deletion_protection = false
  depends_on          = [tenant.fleet]
}

resource "terraform_data" "profile" {
  input = { tier = "gold", seats = 5, regions = ["eu", "us"] }
}

output "fleet_slugs" {
  value = [for t in tenant.fleet : t.slug]
}

output "summary" {
  value = { count = length(tenant.fleet), first = tenant.fleet[0].slug, flags = [true] }
}
"#;

const CONSOLE_EXPRESSIONS: [&str; 8] = [
    "tenant.acme.slug",
    "tenant.acme.display_name",
    "tenant.acme.labels",
    "tenant.acme.contact",
    "tenant.fleet[1].slug",
    "[for t in tenant.fleet : t.slug]",
    "type(tenant.acme.labels)",
    "type(tenant.fleet[0].slug)",
];

/// One tool's applied project.
struct Side<'t> {
    name: &'static str,
    project: Project,
    terraform: Option<&'t Terraform>,
}

impl Side<'_> {
    fn run(&self, args: &[&str]) -> Output {
        match self.terraform {
            Some(terraform) => self.project.terraform(terraform, args),
            None => self.project.tenantform(args),
        }
    }

    fn console(&self, expression: &str) -> Output {
        let command = match self.terraform {
            Some(terraform) => self
                .project
                .terraform_command(terraform, &["console", "-no-color"]),
            None => self.project.tenantform_command(&["console", "-no-color"]),
        };
        let mut running = command.spawn(true);
        running.write_stdin(&format!("{expression}\n"));
        running.close_stdin();
        running.wait(DEFAULT_TIMEOUT)
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        output.expect_success();
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", self.name, output.describe()))
    }

    /// `sensitive_attributes` of every instance in the state file, by address.
    fn stored_sensitive_attributes(&self) -> Vec<(String, Value)> {
        let text = self.project.read_file("terraform.tfstate");
        let state: Value = serde_json::from_str(&text).expect("state JSON");
        let mut found = Vec::new();
        for resource in state["resources"].as_array().into_iter().flatten() {
            for instance in resource["instances"].as_array().into_iter().flatten() {
                let address = format!(
                    "{}.{}{}",
                    resource["type"].as_str().unwrap_or_default(),
                    resource["name"].as_str().unwrap_or_default(),
                    match &instance["index_key"] {
                        Value::Null => String::new(),
                        key => format!("[{key}]"),
                    }
                );
                let mut paths = instance["sensitive_attributes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                paths.sort_by_key(std::string::ToString::to_string);
                found.push((address, Value::Array(paths)));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }
}

/// The `field` of every resource instance of a state's JSON values (`show -json`'s
/// `values`, or a plan's `prior_state.values`), by address.
fn per_address(values: &Value, field: &str) -> Vec<(String, Value)> {
    let mut found: Vec<(String, Value)> = values["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["address"].as_str().unwrap_or_default().to_string(),
                r[field].clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn sensitive_values(show: &Value) -> Vec<(String, Value)> {
    per_address(&show["values"], "sensitive_values")
}

fn depends_on(values: &Value) -> Vec<(String, Value)> {
    per_address(values, "depends_on")
}

fn before_sensitive(plan: &Value) -> Vec<(String, Value)> {
    let mut found: Vec<(String, Value)> = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["address"].as_str().unwrap_or_default().to_string(),
                c["change"]["before_sensitive"].clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// `show` and `state show` print the same text, generated ids and timestamps masked.
fn assert_show_text_agrees(ours: &Side<'_>, theirs: &Side<'_>) {
    let (our_text, their_text) = (
        ours.run(&["show", "-no-color"]),
        theirs.run(&["show", "-no-color"]),
    );
    assert_eq!(
        mask_generated(&our_text.stdout),
        mask_generated(&their_text.stdout),
        "show of the state, generated ids and timestamps masked"
    );
    for address in ["tenant.acme", "tenant.fleet[1]", "terraform_data.profile"] {
        let command = ["state", "show", "-no-color", address];
        let (mine, reference) = (ours.run(&command), theirs.run(&command));
        assert_eq!(
            (mine.code, mask_generated(&mine.stdout)),
            (reference.code, mask_generated(&reference.stdout)),
            "state show {address}"
        );
    }
}

/// `show -json` of the state: the same `sensitive_values`, `depends_on` and outputs.
fn assert_show_json_agrees(ours: &Side<'_>, theirs: &Side<'_>) {
    let show = ["show", "-json", "-no-color"];
    let (our_show, their_show) = (ours.json(&show), theirs.json(&show));
    assert_eq!(
        sensitive_values(&our_show),
        sensitive_values(&their_show),
        "sensitive_values of show -json"
    );
    let their_depends_on = depends_on(&their_show["values"]);
    assert!(
        their_depends_on.iter().any(|(_, d)| d.is_array()),
        "Terraform lists dependencies: {their_depends_on:?}"
    );
    assert_eq!(
        depends_on(&our_show["values"]),
        their_depends_on,
        "depends_on of show -json"
    );
    assert_eq!(
        our_show["values"]["outputs"], their_show["values"]["outputs"],
        "outputs (values and types) of show -json"
    );
    let dynamic = |show: &Value| {
        let resources = show["values"]["root_module"]["resources"]
            .as_array()
            .cloned();
        let profile = resources
            .into_iter()
            .flatten()
            .find(|r| r["address"] == "terraform_data.profile")
            .unwrap_or_default();
        let values = &profile["values"];
        (
            values["input"].clone(),
            values["output"].clone(),
            profile["sensitive_values"].clone(),
        )
    };
    assert_eq!(
        dynamic(&our_show),
        dynamic(&their_show),
        "attributes of dynamic type in show -json"
    );
}

#[test]
fn the_state_console_and_show_agree_with_terraform_after_an_apply() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let ours = Side {
        name: "tenantform",
        project: Project::from_config(CONFIG),
        terraform: None,
    };
    let theirs = Side {
        name: "terraform",
        project: Project::from_config(CONFIG),
        terraform: Some(&terraform),
    };
    ours.run(&["init", "-input=false", "-no-color"])
        .expect_success();
    for side in [&ours, &theirs] {
        side.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .expect_success();
    }

    let stored = theirs.stored_sensitive_attributes();
    let acme = stored
        .iter()
        .find(|(address, _)| address == "tenant.acme")
        .map(|(_, paths)| paths.to_string())
        .unwrap_or_default();
    assert!(
        acme.contains(r#"{"type":"get_attr","value":"display_name"}"#),
        "Terraform records the configuration's sensitive display_name: {acme}"
    );
    assert_eq!(
        ours.stored_sensitive_attributes(),
        stored,
        "sensitive_attributes in the state"
    );
    assert_show_json_agrees(&ours, &theirs);
    assert_show_text_agrees(&ours, &theirs);
    for side in [&ours, &theirs] {
        let shown = side.run(&["show", "-no-color"]);
        shown.expect_success();
        assert!(
            shown.stdout.contains("display_name") && shown.stdout.contains("(sensitive value)"),
            "{}: show hides the sensitive display name\n{}",
            side.name,
            shown.describe()
        );
        assert!(
            !shown.stdout.contains("Acme Corporation"),
            "{}: show prints the sensitive display name\n{}",
            side.name,
            shown.describe()
        );
    }

    for expression in CONSOLE_EXPRESSIONS {
        let (mine, reference) = (ours.console(expression), theirs.console(expression));
        assert_eq!(
            (mine.code, mine.stdout.as_str()),
            (reference.code, reference.stdout.as_str()),
            "console {expression:?}\ntenantform: {}\nterraform: {}",
            mine.describe(),
            reference.describe()
        );
    }

    for side in [&ours, &theirs] {
        side.run(&[
            "plan",
            "-destroy",
            "-input=false",
            "-no-color",
            "-out",
            "destroy.tfplan",
        ])
        .expect_success();
    }
    let show_plan = ["show", "-json", "-no-color", "destroy.tfplan"];
    let (our_plan, their_plan) = (ours.json(&show_plan), theirs.json(&show_plan));
    assert_eq!(
        before_sensitive(&our_plan),
        before_sensitive(&their_plan),
        "before_sensitive of the destroy plan"
    );
    assert_eq!(
        depends_on(&our_plan["prior_state"]["values"]),
        depends_on(&their_plan["prior_state"]["values"]),
        "depends_on of the destroy plan's prior_state"
    );
    for side in [&ours, &theirs] {
        side.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .expect_success();
    }
}
