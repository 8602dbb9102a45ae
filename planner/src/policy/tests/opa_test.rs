//! `policy test`: test rules pass, fail or err as in `opa test`, and the report's lines.

use std::time::Duration;

use super::policies;
use crate::policy::opa_test::{Outcome, all_passed, go_duration, report, run_tests};

const POLICY: &str = r#"package main
import rego.v1
deny contains "no deletes" if {
    some rc in input.resource_changes
    "delete" in rc.change.actions
}
"#;

const TESTS: &str = r#"package main
import rego.v1
test_delete_is_denied if {
    deny with input as {"resource_changes": [{"change": {"actions": ["delete"]}}]}
}
test_create_is_allowed if {
    count(deny) == 0 with input as {"resource_changes": [{"change": {"actions": ["create"]}}]}
}
test_wrongly_expects_no_denial if {
    count(deny) == 0 with input as {"resource_changes": [{"change": {"actions": ["delete"]}}]}
}
test_false := false
todo_test_later if true
helper(x) := x
"#;

#[test]
fn tests_pass_fail_and_skip_as_opa_test_decides() {
    let mut loaded = policies(&[("p/main.rego", POLICY), ("p/main_test.rego", TESTS)]);
    let results = run_tests(&mut loaded);
    let outcomes: Vec<(&str, &Outcome)> = results
        .iter()
        .map(|r| (r.name.as_str(), &r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("data.main.test_delete_is_denied", &Outcome::Pass),
            ("data.main.test_create_is_allowed", &Outcome::Pass),
            ("data.main.test_wrongly_expects_no_denial", &Outcome::Fail),
            ("data.main.test_false", &Outcome::Fail),
            ("data.main.todo_test_later", &Outcome::Skip),
        ]
    );
    assert!(!all_passed(&results));
    assert!(all_passed(&results[..2]));
    let text = report(&results);
    assert!(
        text.contains("data.main.test_delete_is_denied: PASS ("),
        "{text}"
    );
    assert!(text.contains("data.main.test_false: FAIL ("), "{text}");
    assert!(
        text.ends_with(&format!(
            "{}\nPASS: 2/5\nFAIL: 2/5\nSKIPPED: 1/5\n",
            "-".repeat(80)
        )),
        "{text}"
    );
}

#[test]
fn a_test_that_cannot_be_evaluated_is_an_error() {
    let mut loaded = policies(&[(
        "t.rego",
        "package main\nimport rego.v1\ntest_divides if { 1 / 0 == 1 }\n",
    )]);
    let results = run_tests(&mut loaded);
    assert!(
        matches!(results[0].outcome, Outcome::Error(_)),
        "{results:?}"
    );
    assert!(report(&results).contains("ERROR: 1/1"));
    assert!(!all_passed(&results));
}

#[test]
fn durations_read_as_go_prints_them() {
    assert_eq!(go_duration(Duration::from_nanos(0)), "0s");
    assert_eq!(go_duration(Duration::from_nanos(999)), "999ns");
    assert_eq!(go_duration(Duration::from_nanos(436_542)), "436.542µs");
    assert_eq!(go_duration(Duration::from_micros(1_500)), "1.5ms");
    assert_eq!(go_duration(Duration::from_secs(2)), "2s");
}

#[test]
fn what_a_test_prints_is_shown_under_it_not_on_standard_error() {
    let mut loaded = policies(&[(
        "p.rego",
        "package main\nimport rego.v1\ntest_prints if {\n    print(\"checked\", 2)\n}\n",
    )]);
    let results = run_tests(&mut loaded);
    assert_eq!(results[0].output, ["p.rego:4: checked 2"]);
    assert!(report(&results).starts_with("data.main.test_prints: PASS ("),);
    assert!(report(&results).contains(")\n\n  p.rego:4: checked 2\n\n---"));
}
