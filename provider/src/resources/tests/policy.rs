//! Tests of the `tenant_policy` resource.

use super::*;

fn allowlist(blocks: &[&str]) -> Value {
    Value::List(blocks.iter().map(|b| Value::string(*b)).collect())
}

#[test]
fn policy_defaults_updates_and_reads() {
    let (_dir, backend, _, tenant_id) = acme();
    let base = config(&Managed(PolicyKind), &[("tenant_id", tenant_id.clone())]);

    let output = plan(&Managed(PolicyKind), &Value::Null, &base, &backend);
    assert_eq!(
        output.planned.get_attr("mfa_required"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        output.planned.get_attr("session_ttl"),
        Some(&Value::string("8h"))
    );
    assert_eq!(
        output.planned.get_attr("ip_allowlist"),
        Some(&allowlist(&[]))
    );
    let policy = create(&Managed(PolicyKind), &base, &backend);

    let stricter = with(
        &with(&base, "mfa_required", Value::Bool(true)),
        "ip_allowlist",
        allowlist(&["10.0.0.0/8", "2001:db8::/32"]),
    );
    let stricter = with(&stricter, "session_ttl", Value::string("1h30m"));
    let output = plan(&Managed(PolicyKind), &policy, &stricter, &backend);
    assert!(output.requires_replace.is_empty());
    let updated = apply(&Managed(PolicyKind), &policy, &output.planned, &backend);
    assert_conforms(&output.planned, &updated.new_state);
    assert_eq!(
        Managed(PolicyKind)
            .read(&updated.new_state, &backend)
            .unwrap(),
        updated.new_state
    );

    // Removing the arguments returns them to their defaults.
    let output = plan(&Managed(PolicyKind), &updated.new_state, &base, &backend);
    assert_eq!(
        output.planned.get_attr("ip_allowlist"),
        Some(&allowlist(&[]))
    );
    assert_eq!(
        output.planned.get_attr("session_ttl"),
        Some(&Value::string("8h"))
    );

    apply(
        &Managed(PolicyKind),
        &updated.new_state,
        &Value::Null,
        &backend,
    );
    assert_eq!(
        Managed(PolicyKind)
            .read(&updated.new_state, &backend)
            .unwrap(),
        Value::Null
    );
}

#[test]
fn durations_and_cidrs_are_validated_with_their_path() {
    let base = config(&Managed(PolicyKind), &[("tenant_id", Value::string("t"))]);
    assert!(
        Managed(PolicyKind)
            .validate(&with(&base, "session_ttl", Value::string("8 hours")))
            .has_errors()
    );
    let diagnostics = Managed(PolicyKind).validate(&with(
        &base,
        "ip_allowlist",
        allowlist(&["10.0.0.0/8", "10.0.0.0"]),
    ));
    let error = diagnostics.iter().next().expect("an error");
    assert_eq!(
        error.attribute,
        Some(AttributePath(vec![
            tenantform_proto::value::PathStep::Attribute("ip_allowlist".into()),
            tenantform_proto::value::PathStep::IntKey(1),
        ]))
    );
    assert!(
        !Managed(PolicyKind)
            .validate(&with(&base, "session_ttl", Value::Unknown))
            .has_errors()
    );
}

#[test]
fn policy_replacement_creates_a_new_policy() {
    let (_dir, backend, _, tenant_id) = acme();
    let base = config(&Managed(PolicyKind), &[("tenant_id", tenant_id)]);
    let policy = create(&Managed(PolicyKind), &base, &backend);
    assert_replaces(&Managed(PolicyKind), &policy, &base, &backend);
}
