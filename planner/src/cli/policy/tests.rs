//! The gate's flags: the destroy limit from the flag or the environment, allowed addresses
//! and namespaces.

use super::*;
use crate::cli::plan::COMMAND as PLAN;

fn gate(flags: &[&str], environment: Option<&str>) -> Result<Gate, Failure> {
    let flags: Vec<String> = flags.iter().map(|f| (*f).to_string()).collect();
    let parsed = PLAN
        .parse(&flags)
        .unwrap_or_else(|_| panic!("the flags parse"));
    Gate::with_environment(&parsed, &PLAN, environment.map(str::to_string))
}

fn error_text(result: Result<Gate, Failure>) -> String {
    match result {
        Ok(_) => panic!("accepted"),
        Err(Failure::Usage(message, _)) => message,
        Err(Failure::Diags(diags, _)) => diags.inline(" "),
    }
}

#[test]
fn the_flag_sets_the_limit_and_the_environment_is_the_default() {
    let Ok(from_flag) = gate(&["-max-destroy=2"], Some("7")) else {
        panic!("valid limit refused");
    };
    assert_eq!(
        from_flag.limit,
        Some(DestroyLimit {
            max: 2,
            source: LimitSource::Flag
        })
    );
    let Ok(from_environment) = gate(&[], Some("7")) else {
        panic!("valid limit refused");
    };
    assert_eq!(
        from_environment.limit,
        Some(DestroyLimit {
            max: 7,
            source: LimitSource::Environment
        })
    );
    for unset in [None, Some(""), Some("  ")] {
        let Ok(unlimited) = gate(&[], unset) else {
            panic!("no limit refused");
        };
        assert_eq!(unlimited.limit, None);
    }
}

#[test]
fn invalid_limits_and_addresses_are_clear_errors() {
    let message = error_text(gate(&[], Some("lots")));
    assert!(message.contains("TENANTFORM_MAX_DESTROY"), "{message}");
    assert!(message.contains("\"lots\""), "{message}");
    let message = error_text(gate(&["-max-destroy=-1"], None));
    assert!(message.contains("Invalid -max-destroy"), "{message}");
    let message = error_text(gate(&["-allow-destroy=module."], None));
    assert!(message.contains("Invalid -allow-destroy"), "{message}");
    let message = error_text(gate(&["-policy-namespace=x"], None));
    assert!(message.contains("requires -policy"), "{message}");
}

#[test]
fn namespaces_default_to_main_and_every_flag_value_is_kept() {
    let Ok(default) = gate(&["-policy=p"], None) else {
        panic!("refused");
    };
    assert_eq!(default.namespaces, ["main"]);
    let Ok(chosen) = gate(
        &[
            "-policy=p",
            "-policy=q",
            "-policy-namespace=a",
            "-policy-namespace=b.c",
            "-allow-destroy=module.t[\"a\"]",
            "-allow-destroy=tenant.x",
        ],
        None,
    ) else {
        panic!("refused");
    };
    assert_eq!(chosen.policy_dirs, ["p", "q"]);
    assert_eq!(chosen.namespaces, ["a", "b.c"]);
    assert_eq!(chosen.allowed.len(), 2);
}
