//! Unit tests of the policy module, by topic.

mod conftest;
mod destroy_guard;
mod functions;
mod load;
mod nesting;
mod opa_test;
mod secrets;

use super::Policies;

/// Policies from `(file, text)` pairs, which must load.
fn policies(sources: &[(&str, &str)]) -> Policies {
    let owned: Vec<(String, String)> = sources
        .iter()
        .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
        .collect();
    Policies::from_sources(&owned).unwrap_or_else(|e| panic!("policies load: {e}"))
}

/// docs/POLICY.md lists exactly the builtins the engine provides (its internal helpers
/// aside), between the markers of its "Supported builtins" list.
#[test]
fn the_documented_builtins_are_the_engines() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/POLICY.md"))
        .unwrap_or_else(|e| panic!("docs/POLICY.md: {e}"));
    let start = doc
        .find("<!-- builtins -->")
        .unwrap_or_else(|| panic!("no builtins marker"));
    let end = doc
        .find("<!-- /builtins -->")
        .unwrap_or_else(|| panic!("no end marker"));
    let mut documented: Vec<&str> = doc[start..end]
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(|word| word.strip_prefix('`')?.strip_suffix('`'))
        .collect();
    documented.sort_unstable();
    let mut provided: Vec<&str> = regorus::unstable::BUILTINS
        .keys()
        .copied()
        .filter(|name| !name.starts_with("__"))
        .collect();
    provided.push("print");
    provided.sort_unstable();
    assert_eq!(documented, provided);
}
