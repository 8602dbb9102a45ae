//! `tenantform`: a Terraform-compatible core. It reads `*.tf` configuration, builds a
//! resource graph, diffs it against stored state and drives plugin protocol v6 providers.
//! It knows nothing about tenants.

mod addrs;
mod cli;
mod config;
mod crash_test_trigger;
mod diags;
mod encryption;
mod engine;
mod format;
#[doc(hidden)]
pub mod fuzzing;
mod graph;
mod lang;
mod plan;
mod policy;
mod providers;
mod provisioners;
mod state;
mod sync;
mod variables;

#[cfg(test)]
mod test_support;

pub use cli::run;

/// The stack of every thread that evaluates configuration (`main.rs` runs the program on
/// one): expressions may nest thousands of levels deep (up to the parser's limits), and
/// evaluating them recurses.
pub const EVALUATION_STACK: usize = 256 << 20;
