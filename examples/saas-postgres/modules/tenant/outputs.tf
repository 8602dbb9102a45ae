output "tenant_id" {
  description = "The tenant's id."
  value       = tenant.this.id
}

output "schema" {
  description = "The PostgreSQL schema of the tenant's main database."
  value       = tenant_database.main.schema
}

output "logins" {
  description = "Database login of each user, by email."
  value       = { for email, user in tenant_user.this : email => user.login }
}

output "storage_path" {
  description = "The tenant's storage folder."
  value       = tenant_storage.this.path
}

output "api_key_fingerprints" {
  description = "The fingerprint of each API key, by name; the secrets themselves stay in the state."
  value       = { for name, key in tenant_api_key.this : name => key.fingerprint }
}
