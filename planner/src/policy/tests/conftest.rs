//! conftest's rule conventions: which rules fail or warn, result shapes, exceptions and
//! namespaces.

use super::policies;
use crate::policy::PolicyError;
use crate::policy::conftest::{Severity, Verdict, evaluate, exception_suffix, severity_of};

const INPUT: &str = r#"{"resource_changes": [
    {"address": "tenant_database.a", "type": "tenant_database", "change": {"actions": ["delete"]}},
    {"address": "tenant.b", "type": "tenant", "change": {"actions": ["create"]}}
]}"#;

/// Evaluates one policy file in namespace `main` against [`INPUT`].
fn verdict(policy: &str) -> Verdict {
    let mut policies = policies(&[("policy/main.rego", policy)]);
    evaluate(&mut policies, INPUT, &["main".to_string()])
        .unwrap_or_else(|e| panic!("evaluation fails: {e}"))
}

fn messages(findings: &[crate::policy::conftest::Finding]) -> Vec<String> {
    findings.iter().map(|f| f.message.clone()).collect()
}

#[test]
fn deny_and_violation_fail_and_warn_warns_with_string_or_msg_results() {
    let verdict = verdict(
        r#"package main
import rego.v1
deny contains msg if {
    some rc in input.resource_changes
    "delete" in rc.change.actions
    msg := sprintf("%s would be deleted", [rc.address])
}
violation contains {"msg": "objects work too", "details": 1} if true
warn contains "creating" if {
    some rc in input.resource_changes
    "create" in rc.change.actions
}
warn_never contains "no" if false
"#,
    );
    assert_eq!(
        messages(&verdict.failures),
        ["tenant_database.a would be deleted", "objects work too"]
    );
    assert_eq!(verdict.failures[0].rule, "data.main.deny");
    assert_eq!(verdict.failures[0].files, ["policy/main.rego"]);
    assert_eq!(verdict.failures[1].rule, "data.main.violation");
    assert_eq!(messages(&verdict.warnings), ["creating"]);
    assert!(verdict.exceptions.is_empty());
}

#[test]
fn suffixed_rules_count_and_other_names_do_not() {
    let verdict = verdict(
        r#"package main
deny_deletes contains "d" if true
violation_x_2 contains "v" if true
warn_tier contains "w" if true
denied contains "not a conftest rule" if true
deny_ contains "nor this" if true
"#,
    );
    assert_eq!(messages(&verdict.failures), ["d", "v"]);
    assert_eq!(messages(&verdict.warnings), ["w"]);
    assert_eq!(severity_of("deny"), Some(Severity::Failure));
    assert_eq!(severity_of("violation_a_b"), Some(Severity::Failure));
    assert_eq!(severity_of("warn_1"), Some(Severity::Warning));
    for name in [
        "denied",
        "deny_",
        "deny__x",
        "warn_a-b",
        "exception",
        "allow",
    ] {
        assert_eq!(severity_of(name), None, "{name}");
    }
}

#[test]
fn exceptions_name_rule_suffixes_as_conftest_does() {
    let verdict = verdict(
        r#"package main
import rego.v1
deny_foo contains "foo" if true
deny_bar contains "bar" if true
warn_foo contains "warned foo" if true
exception contains rules if {
    input.resource_changes[0].type == "tenant_database"
    rules := ["foo"]
}
"#,
    );
    assert_eq!(messages(&verdict.failures), ["bar"]);
    assert!(verdict.warnings.is_empty());
    let excepted: Vec<&str> = verdict.exceptions.iter().map(|e| e.rule.as_str()).collect();
    assert_eq!(excepted, ["data.main.deny_foo", "data.main.warn_foo"]);
    assert_eq!(
        verdict.exceptions[0].query,
        "data.main.exception[_][_] == \"foo\""
    );
    assert_eq!(exception_suffix("deny"), "");
    assert_eq!(exception_suffix("violation_foo"), "foo");
    assert_eq!(exception_suffix("warn_a_b"), "a_b");
}

#[test]
fn an_empty_exception_name_excepts_the_plain_rules() {
    let verdict = verdict(
        r#"package main
deny contains "plain" if true
deny_named contains "named" if true
exception contains [""] if true
"#,
    );
    assert_eq!(messages(&verdict.failures), ["named"]);
    assert_eq!(verdict.exceptions.len(), 1);
}

#[test]
fn only_the_chosen_namespaces_are_evaluated() {
    let mut policies = policies(&[
        (
            "main.rego",
            "package main\ndeny contains \"main\" if true\n",
        ),
        (
            "tenants.rego",
            "package tenants.rules\nimport rego.v1\ndeny contains \"tenants\" if true\n",
        ),
    ]);
    let only_tenants = evaluate(&mut policies, INPUT, &["tenants.rules".to_string()])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(messages(&only_tenants.failures), ["tenants"]);
    assert_eq!(only_tenants.failures[0].rule, "data.tenants.rules.deny");
    let both = evaluate(
        &mut policies,
        INPUT,
        &["main".to_string(), "tenants.rules".to_string()],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(messages(&both.failures), ["main", "tenants"]);
    let Err(PolicyError::Evaluation(message)) =
        evaluate(&mut policies, INPUT, &["mian".to_string()])
    else {
        panic!("a namespace no policy declares was accepted");
    };
    assert!(message.contains("\"mian\""), "{message}");
}

#[test]
fn results_of_other_shapes_are_errors_not_silent_passes() {
    let cases = [
        ("package main\ndeny if true\n", "not a set of messages"),
        (
            "package main\ndeny contains {\"message\": \"x\"} if true\n",
            "is an object with the keys \"message\", without a string \"msg\" field",
        ),
        (
            "package main\ndeny contains 42 if true\n",
            "neither a string",
        ),
    ];
    for (policy, expected) in cases {
        let mut policies = policies(&[("p.rego", policy)]);
        let Err(PolicyError::Result(message)) =
            evaluate(&mut policies, INPUT, &["main".to_string()])
        else {
            panic!("accepted: {policy}");
        };
        assert!(message.contains(expected), "{message}");
        assert!(message.contains("data.main.deny"), "{message}");
    }
}

#[test]
fn invalid_rego_is_a_parse_error_naming_the_file() {
    let sources = vec![(
        "bad.rego".to_string(),
        "package main\ndeny contains if {\n".to_string(),
    )];
    let Err(PolicyError::Parse(message)) = crate::policy::Policies::from_sources(&sources) else {
        panic!("invalid Rego accepted");
    };
    assert!(message.contains("bad.rego"), "{message}");
}

#[test]
fn prints_are_gathered_with_their_location() {
    let verdict = verdict(
        "package main\nimport rego.v1\nwarn contains \"w\" if {\n    print(count(input.resource_changes))\n}\n",
    );
    assert_eq!(verdict.prints, ["policy/main.rego:4: 2"]);
}
