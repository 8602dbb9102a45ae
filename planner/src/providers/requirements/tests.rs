//! The providers of child modules: the built-in one implied there, child-only providers, a
//! local name that means two providers, and a provider under two local names.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::config::load_sources;
use crate::providers::builtin::SOURCE as BUILTIN;

const TENANT: &str = "registry.terraform.io/tenantform/tenant";

const FLEET: &str = r#"
module "tenant" {
  source   = "./modules/tenant"
  for_each = toset(["a", "b"])
  name     = each.key
}
"#;

fn config(child: &str) -> Config {
    let files = BTreeMap::from([
        ("main.tf".to_string(), FLEET.to_string()),
        ("modules/tenant/main.tf".to_string(), child.to_string()),
    ]);
    load_sources(Path::new("."), files).unwrap_or_else(|diags| panic!("{diags}"))
}

/// Declares `name = { source = SOURCE }` in the root module's `required_providers`.
fn require_in_root(config: &mut Config, name: &str, source: &str) {
    config.required_providers.insert(
        name.to_string(),
        crate::config::ProviderRequirement {
            source: source.to_string(),
            version: None,
        },
    );
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, source)| (name.to_string(), source.to_string()))
        .collect()
}

#[test]
fn the_builtin_provider_of_a_child_module_needs_no_requirement() {
    let config = config(
        r#"
variable "name" {}
resource "terraform_data" "x" {
  input = var.name
}
data "terraform_remote_state" "shared" {
  backend = "local"
  config  = { path = "shared.tfstate" }
}
"#,
    );
    assert!(config.required_providers.is_empty(), "the root needs none");
    assert_eq!(
        required_providers(&config),
        pairs(&[("terraform", BUILTIN)])
    );
    assert!(conflicting_local_names(&config).is_empty());
}

#[test]
fn a_provider_only_a_child_module_uses_is_required() {
    let config = config(
        r#"
terraform {
  required_providers {
    tenant = { source = "tenantform/tenant" }
    tf     = { source = "terraform.io/builtin/terraform" }
  }
}
variable "name" {}
resource "tenant" "this" {
  slug = var.name
}
"#,
    );
    assert_eq!(
        required_providers(&config),
        pairs(&[("tenant", TENANT), ("tf", BUILTIN)])
    );
    assert!(conflicting_local_names(&config).is_empty());
}

#[test]
fn one_local_name_for_two_providers_is_refused() {
    let mut config = config(
        r#"
terraform {
  required_providers {
    tenant = { source = "example/tenant" }
  }
}
variable "name" {}
"#,
    );
    require_in_root(&mut config, "tenant", TENANT);
    assert_eq!(
        required_providers(&config),
        pairs(&[("tenant", TENANT)]),
        "the root module's provider is the one started"
    );
    let diags = conflicting_local_names(&config);
    assert!(diags.has_errors());
    let text = diags.to_string();
    assert!(text.contains("module module.tenant"), "{text}");
    assert!(
        text.contains("\"registry.terraform.io/example/tenant\""),
        "{text}"
    );
    assert!(text.contains("root module"), "{text}");
}

#[test]
fn one_provider_under_two_local_names_is_refused() {
    let mut config = config(
        r#"
terraform {
  required_providers {
    fleet = { source = "tenantform/tenant" }
  }
}
variable "name" {}
resource "tenant" "this" {
  provider = fleet
  slug     = var.name
}
"#,
    );
    require_in_root(&mut config, "tenant", TENANT);
    let diags = conflicting_local_names(&config);
    assert!(diags.has_errors());
    let text = diags.to_string();
    assert!(text.contains("two local names"), "{text}");
    assert!(text.contains("\"fleet\""), "{text}");
    assert!(text.contains("module module.tenant"), "{text}");
}

#[test]
fn the_builtin_provider_may_have_two_local_names() {
    let mut config = config(
        r#"
terraform {
  required_providers {
    tf = { source = "terraform.io/builtin/terraform" }
  }
}
variable "name" {}
"#,
    );
    require_in_root(&mut config, "terraform", BUILTIN);
    assert!(conflicting_local_names(&config).is_empty());
}
