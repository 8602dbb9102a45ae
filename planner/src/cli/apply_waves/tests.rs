use super::*;
use crate::cli::apply::COMMAND;

/// What `apply` with these arguments makes of `-waves` and `-partition`.
fn request_for(args: &[&str]) -> Result<Option<WavesRequest>, Failure> {
    let args: Vec<String> = args.iter().map(std::string::ToString::to_string).collect();
    let parsed = COMMAND
        .parse(&args)
        .unwrap_or_else(|_| panic!("the flags parse: {args:?}"));
    let mode = super::super::plan::mode(&parsed, false)?;
    let planning = super::super::plan::planning(&parsed, &COMMAND)?;
    request(&parsed, &COMMAND, mode, &planning)
}

/// The message of a refusal: a usage error's, or a diagnostic's detail.
fn refusal(args: &[&str]) -> String {
    match request_for(args) {
        Ok(_) => panic!("{args:?} accepted"),
        Err(Failure::Usage(message, _)) => message,
        Err(Failure::Diags(diags, _)) => diags.iter().map(|d| d.detail.clone()).collect(),
    }
}

#[test]
fn both_flags_make_a_request_and_neither_makes_none() {
    assert!(matches!(request_for(&[]), Ok(None)));
    let Ok(Some(waves)) = request_for(&["-waves=1,10%,100%", "-partition=module.tenant"]) else {
        panic!("no request");
    };
    assert_eq!(waves.sizes, WaveSizes::parse("1,10%,100%").unwrap());
    assert_eq!(waves.partition, Partition::parse("module.tenant").unwrap());
}

#[test]
fn one_flag_without_the_other_and_bad_values_are_usage_errors() {
    assert!(refusal(&["-waves=1,100%"]).contains("needs -partition"));
    assert!(refusal(&["-partition=module.tenant"]).contains("goes with -waves"));
    assert!(
        refusal(&["-waves=1,10%", "-partition=module.tenant"]).contains("Invalid -waves value")
    );
    assert!(
        refusal(&["-waves=1,100%", "-partition=tenant.x"]).contains("Invalid -partition value")
    );
}

#[test]
fn a_saved_plan_another_mode_and_targeting_are_refused() {
    let waves = ["-waves=1,100%", "-partition=module.tenant"];
    let with = |extra: &[&str]| {
        let mut args = waves.to_vec();
        args.extend_from_slice(extra);
        refusal(&args)
    };
    assert!(with(&["saved.tfplan"]).contains("A saved plan is stale after the first wave"));
    assert!(with(&["-destroy"]).contains("-destroy or -refresh-only"));
    assert!(with(&["-refresh-only"]).contains("-destroy or -refresh-only"));
    assert!(with(&["-target=tenant.a"]).contains("-target or -exclude"));
    assert!(with(&["-exclude=tenant.a"]).contains("-target or -exclude"));
}

#[test]
fn destroy_does_not_take_the_flags() {
    let args = vec!["-waves=1,100%".to_string()];
    assert!(
        crate::cli::apply::DESTROY_COMMAND.parse(&args).is_err(),
        "destroy accepted -waves"
    );
}
