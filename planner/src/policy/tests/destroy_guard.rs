//! The blast-radius guard: what counts as destroyed, what an allowed address covers, and
//! the refusal's message.

use crate::plan::{Action, Plan};
use crate::policy::destroy_guard::{
    AllowedAddr, DestroyLimit, LimitSource, check, counted, parse_limit,
};
use crate::test_support::{instance_addr, resource_change};
use tenantform_proto::value::Value;

/// A plan with one change per `(address, action)`.
fn plan_of(changes: &[(&str, Action)]) -> Plan {
    Plan {
        changes: changes
            .iter()
            .map(|(addr, action)| resource_change(addr, *action, Value::Null, Value::Null))
            .collect(),
        ..Plan::default()
    }
}

fn allowed(texts: &[&str]) -> Vec<AllowedAddr> {
    texts
        .iter()
        .map(|t| t.parse().unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

fn counted_addrs(plan: &Plan, allow: &[&str]) -> Vec<String> {
    counted(plan, &allowed(allow))
        .iter()
        .map(|c| c.addr.to_string())
        .collect()
}

#[test]
fn deletes_and_replacements_count_forget_reads_and_updates_do_not() {
    let mut plan = plan_of(&[
        ("tenant.a", Action::Delete),
        ("tenant.b", Action::DeleteThenCreate),
        ("tenant.c", Action::CreateThenDelete),
        ("tenant.d", Action::Forget),
        ("tenant.e", Action::Update),
        ("tenant.f", Action::Create),
        ("tenant.g", Action::NoOp),
        ("data.tenants.all", Action::Read),
        ("data.tenants.gone", Action::Delete),
    ]);
    let mut deposed = resource_change("tenant.h", Action::Delete, Value::Null, Value::Null);
    deposed.deposed = Some("00000001".into());
    plan.changes.push(deposed);
    assert_eq!(
        counted_addrs(&plan, &[]),
        ["tenant.a", "tenant.b", "tenant.c", "tenant.h"]
    );
}

#[test]
fn allowed_modules_resources_and_instances_cover_what_is_inside() {
    let plan = plan_of(&[
        ("module.tenant[\"a\"].tenant.this", Action::Delete),
        (
            "module.tenant[\"a\"].tenant_database.db[\"x\"]",
            Action::Delete,
        ),
        ("module.tenant[\"b\"].tenant.this", Action::Delete),
        (
            "module.tenant[\"b\"].tenant_database.db[\"x\"]",
            Action::Delete,
        ),
        (
            "module.tenant[\"b\"].tenant_database.db[\"y\"]",
            Action::Delete,
        ),
        ("module.other.tenant.this", Action::Delete),
        ("tenant.db[0]", Action::Delete),
        ("tenant.db[1]", Action::Delete),
    ]);
    assert_eq!(
        counted_addrs(
            &plan,
            &[
                "module.tenant[\"a\"]",
                "module.tenant[\"b\"].tenant_database.db",
                "tenant.db[1]",
            ]
        ),
        [
            "module.tenant[\"b\"].tenant.this",
            "module.other.tenant.this",
            "tenant.db[0]"
        ]
    );
    assert_eq!(
        counted_addrs(&plan, &["module.tenant", "tenant.db"]),
        ["module.other.tenant.this"]
    );
    let nested = instance_addr("module.tenant[\"a\"].module.inner.tenant.this");
    assert!(allowed(&["module.tenant[\"a\"]"])[0].covers(&nested));
    assert!(!allowed(&["module.tenant[\"a\"].tenant.this"])[0].covers(&nested));
}

#[test]
fn invalid_addresses_and_limits_are_refused() {
    for text in ["module.", "tenant", "module.t[x]", "tenant.a.b.c", ""] {
        assert!(text.parse::<AllowedAddr>().is_err(), "{text} accepted");
    }
    assert_eq!(parse_limit("3"), Ok(3));
    assert_eq!(parse_limit(" 0 "), Ok(0));
    for text in ["-1", "two", "1.5", ""] {
        assert!(parse_limit(text).is_err(), "{text} accepted");
    }
}

#[test]
fn more_than_the_limit_is_refused_with_the_count_and_the_first_addresses() {
    let names: Vec<String> = (0..13).map(|i| format!("tenant.t[{i}]")).collect();
    let changes: Vec<(&str, Action)> = names.iter().map(|n| (n.as_str(), Action::Delete)).collect();
    let plan = plan_of(&changes);
    let limit = DestroyLimit {
        max: 13,
        source: LimitSource::Flag,
    };
    assert_eq!(check(&plan, limit, &[]), Ok(()));
    let limit = DestroyLimit {
        max: 2,
        source: LimitSource::Environment,
    };
    let Err(message) = check(&plan, limit, &[]) else {
        panic!("13 deletions passed a limit of 2");
    };
    assert!(
        message.starts_with(
            "The plan destroys or replaces 13 resource instances, more than the limit of 2 set by \
         TENANTFORM_MAX_DESTROY:\n  - tenant.t[0]\n"
        ),
        "{message}"
    );
    assert!(
        message.contains("  - tenant.t[9]\n  and 3 more\n"),
        "{message}"
    );
    assert!(!message.contains("tenant.t[10]"), "{message}");
    assert_eq!(check(&plan, limit, &allowed(&["tenant.t"])), Ok(()));
}
