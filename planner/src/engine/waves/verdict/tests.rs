use super::*;

fn module(text: &str) -> Vec<ModuleStep> {
    format!("{text}.x.y")
        .parse::<InstanceAddr>()
        .unwrap()
        .module
}

fn check(module_text: &str, status: CheckStatus, problem: Option<&str>) -> CheckResult {
    let steps = if module_text.is_empty() {
        Vec::new()
    } else {
        module(module_text)
    };
    CheckResult::check_block(&steps, "health", status, problem.map(str::to_string))
}

#[test]
fn failures_count_in_applied_partitions_and_outside_them_only() {
    let partition = Partition::parse("module.tenant").unwrap();
    let a = module("module.tenant[\"a\"]");
    let applied: BTreeSet<&[ModuleStep]> = BTreeSet::from([a.as_slice()]);
    let checks = [
        check("module.tenant[\"a\"]", CheckStatus::Fail, Some("a is down")),
        check(
            "module.tenant[\"b\"]",
            CheckStatus::Fail,
            Some("b not applied yet"),
        ),
        check("", CheckStatus::Fail, Some("the fleet is down")),
        check("module.other[\"x\"]", CheckStatus::Error, None),
        check("module.tenant[\"a\"]", CheckStatus::Pass, None),
        check("module.tenant[\"a\"]", CheckStatus::Unknown, None),
        CheckResult::resource(
            &"module.tenant[\"a\"].tenant.this".parse().unwrap(),
            CheckStatus::Fail,
            Some("a postcondition fails the apply itself".into()),
        ),
    ];
    assert_eq!(
        failed_checks(&checks, &partition, &applied),
        [
            "check.health: the fleet is down",
            "module.other[\"x\"].check.health: the assertion could not be evaluated",
            "module.tenant[\"a\"].check.health: a is down",
        ]
    );
    assert!(failed_checks(&checks[4..], &partition, &applied).is_empty());
}
