//! Calls to functions neither the engine nor the policies define are refused up front.

use super::policies;
use crate::policy::{Policies, PolicyError};

fn load_error(policy: &str) -> String {
    let sources = vec![("policy/calls.rego".to_string(), policy.to_string())];
    match Policies::from_sources(&sources) {
        Err(PolicyError::UnknownFunction(message)) => message,
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a policy calling an unknown function loaded"),
    }
}

#[test]
fn a_missing_builtin_is_named_even_behind_an_unmet_condition() {
    let message = load_error(
        r#"package main
import rego.v1
deny contains msg if {
    input.never_there
    resp := http.send({"method": "get", "url": "http://localhost"})
    msg := resp.body
}
"#,
    );
    assert!(
        message.contains("policy/calls.rego:5: http.send"),
        "{message}"
    );
    let message = load_error("package main\nwarn contains x if { x := no_such.fn(1) }\n");
    assert!(message.contains("no_such.fn"), "{message}");
}

#[test]
fn builtins_and_defined_functions_resolve_through_packages_and_imports() {
    let mut loaded = policies(&[
        (
            "lib.rego",
            "package lib.names\nimport rego.v1\nis_db(t) if startswith(t, \"tenant_database\")\n",
        ),
        (
            "main.rego",
            r#"package main
import rego.v1
import data.lib.names
import data.lib.names as n
local(x) := upper(x)
deny contains msg if {
    some rc in input.resource_changes
    names.is_db(rc.type)
    n.is_db(rc.type)
    data.lib.names.is_db(rc.type)
    msg := local(sprintf("%s", [rc.address]))
    count(regex.find_n("a", rc.address, -1)) >= 0
}
"#,
        ),
    ]);
    let verdict = crate::policy::conftest::evaluate(
        &mut loaded,
        r#"{"resource_changes": [{"address": "tenant_database.a", "type": "tenant_database"}]}"#,
        &["main".to_string()],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verdict.failures[0].message, "TENANT_DATABASE.A");
}

#[test]
fn recursive_functions_are_refused_as_opa_refuses_them() {
    let sources = |text: &str| vec![("r.rego".to_string(), text.to_string())];
    for (text, cycle) in [
        ("package main\nf(x) := f(x)\n", "data.main.f -> data.main.f"),
        (
            "package main\nimport rego.v1\nf(x) := g(x)\ng(x) := y if { y := data.main.f(x) }\n",
            "data.main.f -> data.main.g -> data.main.f",
        ),
    ] {
        let Err(PolicyError::Recursion(message)) = Policies::from_sources(&sources(text)) else {
            panic!("recursion accepted: {text}");
        };
        assert!(message.ends_with(cycle), "{message}");
    }
}
