//! Tests of expression objects and Terraform's reference strings.

use super::*;
use crate::lang::parse::parse_expr;

fn parse(text: &str) -> Expression {
    parse_expr(text).expect("a valid expression")
}

fn expression(text: &str) -> Json {
    let sources = Sources::default();
    let expr = parse(text);
    expression_json(
        &expr,
        Origin {
            file: "main.tf",
            sources: &sources,
        },
    )
}

#[test]
fn constants_have_a_value_and_no_references() {
    assert_eq!(
        expression("\"acme\""),
        serde_json::json!({"constant_value": "acme"})
    );
    assert_eq!(
        expression("{ a = [1, 2.5], b = null }"),
        serde_json::json!({"constant_value": {"a": [1, 2.5], "b": null}})
    );
    // Terraform evaluates constants without functions.
    assert_eq!(expression("upper(\"a\")"), serde_json::json!({}));
}

#[test]
fn references_are_listed_with_each_prefix() {
    assert_eq!(
        expression("tenant_database.db.id"),
        serde_json::json!({"references": ["tenant_database.db.id", "tenant_database.db"]})
    );
    assert_eq!(
        expression("\"${tenant.t[0].slug}-${var.env}\""),
        serde_json::json!({"references": [
            "tenant.t[0].slug", "tenant.t[0]", "tenant.t", "var.env"
        ]})
    );
    assert_eq!(
        expression("module.m[\"a\"].out.x"),
        serde_json::json!({"references": [
            "module.m[\"a\"].out.x", "module.m[\"a\"].out", "module.m[\"a\"]"
        ]})
    );
    assert_eq!(
        expression("[for k, v in local.all : v if each.key != k]"),
        serde_json::json!({"references": ["local.all", "each.key"]})
    );
    assert_eq!(
        expression("data.tenants.all.ids[*]"),
        serde_json::json!({"references": ["data.tenants.all.ids", "data.tenants.all"]})
    );
    assert_eq!(
        expression("module.m"),
        serde_json::json!({"references": ["module.m"]})
    );
}
