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

variable "connection_limit" {
  description = "Maximum concurrent connections to the tenant's database."
  type        = number
}

variable "admins" {
  description = "Email addresses of the tenant's administrators; each gets a user and a grant."
  type        = list(string)
  default     = []
}

variable "admin_privileges" {
  description = "Privileges granted to every admin on the tenant's database."
  type        = list(string)
}

variable "contacts" {
  description = "People to contact about the tenant."
  type = list(object({
    name  = string
    email = string
    kind  = optional(string)
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
  default     = true
}
