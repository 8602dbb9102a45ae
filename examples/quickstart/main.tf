# Two tenants, each with a database, an admin user and a grant, on the embedded backend;
# acme also gets file storage with a quota, an API key for its CI and a security policy.
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
  default     = "quickstart"
}

locals {
  labels = {
    environment = var.environment
    managed_by  = "tenantform"
  }
}

resource "tenant" "acme" {
  slug                = "acme"
  display_name        = "Acme Corporation"
  tier                = "enterprise"
  region              = "eu-west-1"
  labels              = local.labels
  deletion_protection = false

  contact {
    name  = "Ada Admin"
    email = "ada@acme.example"
    kind  = "technical"
  }
}

resource "tenant_database" "acme" {
  tenant_id        = tenant.acme.id
  name             = "main"
  connection_limit = 20
}

resource "tenant_user" "acme_admin" {
  tenant_id = tenant.acme.id
  email     = "ada@acme.example"
  role      = "admin"
}

resource "tenant_grant" "acme_admin" {
  user_id     = tenant_user.acme_admin.id
  database_id = tenant_database.acme.id
  privileges  = ["read", "write", "admin"]
}

resource "tenant_storage" "acme" {
  tenant_id = tenant.acme.id
  quota_gb  = 50
}

resource "tenant_api_key" "acme_ci" {
  tenant_id = tenant.acme.id
  name      = "ci"
  scopes    = ["tenants:read", "deployments:write"]
}

resource "tenant_policy" "acme" {
  tenant_id    = tenant.acme.id
  mfa_required = true
  session_ttl  = "8h"
  ip_allowlist = ["10.0.0.0/8", "192.0.2.0/24"]
}

resource "tenant" "globex" {
  slug                = "globex"
  display_name        = "Globex Inc."
  tier                = "standard"
  region              = "us-east-1"
  labels              = local.labels
  deletion_protection = false
}

resource "tenant_database" "globex" {
  tenant_id = tenant.globex.id
  name      = "main"
}

resource "tenant_user" "globex_admin" {
  tenant_id = tenant.globex.id
  email     = "hank@globex.example"
  role      = "admin"
}

resource "tenant_grant" "globex_admin" {
  user_id     = tenant_user.globex_admin.id
  database_id = tenant_database.globex.id
  privileges  = ["read", "write"]
}

output "acme_api_key_fingerprint" {
  description = "Identifies the CI key without revealing it."
  value       = tenant_api_key.acme_ci.fingerprint
}

output "tenant_ids" {
  value = {
    acme   = tenant.acme.id
    globex = tenant.globex.id
  }
}
