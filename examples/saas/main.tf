# A fleet of tenants described by an inventory file. Each entry of tenants.yaml becomes one
# instance of modules/tenant: the tenant, its database sized by tier, its admins and their
# grants. Add a tenant or change a tier in tenants.yaml, then plan and apply.
# Run: tenantform init && tenantform apply -auto-approve

terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

provider "tenant" {
  backend = "embedded"
}

variable "environment" {
  description = "Label applied to every tenant."
  type        = string
  default     = "production"
}

variable "deletion_protection" {
  description = "Protect every tenant from destruction. To offboard the fleet, apply with this set to false, then destroy."
  type        = bool
  default     = true
}

locals {
  inventory = yamldecode(file("${path.module}/tenants.yaml"))
  tenants   = local.inventory.tenants

  # What each tier gets. A tenant may override its connection limit in the inventory.
  tier_settings = {
    free = {
      connection_limit = 5
      privileges       = ["read"]
      support          = "community"
    }
    standard = {
      connection_limit = 20
      privileges       = ["read", "write"]
      support          = "business-hours"
    }
    enterprise = {
      connection_limit = 100
      privileges       = ["read", "write", "admin"]
      support          = "24x7"
    }
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
  connection_limit = lookup(
    each.value,
    "connection_limit",
    local.tier_settings[each.value.tier].connection_limit,
  )
  admin_privileges    = local.tier_settings[each.value.tier].privileges
  admins              = lookup(each.value, "admins", [])
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

output "connection_limits" {
  description = "The connection limit of each tenant's database, by slug."
  value       = { for slug, tenant in module.tenant : slug => tenant.connection_limit }
}

output "admin_logins" {
  description = "Database login of each admin, by slug and email."
  value       = { for slug, tenant in module.tenant : slug => tenant.admin_logins }
}
