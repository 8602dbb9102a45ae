//! Unit tests of configuration loading and its diagnostics.

use std::collections::BTreeMap;
use std::path::Path;

use hcl_edit::Span;

use super::{Config, load_dir, load_sources};
use crate::addrs::ResourceAddr;
use crate::diags::Diagnostics;

const VERSIONS_TF: &str = r#"terraform {
  required_version = ">= 1.5"
  required_providers {
    tenant = {
      source  = "tenantform/tenant"
      version = "~> 0.1"
    }
    random = {
      version = ">= 3.0"
    }
  }
}

provider "tenant" {
  backend = "embedded"
}
"#;

const MAIN_TF: &str = r#"variable "tenants" {
  description = "Tenants to onboard"
  type        = map(object({ tier = string }))
  default = {
    acme = { tier = "standard" }
  }
}

variable "admin_password" {
  sensitive = true
}

locals {
  region = "eu-west-1"
}

locals {
  labels = { managed_by = "tenantform", region = local.region }
}

resource "tenant" "this" {
  for_each = var.tenants
  slug     = each.key
  tier     = each.value.tier
  region   = local.region
  labels   = local.labels

  lifecycle {
    prevent_destroy = true
  }
}

resource "tenant_user" "admin" {
  count      = 2
  provider   = tenant
  tenant_id  = tenant.this["acme"].id
  email      = "admin${count.index}@acme.test"
  depends_on = [tenant.this, data.tenants.all]
}

data "tenants" "all" {}

output "tenant_ids" {
  description = "IDs"
  value       = { for k, t in tenant.this : k => t.id }
  sensitive   = false
}
"#;

fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load(entries: &[(&str, &str)]) -> Result<Config, Diagnostics> {
    load_sources(Path::new("/config"), files(entries))
}

/// Asserts that a configuration of one `main.tf` holding `text` has exactly `expected`.
fn assert_main_tf_problems(text: &str, expected: &[&str]) {
    assert_eq!(problems(&[("main.tf", text)]), expected);
}

/// Every diagnostic as `summary @ file:line:col`.
fn problems(entries: &[(&str, &str)]) -> Vec<String> {
    let diags = load(entries).expect_err("diagnostics");
    diags
        .iter()
        .map(|d| {
            let r = d.range.as_ref().expect("a range");
            format!(
                "{} @ {}:{}:{}",
                d.summary, r.filename, r.start.line, r.start.column
            )
        })
        .collect()
}

#[test]
fn a_realistic_configuration_loads() {
    let config = load(&[("main.tf", MAIN_TF), ("versions.tf", VERSIONS_TF)])
        .unwrap_or_else(|d| panic!("{d}"));
    let tenant = &config.required_providers["tenant"];
    assert_eq!(tenant.source, "registry.terraform.io/tenantform/tenant");
    assert_eq!(tenant.version.as_deref(), Some("~> 0.1"));
    assert_eq!(
        config.required_providers["random"].source,
        "registry.terraform.io/hashicorp/random"
    );
    assert_eq!(config.providers.keys().collect::<Vec<_>>(), vec!["tenant"]);

    let tenants = &config.variables["tenants"];
    assert_eq!(tenants.description, "Tenants to onboard");
    assert!(tenants.default.is_some() && tenants.type_constraint.is_some());
    assert!(config.variables["admin_password"].sensitive);
    assert_eq!(
        config.locals.keys().collect::<Vec<_>>(),
        vec!["labels", "region"]
    );

    let this = &config.resources[&ResourceAddr::managed("tenant", "this")];
    assert_eq!(this.provider, "tenant");
    assert!(this.for_each.is_some() && this.count.is_none());
    assert!(!this.body.has_attribute("for_each"));
    assert!(!this.body.has_blocks("lifecycle"));
    assert!(
        this.lifecycle
            .as_ref()
            .unwrap()
            .has_attribute("prevent_destroy")
    );
    assert_eq!(
        (
            this.file.as_str(),
            this.range.start.line,
            this.range.start.column
        ),
        ("main.tf", 21, 1)
    );
    assert_eq!(
        this.range.end.column, 25,
        "the header ends after the last label"
    );

    let admin = &config.resources[&ResourceAddr::managed("tenant_user", "admin")];
    assert_eq!(admin.provider, "tenant");
    assert!(admin.provider_explicit && admin.provider_alias.is_none());
    assert!(admin.count.is_some());
    let deps: Vec<String> = admin
        .depends_on
        .iter()
        .map(|(a, _)| a.to_string())
        .collect();
    assert_eq!(deps, vec!["tenant.this", "data.tenants.all"]);
    assert_eq!(admin.depends_on[1].1.start.line, 38);
    assert!(!admin.body.has_attribute("provider") && !admin.body.has_attribute("depends_on"));

    assert!(
        config
            .resources
            .contains_key(&ResourceAddr::data("tenants", "all"))
    );
    let output = &config.outputs["tenant_ids"];
    assert_eq!(output.description, "IDs");
    assert!(!output.sensitive);
    assert!(output.expr.span().is_some());
    assert_eq!(config.sources.files.len(), 2);
}

#[test]
fn providers_without_a_requirement_are_implied() {
    let config = load(&[("main.tf", "resource \"aws_instance\" \"a\" {}\n")]).unwrap();
    assert_eq!(
        config.required_providers["aws"].source,
        "registry.terraform.io/hashicorp/aws"
    );
}

#[test]
fn sources_are_normalized() {
    let text = "terraform {\n  required_providers {\n    t = { source = \"Example.com/NS/Tenant\" }\n  }\n}\n";
    let config = load(&[("main.tf", text)]).unwrap();
    assert_eq!(
        config.required_providers["t"].source,
        "example.com/ns/tenant"
    );
    let bad = "terraform {\n  required_providers {\n    t = { source = \"a/b/c/d\" }\n  }\n}\n";
    assert_main_tf_problems(bad, &["Invalid provider source string @ main.tf:3:9"]);
}

#[test]
fn syntax_errors_point_at_the_error_in_every_file() {
    let found = problems(&[
        ("a.tf", "resource \"tenant\" \"a\" {\n  slug = \n}\n"),
        ("b.tf", "locals {\n  x = [1, 2\n}\n"),
        ("c.tf", "variable \"ok\" {}\n"),
    ]);
    assert_eq!(
        found,
        vec![
            "Invalid HCL syntax @ a.tf:2:10",
            "Invalid HCL syntax @ b.tf:3:1"
        ]
    );
    let diags = load(&[("a.tf", "x {\n")]).unwrap_err();
    assert_eq!(
        diags.0[0].detail,
        "invalid block body; expected `}`, newline or identifier"
    );
}

#[test]
fn structural_problems_are_reported_with_ranges() {
    let text = r#"module "m" {}
resource "tenant" {}
resource "tenant" "a" "b" {}
resource "tenant" "1bad" {}
variable "x" {
  bogus = 1
}
output "o" {
  value = 1
  extra = 2
}
output "p" {}
terraform {
  bogus = true
}
variable "count" {}
foo = 1
"#;
    assert_main_tf_problems(
        text,
        &[
            "Missing required argument @ main.tf:1:1",
            "Missing name for resource @ main.tf:2:1",
            "Extraneous label for resource @ main.tf:3:23",
            "Invalid resource name @ main.tf:4:19",
            "Unsupported argument @ main.tf:6:3",
            "Unsupported argument @ main.tf:10:3",
            "Missing required argument @ main.tf:12:1",
            "Unsupported argument @ main.tf:14:3",
            "Invalid variable name @ main.tf:16:10",
            "Unsupported argument @ main.tf:17:1",
        ],
    );
}

#[test]
fn duplicates_point_at_the_second_and_name_the_first() {
    let first = "resource \"tenant\" \"a\" {}\nvariable \"v\" {}\nlocals {\n  l = 1\n}\n\
                 output \"o\" {\n  value = 1\n}\nprovider \"tenant\" {}\n";
    let second = "\nresource \"tenant\" \"a\" {}\nvariable \"v\" {}\nlocals {\n  l = 2\n}\n\
                  output \"o\" {\n  value = 2\n}\nprovider \"tenant\" {}\n";
    assert_eq!(
        problems(&[("a.tf", first), ("b.tf", second)]),
        vec![
            "Duplicate resource \"tenant\" configuration @ b.tf:2:1",
            "Duplicate variable declaration @ b.tf:3:1",
            "Duplicate local value definition @ b.tf:5:3",
            "Duplicate output definition @ b.tf:7:1",
            "Duplicate provider configuration @ b.tf:10:1",
        ]
    );
    let diags = load(&[("a.tf", first), ("b.tf", second)]).unwrap_err();
    assert_eq!(
        diags.0[0].detail,
        "A tenant resource named \"a\" was already declared at a.tf:1,1-22. Resource names must \
         be unique per type in each module."
    );
}

#[test]
fn meta_arguments_are_validated() {
    let text = r#"resource "tenant" "a" {
  count    = 1
  for_each = {}
}
resource "tenant" "b" {
  provider   = "tenant"
  depends_on = [var.x, tenant.a.id, tenant.a, data.tenants.all]
}
resource "tenant" "c" {
  depends_on = tenant.a
}
"#;
    assert_main_tf_problems(
        text,
        &[
            "Invalid combination of \"count\" and \"for_each\" @ main.tf:2:14",
            "Invalid provider reference @ main.tf:6:16",
            "Invalid depends_on reference @ main.tf:7:17",
            "Invalid depends_on reference @ main.tf:7:24",
            "Invalid expression @ main.tf:10:16",
        ],
    );
}

/// A temporary directory holding these files (name, text).
fn directory_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_directory_is_read_in_name_order() {
    let dir = directory_of(&[
        ("b.tf", "variable \"x\" {}\n"),
        ("a.tf", "variable \"x\" {}\n"),
        ("notes.txt", "not hcl {"),
    ]);
    let diags = load_dir(dir.path()).unwrap_err();
    let range = diags.0[0].range.as_ref().unwrap();
    assert_eq!(range.filename, "b.tf");
    let missing = load_dir(&dir.path().join("missing")).unwrap_err();
    assert_eq!(missing.0[0].summary, "Failed to read module directory");
}

#[test]
fn json_and_override_files_are_refused_by_name() {
    let dir = directory_of(&[
        ("main.tf", "locals {}\n"),
        ("extra.tf.json", "{}"),
        ("db_override.tf", "locals {}\n"),
        ("main.tftest.hcl", "run \"x\" {}\n"),
    ]);
    let diags = load_dir(dir.path()).unwrap_err();
    let details: Vec<&str> = diags.0.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(details[0].contains("\"db_override.tf\"") && details[0].contains("not supported"));
    assert!(details[1].contains("\"extra.tf.json\"") && details[1].contains("not supported"));
}

#[test]
fn constructs_tenantform_does_not_implement_are_refused_by_name() {
    let text = r#"
terraform {
  required_version = ">= 1.15, < 2.0"
  language         = TF2021
  cloud {}
}
variable "v" {
  ephemeral = true
}
output "o" {
  value = 1
  type  = number
}
ephemeral "tenant" "e" {}
provider "tenant" {
  alias = "eu"
}
resource "tenant" "t" {
  provider = tenant.eu
}
"#;
    assert_main_tf_problems(
        text,
        &[
            "Unsupported by tenantform: The \"cloud\" block in terraform blocks @ main.tf:5:3",
            "Unsupported by tenantform: The \"ephemeral\" argument of variable blocks @ main.tf:8:3",
            "Unsupported by tenantform: The \"type\" argument of output blocks @ main.tf:12:3",
            "Unsupported by tenantform: The \"ephemeral\" block @ main.tf:14:1",
            "Unsupported by tenantform: The \"alias\" argument of provider blocks @ main.tf:16:3",
            "Unsupported by tenantform: A provider configuration alias @ main.tf:19:14",
        ],
    );
}

#[test]
fn required_version_is_checked_against_the_compatible_terraform_version() {
    let unmet = "terraform {\n  required_version = \"~> 1.14.0\"\n}\n";
    assert_main_tf_problems(
        unmet,
        &["Unsupported Terraform Core version @ main.tf:2:22"],
    );
    let edition = "terraform {\n  language = TF2038\n}\n";
    assert_main_tf_problems(edition, &["Unsupported language edition @ main.tf:2:14"]);
}

#[test]
fn a_provider_block_in_a_child_module_is_refused() {
    let root = "module \"child\" {\n  source = \"./child\"\n}\n";
    let child = "provider \"tenant\" {}\n";
    assert_eq!(
        problems(&[("main.tf", root), ("child/main.tf", child)]),
        vec!["Unsupported by tenantform: A provider block in a child module @ child/main.tf:1:1"]
    );
}
