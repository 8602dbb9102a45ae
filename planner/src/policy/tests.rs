//! Unit tests of the policy module, by topic.

mod conftest;
mod destroy_guard;
mod functions;
mod opa_test;

use super::Policies;

/// Policies from `(file, text)` pairs, which must load.
fn policies(sources: &[(&str, &str)]) -> Policies {
    let owned: Vec<(String, String)> = sources
        .iter()
        .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
        .collect();
    Policies::from_sources(&owned).unwrap_or_else(|e| panic!("policies load: {e}"))
}
