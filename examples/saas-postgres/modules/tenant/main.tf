# One tenant on PostgreSQL: its catalog record, its main database (a schema with an owner
# role), a login and a grant per user, its file storage, its API keys and its security policy.

terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

locals {
  users_by_email = { for user in var.users : user.email => user }
  api_keys       = { for key in var.api_keys : key.name => key }
}

resource "tenant" "this" {
  slug                = var.slug
  display_name        = var.display_name
  tier                = var.tier
  region              = var.region
  status              = var.status
  labels              = var.labels
  deletion_protection = var.deletion_protection

  dynamic "contact" {
    for_each = var.contacts
    content {
      name  = contact.value.name
      email = contact.value.email
      kind  = contact.value.kind
    }
  }
}

resource "tenant_database" "main" {
  tenant_id        = tenant.this.id
  name             = "main"
  connection_limit = var.connection_limit
}

resource "tenant_user" "this" {
  for_each = local.users_by_email

  tenant_id = tenant.this.id
  email     = each.key
  role      = each.value.role
  # PostgreSQL limits sessions per login role: each user gets the tier's limit.
  connection_limit = var.connection_limit
}

resource "tenant_grant" "this" {
  for_each = tenant_user.this

  user_id     = each.value.id
  database_id = tenant_database.main.id
  privileges  = var.role_privileges[each.value.role]
}

resource "tenant_storage" "this" {
  tenant_id = tenant.this.id
  quota_gb  = var.quota_gb
}

resource "tenant_api_key" "this" {
  for_each = local.api_keys

  tenant_id  = tenant.this.id
  name       = each.key
  scopes     = each.value.scopes
  expires_at = var.api_key_expiry
}

resource "tenant_policy" "this" {
  tenant_id    = tenant.this.id
  mfa_required = var.mfa_required
  session_ttl  = var.session_ttl
  ip_allowlist = var.ip_allowlist
}
