//! A project whose provider runs on a test PostgreSQL server: `examples/saas-postgres` (whole
//! or cut to its first tenants) or a configuration of its own, with a `terraform.tfvars` that
//! gives it the server's dsn, an archive folder and a storage root outside the working
//! directory. Both `tenantform` and Terraform read that file, so every command of either tool
//! reaches the same server. Also runs the provider's `audit` command against the server.

use std::path::PathBuf;
use std::time::Duration;

use crate::binaries::workspace_root;
use crate::inventory::{self, InventoryTenant};
use crate::pg_inspect::PgInspector;
use crate::postgres::{PostgresServer, Profile};
use crate::process::{CommandSpec, DEFAULT_TIMEOUT, Output};
use crate::project::Project;
use crate::state::State;
use crate::state_secrets::without_sensitive_values;

/// How long one command on a PostgreSQL fleet may run.
pub const FLEET_TIMEOUT: Duration = Duration::from_secs(900);
/// The usual flags of a non-interactive `apply` or `destroy`.
pub const AUTO_APPROVE: [&str; 3] = ["-auto-approve", "-input=false", "-no-color"];

/// The example this module prepares.
pub const EXAMPLE: &str = "saas-postgres";
/// The example's inventory file.
pub const INVENTORY_FILE: &str = "tenants.yaml";

/// The `terraform` block, the variables and the provider block of a configuration on the
/// postgres backend (the values come from `terraform.tfvars`).
pub const POSTGRES_PROVIDER: &str = r#"terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

variable "dsn" {
  type      = string
  sensitive = true
}

variable "archive_dir" {
  type = string
}

variable "storage_root" {
  type = string
}

provider "tenant" {
  backend      = "postgres"
  dsn          = var.dsn
  archive_dir  = var.archive_dir
  storage_root = var.storage_root
}
"#;

/// Starts a PostgreSQL server, failing the test with the reason when it cannot (PostgreSQL 15
/// missing, `initdb` failing): these tests never skip silently.
pub fn start_postgres(profile: Profile) -> PostgresServer {
    PostgresServer::start(profile).unwrap_or_else(|error| {
        panic!(
            "this test needs a PostgreSQL 15 server ({profile:?}) and could not start one: \
             {error:#}\nRun the suite through `scripts/test.sh`, which installs PostgreSQL 15."
        )
    })
}

/// The address of a resource of the example's tenant module.
pub fn module_address(slug: &str, resource: &str) -> String {
    format!("module.tenant[\"{slug}\"].{resource}")
}

/// The address of a user of the example's tenant module.
pub fn user_address(slug: &str, email: &str) -> String {
    module_address(slug, &format!("tenant_user.this[\"{email}\"]"))
}

/// A project bound to a PostgreSQL server.
pub struct PgProject<'a> {
    pub project: Project,
    pub server: &'a PostgresServer,
    pub archive_dir: PathBuf,
    pub storage_root: PathBuf,
}

impl<'a> PgProject<'a> {
    /// `examples/saas-postgres` with its first `tenants` tenants (all of them when the
    /// inventory has fewer).
    pub fn example(server: &'a PostgresServer, tenants: usize) -> PgProject<'a> {
        let project = Project::from_example(EXAMPLE);
        let inventory = project.read_file(INVENTORY_FILE);
        project.write_file(INVENTORY_FILE, &inventory::keep_first(&inventory, tenants));
        PgProject::bind(project, server)
    }

    /// A project whose `main.tf` is [`POSTGRES_PROVIDER`] followed by `resources`.
    pub fn from_resources(server: &'a PostgresServer, resources: &str) -> PgProject<'a> {
        let project = Project::from_config(&format!("{POSTGRES_PROVIDER}\n{resources}"));
        PgProject::bind(project, server)
    }

    fn bind(project: Project, server: &'a PostgresServer) -> PgProject<'a> {
        let archive_dir = project.scratch_dir("archive");
        let storage_root = project.scratch_dir("storage");
        project.write_file(
            "terraform.tfvars",
            &format!(
                "dsn          = {}\narchive_dir  = {}\nstorage_root = {}\n",
                hcl_string(&server.dsn()),
                hcl_string(&archive_dir.display().to_string()),
                hcl_string(&storage_root.display().to_string()),
            ),
        );
        PgProject {
            project,
            server,
            archive_dir,
            storage_root,
        }
    }

    /// `tenantform ARGS`, allowed [`FLEET_TIMEOUT`].
    pub fn tenantform(&self, args: &[&str]) -> Output {
        self.tenantform_with_env(args, &[])
    }

    /// `tenantform ARGS` with extra environment variables, allowed [`FLEET_TIMEOUT`].
    pub fn tenantform_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.project.tenantform_command(args);
        command.env.extend(
            env.iter()
                .map(|(name, value)| (name.to_string(), value.to_string())),
        );
        command.run(FLEET_TIMEOUT)
    }

    /// `tenantform init`, which must succeed.
    pub fn init(&self) {
        self.tenantform(&["init", "-input=false", "-no-color"])
            .expect_success();
    }

    /// [`Self::init`], then an approved `apply`, which must succeed.
    pub fn init_and_apply(&self) {
        self.init();
        self.approve("apply", &[]).expect_success();
    }

    /// `tenantform apply` (or another command) with [`AUTO_APPROVE`] and `extra` flags.
    pub fn approve(&self, command: &str, extra: &[&str]) -> Output {
        let args: Vec<&str> = std::iter::once(command)
            .chain(AUTO_APPROVE)
            .chain(extra.iter().copied())
            .collect();
        self.tenantform(&args)
    }

    /// Runs `tenantform plan -detailed-exitcode` and asserts its exit code; when it is not
    /// `expected`, the message shows the plan and the attributes each change would alter.
    pub fn expect_plan_code(&self, expected: i32, context: &str) -> Output {
        let output = self.tenantform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert!(
            output.code == Some(expected),
            "{context}: plan -detailed-exitcode should exit {expected}\n{}\n--- changed \
             attributes:\n{}",
            output.describe(),
            self.changed_attributes().join("\n")
        );
        output
    }

    /// What a plan would change, as `<address> <actions>: <attribute> <before> -> <after>`
    /// lines (sensitive values left out).
    pub fn changed_attributes(&self) -> Vec<String> {
        let planned =
            self.tenantform(&["plan", "-input=false", "-no-color", "-out", "diff.tfplan"]);
        if planned.code != Some(0) {
            return vec![format!("(cannot plan: {})", planned.describe())];
        }
        let shown = self.tenantform(&["show", "-json", "diff.tfplan"]);
        let Ok(plan) = serde_json::from_str::<serde_json::Value>(&shown.stdout) else {
            return vec![format!("(show -json is not JSON: {})", shown.describe())];
        };
        plan_differences(&without_sensitive_values(&plan))
    }

    /// The `password` of a user in the state, and its login.
    pub fn user_credentials(&self, slug: &str, email: &str) -> (String, String) {
        let state = self.state();
        let address = user_address(slug, email);
        let user = state
            .instance(&address)
            .unwrap_or_else(|| panic!("{address} is not in the state: {:?}", state.addresses()));
        let login = user
            .attribute_str("login")
            .unwrap_or_else(|| panic!("{address} has no login"))
            .to_string();
        let password = user
            .attribute_str("password")
            .unwrap_or_else(|| panic!("{address} has no password in the state"))
            .to_string();
        (login, password)
    }

    /// The tenants of the project's inventory (the example's `tenants.yaml`).
    pub fn inventory(&self) -> Vec<InventoryTenant> {
        inventory::parse(&self.project.read_file(INVENTORY_FILE))
    }

    /// The slugs of the project's inventory.
    pub fn slugs(&self) -> Vec<String> {
        self.inventory()
            .into_iter()
            .map(|tenant| tenant.slug)
            .collect()
    }

    /// Rewrites the inventory with `edit`.
    pub fn edit_inventory(&self, edit: impl FnOnce(&str) -> String) {
        let text = self.project.read_file(INVENTORY_FILE);
        self.project.write_file(INVENTORY_FILE, &edit(&text));
    }

    pub fn inspector(&self) -> PgInspector<'a> {
        PgInspector::new(self.server)
    }

    pub fn state(&self) -> State {
        self.project.state()
    }

    /// `terraform-provider-tenant audit ARGS --backend postgres --dsn DSN`.
    pub fn audit(&self, args: &[&str]) -> Output {
        let dsn = self.server.dsn();
        let mut arguments: Vec<String> = std::iter::once("audit")
            .chain(args.iter().copied())
            .map(str::to_string)
            .collect();
        arguments.extend(["--backend".to_string(), "postgres".to_string()]);
        arguments.extend(["--dsn".to_string(), dsn]);
        let home = self.project.scratch_dir("home");
        CommandSpec {
            program: self.project.binaries().provider.clone(),
            args: arguments,
            cwd: self.project.work_dir(),
            env: vec![
                (
                    "PATH".to_string(),
                    "/usr/local/bin:/usr/bin:/bin".to_string(),
                ),
                ("HOME".to_string(), home.display().to_string()),
                ("LANG".to_string(), "C.UTF-8".to_string()),
            ],
        }
        .run(DEFAULT_TIMEOUT)
    }
}

/// The attributes that the effective changes of a JSON plan alter.
pub fn plan_differences(plan: &serde_json::Value) -> Vec<String> {
    let empty = Vec::new();
    let mut lines = Vec::new();
    for change in plan["resource_changes"].as_array().unwrap_or(&empty) {
        let actions = &change["change"]["actions"];
        if actions == &serde_json::json!(["no-op"]) || actions == &serde_json::json!(["read"]) {
            continue;
        }
        let address = change["address"].as_str().unwrap_or("?");
        let before = &change["change"]["before"];
        let after = &change["change"]["after"];
        let unknown = &change["change"]["after_unknown"];
        let mut names: Vec<&String> = before
            .as_object()
            .into_iter()
            .chain(after.as_object())
            .flat_map(|fields| fields.keys())
            .collect();
        names.sort();
        names.dedup();
        let mut altered = Vec::new();
        for name in names {
            let new = if unknown[name] == serde_json::Value::Bool(true) {
                "(known after apply)".to_string()
            } else {
                after[name].to_string()
            };
            let old = before[name].to_string();
            if old != new {
                altered.push(format!("{name} {old} -> {new}"));
            }
        }
        lines.push(format!("{address} {actions}: {}", altered.join("; ")));
    }
    lines
}

/// An HCL string literal.
pub fn hcl_string(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

/// The path of the example in the workspace (for messages).
pub fn example_dir() -> PathBuf {
    workspace_root().join("examples").join(EXAMPLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_escape_quotes_and_templates() {
        assert_eq!(hcl_string(r#"a"b\c${d}"#), r#""a\"b\\c$${d}""#);
    }

    #[test]
    fn the_example_has_twenty_tenants_with_users_and_keys() {
        let text = std::fs::read_to_string(example_dir().join(INVENTORY_FILE)).unwrap();
        let tenants = inventory::parse(&text);
        assert_eq!(tenants.len(), 20);
        for tenant in &tenants {
            assert!(!tenant.users.is_empty(), "{} has no user", tenant.slug);
            assert!(
                !tenant.api_keys.is_empty(),
                "{} has no API key",
                tenant.slug
            );
            for user in &tenant.users {
                assert!(
                    ["admin", "member", "viewer"].contains(&user.role.as_str()),
                    "{} has role {:?}",
                    user.email,
                    user.role
                );
            }
        }
    }
}
