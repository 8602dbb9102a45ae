//! Deeply nested brackets are refused before the parser sees them.

use std::time::{Duration, Instant};

use crate::policy::nesting::{MAX_NESTING, check};
use crate::policy::{Policies, PolicyError};

fn nested(levels: usize) -> String {
    format!(
        "package main\n\n# [[[[ in a comment\nx := \"[[[[\"\ny := {}1{}\n",
        "[{\"a\": ".repeat(levels / 2),
        "}]".repeat(levels / 2)
    )
}

#[test]
fn the_deepest_accepted_nesting_parses_quickly_and_one_more_level_is_refused() {
    let started = Instant::now();
    let deepest = vec![("deep.rego".to_string(), nested(MAX_NESTING))];
    if let Err(e) = Policies::from_sources(&deepest) {
        panic!("{MAX_NESTING} levels refused: {e}");
    }
    assert!(started.elapsed() < Duration::from_secs(30));
    let Err(PolicyError::Parse(message)) = check("deep.rego", &nested(MAX_NESTING + 2)) else {
        panic!("{} levels accepted", MAX_NESTING + 2);
    };
    assert_eq!(
        message,
        format!(
            "deep.rego:5: brackets nest more than {MAX_NESTING} levels deep, which \
             tenantform's Rego parser does not accept"
        )
    );
}

#[test]
fn brackets_in_strings_and_comments_do_not_count() {
    let text = format!(
        "package main\n# {}\nx := \"{}\\\"\"\ny := `{}`\n",
        "[".repeat(50),
        "{".repeat(50),
        "(".repeat(50)
    );
    assert!(check("p.rego", &text).is_ok());
}
