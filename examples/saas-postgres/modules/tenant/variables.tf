variable "slug" {
  description = "The tenant's short unique name; changing it replaces the tenant."
  type        = string
}

variable "display_name" {
  description = "Human-readable name."
  type        = string
}

variable "tier" {
  description = "free, standard or enterprise."
  type        = string

  validation {
    condition     = contains(["free", "standard", "enterprise"], var.tier)
    error_message = "The tier must be free, standard or enterprise."
  }
}

variable "region" {
  description = "Where the tenant's data lives; changing it replaces the tenant."
  type        = string
}

variable "status" {
  description = "active, or suspended: users cannot log in and API keys are refused, nothing is deleted."
  type        = string
  default     = "active"
}

variable "connection_limit" {
  description = "Maximum concurrent connections to the tenant's database, and of each of its users."
  type        = number
}

variable "quota_gb" {
  description = "The tenant's file storage quota, in GB."
  type        = number
}

variable "users" {
  description = "The tenant's users; each gets a login and a grant on the tenant's database."
  type = list(object({
    email = string
    role  = string
  }))
}

variable "role_privileges" {
  description = "The privileges each user role gets on the tenant's database."
  type        = map(list(string))
}

variable "api_keys" {
  description = "The tenant's API keys, by name, with their scopes."
  type = list(object({
    name   = string
    scopes = list(string)
  }))
}

variable "api_key_expiry" {
  description = "When the API keys expire (RFC 3339)."
  type        = string
}

variable "mfa_required" {
  description = "Whether the tenant's users must use multi-factor authentication."
  type        = bool
}

variable "session_ttl" {
  description = "How long a session lasts, e.g. 8h."
  type        = string
}

variable "ip_allowlist" {
  description = "CIDR blocks the tenant's users may connect from; empty allows any."
  type        = list(string)
  default     = []
}

variable "contacts" {
  description = "People to contact about the tenant."
  type = list(object({
    name  = string
    email = string
    kind  = string
  }))
  default = []
}

variable "labels" {
  description = "Labels of the tenant."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "When true the tenant cannot be destroyed or replaced."
  type        = bool
}
