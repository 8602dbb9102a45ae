//! `tenantform`: a Terraform-compatible core. It reads `*.tf` configuration, builds a
//! resource graph, diffs it against stored state and drives plugin protocol v6 providers.
//! It knows nothing about tenants.

pub mod addrs;
pub mod cli;
pub mod config;
pub mod diags;
pub mod engine;
pub mod format;
pub mod graph;
pub mod lang;
pub mod plan;
pub mod providers;
pub mod provisioners;
pub mod state;
pub mod variables;

#[cfg(test)]
pub(crate) mod test_support;
