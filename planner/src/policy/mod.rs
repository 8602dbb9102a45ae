//! Policy as code for plans: Rego policies (`plan -policy=DIR`) evaluated against the JSON
//! plan with conftest's rule conventions (`conftest.rs`), their unit tests run as `opa test`
//! runs them (`opa_test.rs`), and the blast-radius guard on destroyed instances
//! (`destroy_guard.rs`). Policies are loaded by `load.rs` and checked for functions the
//! Rego engine lacks by `functions.rs` before anything is evaluated; `secrets.rs` keeps the
//! plan's sensitive values out of what they report.

pub(crate) mod conftest;
pub(crate) mod destroy_guard;
mod functions;
mod load;
mod nesting;
pub(crate) mod opa_test;
pub(crate) mod secrets;

pub(crate) use load::Policies;

/// Why policies could not be loaded or evaluated. Each message names the file, rule or
/// function concerned.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PolicyError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("no Rego policy (*.rego) found in {0}")]
    NoPolicies(String),
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    UnknownFunction(String),
    #[error("{0}")]
    Recursion(String),
    #[error("{0}")]
    Evaluation(String),
    #[error("{0}")]
    Result(String),
}

#[cfg(test)]
mod tests;
