//! `terraform-provider-tenant`: a Terraform plugin protocol v6 provider that provisions SaaS
//! tenants (tenants, databases, users, grants, storage, API keys and security policies) on
//! an embedded SQLite backend or on PostgreSQL.
//!
//! The provider knows nothing of HCL or of any planner: it only answers the protocol. All
//! SQL and file-system effects live behind [`backend::Backend`].

pub mod backend;
pub mod data_sources;
#[doc(hidden)]
pub mod fuzzing;
pub mod naming;
pub mod provider_config;
pub mod records;
pub mod resources;
pub mod schemas;
pub mod secrets;
pub mod server;
pub mod values;

#[cfg(test)]
mod test_support;

pub use server::TenantProvider;
