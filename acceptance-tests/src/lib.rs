//! The acceptance-test harness: runs the real `tenantform` and `terraform-provider-tenant`
//! binaries (and real Terraform as an oracle) against copies of the examples in temporary
//! directories, and reads what they leave behind: the state file and the provider's catalog.
//!
//! The tests never build the binaries themselves; `cargo build --workspace --bins` (which
//! `scripts/test.sh` runs) must have built them first.

// The harness is test code: a failed expectation here fails the test that called it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test harness reports a broken expectation by panicking"
)]

pub mod archives;
pub mod binaries;
pub mod catalog;
pub mod fault_checks;
pub mod file_set;
pub mod fixtures;
pub mod fleet_model;
pub mod generate;
pub mod inventory;
pub mod oracle_run;
pub mod pg_inspect;
pub mod pg_project;
pub mod pgbouncer;
pub mod plan_compare;
pub mod plan_json;
pub mod plan_text;
pub mod policy_tools;
pub mod postgres;
pub mod process;
pub mod project;
pub mod recovery;
pub mod scenario;
pub mod script_lines;
pub mod state;
pub mod state_secrets;
pub mod terraform;
pub mod text_patch;

pub use binaries::Binaries;
pub use catalog::{Catalog, CatalogObject};
pub use process::{Output, RunningProcess};
pub use project::Project;
pub use state::{State, StateInstance};
pub use terraform::{Terraform, TerraformVersion};
