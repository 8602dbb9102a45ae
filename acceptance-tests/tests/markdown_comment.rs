//! `tenantform show -markdown PLANFILE` with the real binaries: a three-tenant fleet is
//! applied, then edited (one tenant changed, one offboarded, one added) and planned to a file;
//! the comment has a section per changed tenant, the offboarded one in the caution alert, and
//! none of the secrets the state and the JSON plan hold. A 50-tenant fleet, planned without
//! applying, stays within GitHub's comment limit with every tenant accounted for.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::Project;
use acceptance_tests::state_secrets::state_secrets;
use serde_json::Value;

const COMMENT_LIMIT: usize = 65_536;

const TENANT_MODULE: &str = r#"terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

variable "slug" {
  type = string
}

variable "name" {
  type = string
}

variable "tier" {
  type = string
}

resource "tenant" "this" {
  slug                = var.slug
  display_name        = var.name
  tier                = var.tier
  deletion_protection = false
}

resource "tenant_user" "admin" {
  tenant_id = tenant.this.id
  email     = "admin@${var.slug}.example"
  role      = "admin"
}

resource "tenant_api_key" "ci" {
  tenant_id = tenant.this.id
  name      = "ci"
  scopes    = var.tier == "enterprise" ? ["deployments:write"] : ["tenants:read"]
  # An expiry forces a new key.
  expires_at = var.tier == "enterprise" ? "2030-01-01T00:00:00Z" : null
}

output "tenant_id" {
  value = tenant.this.id
}

output "api_key" {
  value     = tenant_api_key.ci.secret
  sensitive = true
}
"#;

/// The root module with `tenants` (key, display name, tier) and a runbook text.
fn root_config(tenants: &[(&str, &str, &str)], runbook: &str) -> String {
    let entries: String = tenants
        .iter()
        .map(|(key, name, tier)| {
            format!("    \"{key}\" = {{ name = \"{name}\", tier = \"{tier}\" }}\n")
        })
        .collect();
    format!(
        r#"terraform {{
  required_providers {{
    tenant = {{
      source = "tenantform/tenant"
    }}
  }}
}}

provider "tenant" {{
  backend = "embedded"
}}

locals {{
  tenants = {{
{entries}  }}
}}

module "tenant" {{
  source   = "./modules/tenant"
  for_each = local.tenants

  slug = each.key
  name = each.value.name
  tier = each.value.tier
}}

resource "terraform_data" "runbook" {{
  input = <<-EOT
{runbook}
  EOT
}}

output "tenant_ids" {{
  value = {{ for key, tenant in module.tenant : key => tenant.tenant_id }}
}}

output "api_keys" {{
  value     = {{ for key, tenant in module.tenant : key => tenant.api_key }}
  sensitive = true
}}
"#
    )
}

const RUNBOOK_BEFORE: &str = "    1. Page the on-call engineer.\n    2. Check the tenant's database.\n    3. Restore from the last archive.\n    4. Tell the customer.";
const RUNBOOK_AFTER: &str = "    1. Page the on-call engineer.\n    2. Check the tenant's database and its connection limit.\n    3. Restore from the last archive.\n    4. Tell the customer.";

fn fleet_project(tenants: &[(&str, &str, &str)]) -> Project {
    let project = Project::from_config(&root_config(tenants, RUNBOOK_BEFORE));
    project.write_file("modules/tenant/main.tf", TENANT_MODULE);
    project.init();
    project
}

/// Every string that the JSON plan marks sensitive (in `before`/`after` of resource changes
/// and in sensitive outputs), non-empty.
fn sensitive_strings(plan: &Value) -> Vec<String> {
    fn collect(value: &Value, marks: &Value, found: &mut Vec<String>) {
        match (value, marks) {
            (_, Value::Bool(true)) => collect_all(value, found),
            (Value::Object(entries), Value::Object(marks)) => {
                for (key, item) in entries {
                    if let Some(mark) = marks.get(key) {
                        collect(item, mark, found);
                    }
                }
            }
            (Value::Array(items), Value::Array(marks)) => {
                for (item, mark) in items.iter().zip(marks) {
                    collect(item, mark, found);
                }
            }
            _ => {}
        }
    }
    fn collect_all(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::String(s) if !s.is_empty() => found.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| collect_all(v, found)),
            Value::Object(entries) => entries.values().for_each(|v| collect_all(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for change in changes.iter().chain(
        plan["output_changes"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values()),
    ) {
        let change = change.get("change").unwrap_or(change);
        for side in ["before", "after"] {
            collect(
                &change[side],
                &change[format!("{side}_sensitive")],
                &mut found,
            );
        }
    }
    found
}

/// The `<details>` section of `tenant`, or a panic showing the comment.
fn section<'a>(comment: &'a str, tenant: &str) -> &'a str {
    let start = comment
        .find(&format!(
            "<details><summary><b>tenant <code>{tenant}</code></b>"
        ))
        .unwrap_or_else(|| panic!("no section for {tenant}:\n{comment}"));
    let end = comment[start..]
        .find("</details>")
        .expect("the section ends")
        + start;
    &comment[start..end]
}

/// A comment must contain each of `parts`.
fn assert_has(comment: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            comment.contains(part),
            "{part:?} is missing from:\n{comment}"
        );
    }
}

/// Applies acme, globex and initech, then edits the fleet (acme changes and its key is
/// replaced, globex is offboarded, hooli is onboarded) and plans to `tfplan`. Returns the
/// secrets of the state and those the JSON plan marks sensitive.
fn apply_then_plan_an_edit(project: &Project) -> Vec<String> {
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    let mut secrets: Vec<String> = state_secrets(&project.state())
        .into_iter()
        .map(|secret| secret.value)
        .collect();
    assert_eq!(
        secrets.len(),
        6,
        "a password and an API key secret per tenant"
    );
    project.write_file(
        "main.tf",
        &root_config(
            &[
                ("acme", "Acme Holdings", "enterprise"),
                ("hooli", "Hooli", "free"),
                ("initech", "Initech", "free"),
            ],
            RUNBOOK_AFTER,
        ),
    );
    project.plan_detailed_to("tfplan").expect_code(2);
    let shown = project.tenantform(&["show", "-json", "tfplan"]);
    shown.expect_success();
    let plan: Value = serde_json::from_str(&shown.stdout).expect("a JSON plan");
    secrets.extend(sensitive_strings(&plan));
    secrets
}

#[test]
fn a_changed_fleet_comment_has_a_section_per_tenant_and_no_secret() {
    let project = fleet_project(&[
        ("acme", "Acme", "standard"),
        ("globex", "Globex", "standard"),
        ("initech", "Initech", "free"),
    ]);
    let secrets = apply_then_plan_an_edit(&project);
    let output = project.tenantform(&["show", "-markdown", "tfplan"]);
    output.expect_success();
    let comment = &output.stdout;
    assert!(comment.len() <= COMMENT_LIMIT);
    for secret in &secrets {
        assert!(
            !comment.contains(secret.as_str()),
            "a secret leaked into:\n{comment}"
        );
    }
    assert_has(
        comment,
        &[
            "**Plan:** 4 to add, 2 to change, 4 to destroy.",
            "> [!CAUTION]\n> **Applying this plan deletes 3 objects**, offboarding 1 tenant:\n\
             > - tenant `globex` is offboarded (3 objects deleted)\n",
            "> [!WARNING]\n> **Applying this plan replaces 1 object**",
            "> - `-/+` `module.tenant[\"acme\"].tenant_api_key.ci`",
            "> **Onboarding 1 tenant:**\n> - `hooli`",
            "| `api_keys` | *(sensitive value)* | *(sensitive value)* |",
        ],
    );
    assert_has(
        section(comment, "acme"),
        &[
            "| `display_name` | `\"Acme\"` | `\"Acme Holdings\"` |",
            "| `secret` | *(sensitive value)* | *(sensitive value)* |",
            "| `expires_at` **forces replacement** | `null` | `\"2030-01-01T00:00:00Z\"` |",
        ],
    );
    assert_has(section(comment, "globex"), &["offboarding: 3 to delete"]);
    assert_has(
        section(comment, "hooli"),
        &[
            "onboarding: 3 to create",
            "| `password` | *(sensitive value)* |",
        ],
    );
    assert!(
        !comment.contains("<code>initech</code>"),
        "initech does not change:\n{comment}"
    );
    let shared = comment
        .find("<b>shared (outside tenant modules)</b>")
        .expect("a shared section");
    assert_has(
        &comment[shared..],
        &[
            "```diff\n",
            "+2. Check the tenant's database and its connection limit.\n",
        ],
    );
}

#[test]
fn markdown_needs_a_plan_file_and_excludes_json() {
    let project = fleet_project(&[("acme", "Acme", "standard")]);
    let without_plan = project.tenantform(&["show", "-markdown"]);
    without_plan.expect_failure();
    assert!(
        without_plan.stderr.contains("Plan file required"),
        "{}",
        without_plan.stderr
    );
    project.plan_detailed_to("tfplan").expect_code(2);
    let both = project.tenantform(&["show", "-markdown", "-json", "tfplan"]);
    both.expect_failure();
    assert!(
        both.stderr
            .contains("The -markdown and -json options cannot be used together"),
        "{}",
        both.stderr
    );
}

#[test]
fn a_fifty_tenant_fleet_fits_one_comment() {
    let names: Vec<(String, String)> = (0..50)
        .map(|i| {
            (
                format!("tenant-{i:02}"),
                format!("Tenant number {i} with a fairly long display name"),
            )
        })
        .collect();
    let tenants: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|(key, name)| (key.as_str(), name.as_str(), "standard"))
        .collect();
    let project = fleet_project(&tenants);
    project.plan_detailed_to("tfplan").expect_code(2);
    let output = project.tenantform(&["show", "-markdown", "tfplan"]);
    output.expect_success();
    let comment = &output.stdout;
    assert!(comment.len() <= COMMENT_LIMIT, "{} bytes", comment.len());
    assert!(
        comment.contains("**Plan:** 151 to add, 0 to change, 0 to destroy."),
        "{comment}"
    );
    assert!(
        comment.contains("**Tenants:** 50 with changes (50 onboarding, 0 offboarding)"),
        "{comment}"
    );
    for (key, _) in &names {
        assert!(
            comment.contains(&format!("`{key}`")),
            "{key} is missing:\n{comment}"
        );
    }
}
