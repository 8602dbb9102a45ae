# One tenant: its record, its main database sized by tier, a user and a grant per admin.

terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

resource "tenant" "this" {
  slug                = var.slug
  display_name        = var.display_name
  tier                = var.tier
  region              = var.region
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

resource "tenant_user" "admin" {
  for_each = toset(var.admins)

  tenant_id = tenant.this.id
  email     = each.value
  role      = "admin"
}

resource "tenant_grant" "admin" {
  for_each = tenant_user.admin

  user_id     = each.value.id
  database_id = tenant_database.main.id
  privileges  = var.admin_privileges
}
