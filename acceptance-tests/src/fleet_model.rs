//! The model of the convergence property: a fleet of tenants keyed by `for_each` key, each
//! with users and API keys; the edits a sequence of changes makes to it; the configuration
//! that declares it; and the check that state and catalog hold exactly the model.

use std::collections::{BTreeMap, BTreeSet};

use crate::project::Project;

/// The `for_each` keys (and slugs) a fleet draws its tenants from.
pub const TENANT_KEYS: &[&str] = &["acme", "globex", "initech", "umbrella", "hooli", "stark"];
pub const DISPLAY_NAMES: &[&str] = &["Alpha", "Beta", "Gamma"];
pub const TIERS: &[&str] = &["free", "standard", "enterprise"];
/// The local parts of user e-mail addresses (the domain is the tenant's).
pub const USER_NAMES: &[&str] = &["ada", "bob", "cy"];
pub const ROLES: &[&str] = &["admin", "member", "viewer"];
pub const API_KEY_NAMES: &[&str] = &["ci", "deploy"];

/// One tenant of the fleet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantSpec {
    pub display_name: &'static str,
    pub tier: &'static str,
    /// User name → role.
    pub users: BTreeMap<&'static str, &'static str>,
    pub api_keys: BTreeSet<&'static str>,
}

/// Tenants by `for_each` key (which is also the slug).
pub type Fleet = BTreeMap<&'static str, TenantSpec>;

/// One edit. `pick` chooses an existing tenant (or user, key) modulo how many there are; an
/// edit that finds nothing to act on leaves the fleet as it is.
#[derive(Clone, Debug)]
pub enum Edit {
    AddTenant(&'static str, TenantSpec),
    RemoveTenant {
        pick: usize,
    },
    /// The same tenant under another `for_each` key: a new slug, so destroy and create.
    RenameTenant {
        pick: usize,
        to: &'static str,
    },
    ChangeTenant {
        pick: usize,
        display_name: &'static str,
        tier: &'static str,
    },
    SetUser {
        pick: usize,
        user: &'static str,
        role: &'static str,
    },
    RemoveUser {
        pick: usize,
        user_pick: usize,
    },
    AddApiKey {
        pick: usize,
        name: &'static str,
    },
    RemoveApiKey {
        pick: usize,
        key_pick: usize,
    },
}

fn picked<T>(items: impl IntoIterator<Item = T>, pick: usize) -> Option<T> {
    let items: Vec<T> = items.into_iter().collect();
    let count = items.len();
    items.into_iter().nth(pick.checked_rem(count)?)
}

/// `fleet` after `edit`.
pub fn apply_edit(fleet: &mut Fleet, edit: &Edit) {
    let key_of = |fleet: &Fleet, pick: usize| picked(fleet.keys().copied(), pick);
    match edit {
        Edit::AddTenant(key, spec) => {
            fleet.entry(key).or_insert_with(|| spec.clone());
        }
        Edit::RemoveTenant { pick } => {
            if let Some(key) = key_of(fleet, *pick) {
                fleet.remove(key);
            }
        }
        Edit::RenameTenant { pick, to } => {
            if let Some(key) = key_of(fleet, *pick)
                && !fleet.contains_key(to)
                && let Some(spec) = fleet.remove(key)
            {
                fleet.insert(to, spec);
            }
        }
        Edit::ChangeTenant {
            pick,
            display_name,
            tier,
        } => {
            if let Some(spec) = key_of(fleet, *pick).and_then(|key| fleet.get_mut(key)) {
                spec.display_name = display_name;
                spec.tier = tier;
            }
        }
        Edit::SetUser { pick, user, role } => {
            if let Some(spec) = key_of(fleet, *pick).and_then(|key| fleet.get_mut(key)) {
                spec.users.insert(user, role);
            }
        }
        Edit::RemoveUser { pick, user_pick } => {
            if let Some(spec) = key_of(fleet, *pick).and_then(|key| fleet.get_mut(key))
                && let Some(user) = picked(spec.users.keys().copied(), *user_pick)
            {
                spec.users.remove(user);
            }
        }
        Edit::AddApiKey { pick, name } => {
            if let Some(spec) = key_of(fleet, *pick).and_then(|key| fleet.get_mut(key)) {
                spec.api_keys.insert(name);
            }
        }
        Edit::RemoveApiKey { pick, key_pick } => {
            if let Some(spec) = key_of(fleet, *pick).and_then(|key| fleet.get_mut(key))
                && let Some(name) = picked(spec.api_keys.iter().copied(), *key_pick)
            {
                spec.api_keys.remove(name);
            }
        }
    }
}

fn email(tenant: &str, user: &str) -> String {
    format!("{user}@{tenant}.example")
}

const RESOURCES: &str = r#"
resource "tenant" "fleet" {
  for_each            = local.tenants
  slug                = each.key
  display_name        = each.value.display_name
  tier                = each.value.tier
  region              = "eu-west-1"
  deletion_protection = false
}

resource "tenant_user" "fleet" {
  for_each  = local.users
  tenant_id = tenant.fleet[each.value.tenant].id
  email     = each.value.email
  role      = each.value.role
}

resource "tenant_api_key" "fleet" {
  for_each  = local.api_keys
  tenant_id = tenant.fleet[each.value.tenant].id
  name      = each.value.name
  scopes    = ["tenants:read"]
}
"#;

/// The configuration declaring `fleet` on the embedded backend: three `for_each` resources
/// over local maps.
pub fn fleet_config(fleet: &Fleet) -> String {
    let mut tenants = String::new();
    let mut users = String::new();
    let mut api_keys = String::new();
    for (key, spec) in fleet {
        tenants.push_str(&format!(
            "    \"{key}\" = {{ display_name = \"{}\", tier = \"{}\" }}\n",
            spec.display_name, spec.tier
        ));
        for (user, role) in &spec.users {
            users.push_str(&format!(
                "    \"{key}/{user}\" = {{ tenant = \"{key}\", email = \"{}\", role = \"{role}\" }}\n",
                email(key, user)
            ));
        }
        for name in &spec.api_keys {
            api_keys.push_str(&format!(
                "    \"{key}/{name}\" = {{ tenant = \"{key}\", name = \"{name}\" }}\n"
            ));
        }
    }
    format!(
        "terraform {{\n  required_providers {{\n    tenant = {{\n      source = \"tenantform/tenant\"\n    }}\n  }}\n}}\n\n\
         provider \"tenant\" {{\n  backend = \"embedded\"\n}}\n\n\
         locals {{\n  tenants = {{\n{tenants}  }}\n  users = {{\n{users}  }}\n  api_keys = {{\n{api_keys}  }}\n}}\n{RESOURCES}"
    )
}

/// The state addresses `fleet` declares, sorted.
pub fn expected_addresses(fleet: &Fleet) -> Vec<String> {
    let mut addresses = Vec::new();
    for (key, spec) in fleet {
        addresses.push(format!("tenant.fleet[\"{key}\"]"));
        for user in spec.users.keys() {
            addresses.push(format!("tenant_user.fleet[\"{key}/{user}\"]"));
        }
        for name in &spec.api_keys {
            addresses.push(format!("tenant_api_key.fleet[\"{key}/{name}\"]"));
        }
    }
    addresses.sort();
    addresses
}

/// What the catalog should hold for `fleet`, one line per object, sorted.
pub fn expected_catalog(fleet: &Fleet) -> Vec<String> {
    let mut lines = Vec::new();
    for (key, spec) in fleet {
        lines.push(format!("tenant {key} {}", spec.display_name));
        for (user, role) in &spec.users {
            lines.push(format!("tenant_user {key}/{} {role}", email(key, user)));
        }
        for name in &spec.api_keys {
            lines.push(format!("tenant_api_key {key}/{name}"));
        }
    }
    lines.sort();
    lines
}

/// What the catalog of `project` holds, in [`expected_catalog`]'s form (tenant ids replaced
/// by slugs).
pub fn catalog_lines(project: &Project) -> Vec<String> {
    let catalog = project.catalog();
    let slugs: BTreeMap<&str, &str> = catalog
        .of("tenant")
        .iter()
        .map(|tenant| (tenant.id.as_str(), tenant.key.as_str()))
        .collect();
    let with_slug = |key: &str| match key.split_once('/') {
        Some((tenant_id, rest)) => format!("{}/{rest}", slugs.get(tenant_id).unwrap_or(&tenant_id)),
        None => key.to_string(),
    };
    let mut lines: Vec<String> = catalog
        .of("tenant")
        .iter()
        .map(|tenant| format!("tenant {} {}", tenant.key, tenant.detail))
        .chain(
            catalog
                .of("tenant_user")
                .iter()
                .map(|user| format!("tenant_user {} {}", with_slug(&user.key), user.detail)),
        )
        .chain(
            catalog
                .of("tenant_api_key")
                .iter()
                .map(|api_key| format!("tenant_api_key {}", with_slug(&api_key.key))),
        )
        .collect();
    lines.sort();
    lines
}

#[cfg(test)]
mod tests;
