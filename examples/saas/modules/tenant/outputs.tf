output "tenant_id" {
  description = "The tenant's id."
  value       = tenant.this.id
}

output "database_id" {
  description = "The id of the tenant's main database."
  value       = tenant_database.main.id
}

output "connection_limit" {
  description = "The connection limit of the tenant's main database."
  value       = tenant_database.main.connection_limit
}

output "admin_logins" {
  description = "Database login of each admin, by email."
  value       = { for email, user in tenant_user.admin : email => user.login }
}
