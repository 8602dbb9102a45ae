# A fleet of tenants on PostgreSQL, described by an inventory file. Each entry of tenants.yaml
# becomes one instance of modules/tenant: the tenant, its database schema, its users and their
# grants, its file storage, its API keys and its security policy.
# Run: tenantform init && tenantform apply -auto-approve -var dsn=postgres://...
# (see README.md for every variable).

terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

variable "dsn" {
  description = "PostgreSQL connection string of the platform database (a superuser, or a role with CREATEROLE and CREATEDB)."
  type        = string
  sensitive   = true
}

variable "archive_dir" {
  description = "Folder where the data of offboarded tenants is archived, with checksums."
  type        = string
}

variable "storage_root" {
  description = "Root folder of the tenants' file storage."
  type        = string
}

variable "deletion_protection" {
  description = "Protect every tenant from destruction. False by default so that the example can be destroyed; set it to true for a real fleet."
  type        = bool
  default     = false
}

variable "environment" {
  description = "Label applied to every tenant."
  type        = string
  default     = "production"
}

variable "api_key_expiry" {
  description = "When the API keys expire (RFC 3339)."
  type        = string
  default     = "2030-01-01T00:00:00Z"
}

provider "tenant" {
  backend      = "postgres"
  dsn          = var.dsn
  archive_dir  = var.archive_dir
  storage_root = var.storage_root
}

locals {
  inventory = yamldecode(file("${path.module}/tenants.yaml"))
  tenants   = local.inventory.tenants

  # What each tier gets. A tenant may override its connection limit and storage quota.
  tier_settings = {
    free = {
      connection_limit = 5
      quota_gb         = 1
      mfa_required     = false
      session_ttl      = "24h"
      support          = "community"
    }
    standard = {
      connection_limit = 20
      quota_gb         = 50
      mfa_required     = false
      session_ttl      = "12h"
      support          = "business-hours"
    }
    enterprise = {
      connection_limit = 100
      quota_gb         = 500
      mfa_required     = true
      session_ttl      = "8h"
      support          = "24x7"
    }
  }

  # The privileges a user's role gets on the tenant's database.
  role_privileges = {
    admin  = ["read", "write", "admin"]
    member = ["read", "write"]
    viewer = ["read"]
  }

  common_labels = {
    environment = var.environment
    managed_by  = "tenantform"
  }
}

module "tenant" {
  source   = "./modules/tenant"
  for_each = local.tenants

  slug         = each.key
  display_name = each.value.name
  tier         = each.value.tier
  region       = lookup(each.value, "region", "eu-west-1")
  status       = lookup(each.value, "status", "active")
  connection_limit = lookup(
    each.value,
    "connection_limit",
    local.tier_settings[each.value.tier].connection_limit,
  )
  quota_gb = lookup(
    each.value,
    "quota_gb",
    local.tier_settings[each.value.tier].quota_gb,
  )
  users               = each.value.users
  role_privileges     = local.role_privileges
  api_keys            = each.value.api_keys
  api_key_expiry      = var.api_key_expiry
  mfa_required        = local.tier_settings[each.value.tier].mfa_required
  session_ttl         = local.tier_settings[each.value.tier].session_ttl
  ip_allowlist        = lookup(each.value, "ip_allowlist", [])
  contacts            = lookup(each.value, "contacts", [])
  deletion_protection = var.deletion_protection
  labels = merge(
    local.common_labels,
    {
      tier    = each.value.tier
      support = local.tier_settings[each.value.tier].support
    },
    lookup(each.value, "labels", {}),
  )
}

output "tenant_ids" {
  description = "Tenant id by slug."
  value       = { for slug, tenant in module.tenant : slug => tenant.tenant_id }
}

output "schemas" {
  description = "The PostgreSQL schema of each tenant's main database, by slug."
  value       = { for slug, tenant in module.tenant : slug => tenant.schema }
}

output "logins" {
  description = "Database login of each user, by slug and email."
  value       = { for slug, tenant in module.tenant : slug => tenant.logins }
}

output "storage_paths" {
  description = "Each tenant's storage folder, by slug."
  value       = { for slug, tenant in module.tenant : slug => tenant.storage_path }
}

output "api_key_fingerprints" {
  description = "Fingerprints (not secrets) of each tenant's API keys, by slug and key name."
  value       = { for slug, tenant in module.tenant : slug => tenant.api_key_fingerprints }
}
