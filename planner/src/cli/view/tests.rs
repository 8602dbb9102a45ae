use serde_json::json;

use super::compact::compact_warnings;
use super::*;
use crate::diags::{Diagnostic, Pos, SourceRange};
use crate::test_support::instance_addr;

fn at(line: usize) -> Option<SourceRange> {
    let pos = Pos {
        line,
        column: 1,
        byte: 0,
    };
    Some(SourceRange {
        filename: "main.tf".into(),
        start: pos,
        end: pos,
    })
}

#[test]
fn compact_warnings_list_each_summary_once_with_where() {
    let warnings = Diagnostics(vec![
        Diagnostic::warning("Deprecated", "d").with_range(at(3)),
        Diagnostic::warning("Deprecated", "d").with_range(at(9)),
        Diagnostic::warning("Alone", "a").with_range(at(5)),
        Diagnostic::warning("Nowhere", "n"),
        Diagnostic::warning("Nowhere", "n"),
    ]);
    assert_eq!(
        compact_warnings(&warnings, false),
        "\nWarnings:\n\n- Deprecated\n  on main.tf line 3 (and 1 more)\n- Alone\n  on main.tf \
         line 5\n- Nowhere\n  (2 occurences of this warning)\n\nTo see the full warning \
         notes, run tenantform without -compact-warnings.\n"
    );
}

#[test]
fn progress_reads_as_terraform_1_15_writes_it() {
    let addr = instance_addr("tenant.acme");
    let still = Event::ApplyProgress {
        addr: addr.clone(),
        action: Action::Create,
        id: None,
        elapsed: 70,
    };
    assert_eq!(
        still.human_text(false).as_deref(),
        Some("tenant.acme: Still creating... [01m10s elapsed]")
    );
    let (kind, message, hook) = still.json().unwrap();
    assert_eq!(kind, "apply_progress");
    assert_eq!(message, "tenant.acme: Still creating... [1m10s elapsed]");
    assert_eq!(hook["elapsed_seconds"], 70);
    let destroying = Event::ApplyProgress {
        addr,
        action: Action::Delete,
        id: Some("t-1".into()),
        elapsed: 10,
    };
    assert_eq!(
        destroying.human_text(false).as_deref(),
        Some("tenant.acme: Still destroying... [id=t-1, 00m10s elapsed]")
    );
}

#[test]
fn events_have_their_human_and_json_forms() {
    let addr = instance_addr("tenant.acme");
    let start = Event::ApplyStart {
        addr: addr.clone(),
        action: Action::Update,
        id: Some("t-1".into()),
    };
    assert_eq!(
        start.human_text(false).as_deref(),
        Some("tenant.acme: Modifying... [id=t-1]")
    );
    let (kind, message, hook) = start.json().unwrap();
    assert_eq!(
        (kind, message.as_str()),
        ("apply_start", "tenant.acme: Modifying... [id=t-1]")
    );
    assert_eq!(hook["id_key"], "id");
    assert_eq!(hook["id_value"], "t-1");
    assert_eq!(hook["resource"]["addr"], "tenant.acme");
    let replaced = Event::ApplyComplete {
        addr: addr.clone(),
        action: Action::DeleteThenCreate,
        id: Some("t-2".into()),
        elapsed: 2,
    };
    assert_eq!(
        replaced.human_text(false).as_deref(),
        Some("tenant.acme: Creation complete after 2s [id=t-2]"),
        "a replacement's create step is a create"
    );
    assert_eq!(replaced.json().unwrap().2["action"], "create");
    let read = Event::ApplyStart {
        addr: instance_addr("data.tenants.all"),
        action: Action::Read,
        id: None,
    };
    assert_eq!(
        read.human_text(false).as_deref(),
        Some("data.tenants.all: Reading...")
    );
    assert_eq!(read.json().unwrap().1, "data.tenants.all: Refreshing...");
    let refreshed = Event::RefreshComplete {
        addr: addr.clone(),
        id: Some("t-1".into()),
    };
    assert_eq!(refreshed.human_text(false), None);
    assert_eq!(refreshed.json().unwrap().0, "refresh_complete");
    assert_eq!(
        refreshed.json().unwrap().1,
        "tenant.acme: Refresh complete [id=t-1]"
    );
    let errored = Event::ApplyErrored {
        addr: addr.clone(),
        action: Action::Create,
        elapsed: 61,
    };
    assert_eq!(
        errored.json().unwrap().1,
        "tenant.acme: Creation errored after 1m1s"
    );
    let output = Event::ProvisionProgress {
        addr: addr.clone(),
        kind: "local-exec".into(),
        output: "hi".into(),
    };
    assert_eq!(
        output.human_text(false).as_deref(),
        Some("tenant.acme (local-exec): hi")
    );
    assert_eq!(output.json().unwrap().1, "tenant.acme: (local-exec): hi");
    assert_eq!(
        output.json().unwrap().2,
        json!({"resource": resource_addr_of("tenant.acme"), "provisioner": "local-exec",
               "output": "hi"})
    );
    let imported = Event::Imported {
        addr,
        id: "t-1".into(),
    };
    assert!(imported.json().is_none());
}

fn resource_addr_of(text: &str) -> serde_json::Value {
    crate::cli::json_view::messages::resource_addr(&instance_addr(text))
}

#[test]
fn elapsed_like_go() {
    assert_eq!(events::elapsed_text(0), "0s");
    assert_eq!(events::elapsed_text(59), "59s");
    assert_eq!(events::elapsed_text(60), "1m0s");
    assert_eq!(events::elapsed_text(3723), "1h2m3s");
}

#[test]
fn a_plan_reports_its_changes_summary_and_outputs() {
    use crate::plan::{OutputChange, ResourceChange};
    use crate::test_support::resource_change;
    use tenantform_proto::value::Value;
    let change = |addr: &str, action| resource_change(addr, action, Value::Null, Value::Null);
    let mut moved = change("tenant.b", Action::NoOp);
    moved.previous_address = Some(instance_addr("tenant.a"));
    let plan = Plan {
        changes: vec![
            change("tenant.new", Action::Create),
            change("tenant.same", Action::NoOp),
            change("tenant.swap", Action::CreateThenDelete),
            change("data.tenants.all", Action::Delete),
            change("data.tenants.later", Action::Read),
            moved,
        ],
        drift: vec![change("tenant.gone", Action::Delete)],
        outputs: vec![OutputChange {
            name: "id".into(),
            action: Action::Create,
            before: Value::Null,
            after: Value::Null,
            sensitive: false,
        }],
        ..Plan::default()
    };
    let reported: Vec<(&str, String)> = plan_messages(&plan)
        .into_iter()
        .map(|m| (m.kind, m.message))
        .collect();
    let expected = [
        ("resource_drift", "tenant.gone: Drift detected (delete)"),
        ("planned_change", "tenant.new: Plan to create"),
        ("planned_change", "tenant.swap: Plan to replace"),
        ("planned_change", "data.tenants.later: Plan to read"),
        ("planned_change", "tenant.b: Plan to move"),
        (
            "change_summary",
            "Plan: 2 to add, 0 to change, 1 to destroy.",
        ),
        ("outputs", "Outputs: 1"),
    ];
    let expected: Vec<(&str, String)> = expected.iter().map(|(k, m)| (*k, m.to_string())).collect();
    assert_eq!(reported, expected);
    let unchanged: Vec<ResourceChange> = vec![change("tenant.same", Action::NoOp)];
    let quiet = Plan {
        changes: unchanged,
        ..Plan::default()
    };
    let kinds: Vec<&str> = plan_messages(&quiet).iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        ["change_summary"],
        "a plan without changes still sums up"
    );
}
