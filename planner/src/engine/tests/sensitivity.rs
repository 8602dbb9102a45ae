//! Sensitivity carried with values through planning: variables declared sensitive, locals,
//! attributes the schema marks sensitive, `for_each` values and outputs.

use tenantform_proto::value::{AttributePath, Value};

use super::*;

/// A sensitive `zone` variable, then `rest`.
fn with_sensitive_zone(rest: &str) -> String {
    format!(
        "{}{rest}",
        r#"
variable "zone" {
  type      = string
  sensitive = true
  default   = "eu-1"
}
"#
    )
}

fn sensitive_attributes(plan: &Plan, addr: &str) -> Vec<AttributePath> {
    change(plan, addr).sensitive_paths.clone()
}

#[tokio::test]
async fn a_sensitive_variable_marks_the_attribute_it_sets_through_a_local() {
    let fake = FakeProvider::new();
    let source = &with_sensitive_zone(
        r#"
locals {
  placement = { zone = var.zone, name = "a" }
}

resource "fake_thing" "a" {
  name = local.placement.name
  zone = local.placement.zone
}
"#,
    );
    let plan = plan(&config(source), &State::new(), &fake).await;
    let paths = sensitive_attributes(&plan, "fake_thing.a");
    assert!(paths.contains(&AttributePath::attr("zone")), "{paths:?}");
    assert!(!paths.contains(&AttributePath::attr("name")), "{paths:?}");
}

#[tokio::test]
async fn a_sensitive_attribute_stays_sensitive_where_it_is_used() {
    let fake = FakeProvider::new();
    let source = r#"
resource "fake_thing" "a" {
  name = "a"
}

resource "fake_child" "c" {
  parent_id = fake_thing.a.id
}

locals {
  secret = fake_child.c.secret
}

resource "fake_thing" "b" {
  name = "b"
  zone = local.secret
  size = nonsensitive(local.secret)
}

output "secret" {
  value     = local.secret
  sensitive = true
}
"#;
    let plan = plan(&config(source), &State::new(), &fake).await;
    let paths = sensitive_attributes(&plan, "fake_thing.b");
    assert!(paths.contains(&AttributePath::attr("zone")), "{paths:?}");
    assert!(!paths.contains(&AttributePath::attr("size")), "{paths:?}");
    let output = plan
        .outputs
        .iter()
        .find(|o| o.name == "secret")
        .expect("output");
    assert!(output.sensitive);
}

#[tokio::test]
async fn sensitive_for_each_element_values_are_allowed_and_stay_marked() {
    let fake = FakeProvider::new();
    let source = &with_sensitive_zone(
        r#"
resource "fake_thing" "t" {
  for_each = { a = var.zone, b = "us-1" }
  name     = each.key
  zone     = each.value
}
"#,
    );
    let plan = plan(&config(source), &State::new(), &fake).await;
    let marked = sensitive_attributes(&plan, "fake_thing.t[\"a\"]");
    assert!(marked.contains(&AttributePath::attr("zone")), "{marked:?}");
    let plain = sensitive_attributes(&plan, "fake_thing.t[\"b\"]");
    assert!(!plain.contains(&AttributePath::attr("zone")), "{plain:?}");
    assert_eq!(
        change(&plan, "fake_thing.t[\"a\"]")
            .planned
            .get_attr("zone"),
        Some(&Value::string("eu-1"))
    );
}

#[tokio::test]
async fn sensitive_values_cannot_be_for_each_arguments_or_undeclared_outputs() {
    let fake = FakeProvider::new();
    let for_each = r#"
variable "names" {
  type      = set(string)
  sensitive = true
  default   = ["a"]
}

resource "fake_thing" "t" {
  for_each = var.names
  name     = each.key
}
"#;
    let diags = plan_error(&config(for_each), &State::new(), &fake).await;
    assert!(
        diags
            .iter()
            .any(|d| d.summary == "Invalid for_each argument"
                && d.detail.starts_with("Sensitive values")),
        "{diags:?}"
    );
    let output = r#"
variable "token" {
  type      = string
  sensitive = true
  default   = "t"
}

output "token" {
  value = [var.token]
}
"#;
    let diags = plan_error(&config(output), &State::new(), &fake).await;
    assert!(
        diags
            .iter()
            .any(|d| d.summary == "Output refers to sensitive values"),
        "{diags:?}"
    );
}
