//! Evaluation: literals, references, operators, templates, `for`, splats and unknowns.

use tenantform_proto::value::{Number, Value};

use super::{
    assert_error_summaries, context, eval, eval_error, eval_error_saying, eval_in, n, obj, s,
};

#[test]
fn literals_and_collections() {
    assert_eq!(eval("null"), Value::Null);
    assert_eq!(eval("true"), Value::Bool(true));
    assert_eq!(eval("42"), n(42));
    assert_eq!(eval("1.5"), Value::Number(Number::Float(1.5)));
    assert_eq!(eval("\"a\\nb\""), s("a\nb"));
    assert_eq!(eval("[1, \"a\"]"), Value::Tuple(vec![n(1), s("a")]));
    assert_eq!(
        eval("{ a = 1, \"b\" = 2, (var.name) = 3 }"),
        obj(&[("a", n(1)), ("b", n(2)), ("Acme", n(3))])
    );
}

#[test]
fn references_resolve_through_the_context() {
    assert_eq!(eval("var.name"), s("Acme"));
    assert_eq!(eval("var.tiers[1]"), s("standard"));
    assert_eq!(eval("var.labels.env"), s("prod"));
    assert_eq!(eval("var.labels[\"team\"]"), s("core"));
    assert_eq!(eval("local.count"), n(3));
    assert_eq!(eval("tenant.acme.slug"), s("acme"));
    assert_eq!(eval("data.tenants.all.slugs[0]"), s("acme"));
    assert_eq!(eval("tenant_user.admins.0.login"), s("a"));
    assert_eq!(eval("path.cwd"), s("/work"));
    assert_eq!(eval("terraform.workspace"), s("default"));
}

#[test]
fn count_and_each_come_from_the_context() {
    let mut ctx = context();
    ctx.count_index = Some(n(2));
    ctx.each_key = Some(s("k"));
    ctx.each_value = Some(obj(&[("tier", s("free"))]));
    assert_eq!(eval_in("count.index + 1", &ctx).unwrap(), n(3));
    assert_eq!(
        eval_in("\"${each.key}-${each.value.tier}\"", &ctx).unwrap(),
        s("k-free")
    );
    let err = eval_error("count.index");
    assert_eq!(err.summary, "Reference to \"count\" in non-counted context");
}

#[test]
fn splats_map_over_elements() {
    assert_eq!(
        eval("tenant_user.admins[*].login"),
        Value::Tuple(vec![s("a"), s("b")])
    );
    assert_eq!(
        eval("tenant_user.admins.*.role"),
        Value::Tuple(vec![s("admin"), s("admin")])
    );
    assert_eq!(eval("[[1, 2], [3]][*][0]"), Value::Tuple(vec![n(1), n(3)]));
    assert_eq!(eval("(tenant_user.admins[*].login)[1]"), s("b"));
    assert_eq!(
        eval("tenant_user.admins.*.login[1]"),
        s("b"),
        "an attribute splat ends at the index"
    );
    assert_eq!(eval("null[*]"), Value::Tuple(vec![]));
    assert_eq!(eval("var.pending[*].id"), Value::Unknown);
    assert_eq!(
        eval("[{ c = [{ e = 1 }, { e = 2 }] }, { c = [] }][*].c[*].e"),
        Value::Tuple(vec![Value::Tuple(vec![n(1), n(2)]), Value::Tuple(vec![])]),
        "a splat after a full splat applies to each element"
    );
}

#[test]
fn strip_markers_in_heredocs_trim_one_line() {
    assert_eq!(
        eval(
            "<<-EOT\n    Teams:\n    %{~ for t in [\"a\", \"b\"] }\n    - ${t}\n    %{~ endfor }\n    Total\nEOT\n"
        ),
        s("    Teams:\n\n    - a\n\n    - b\n\n    Total\n")
    );
    assert_eq!(
        eval("<<EOT\n%{ if true ~}\nyes\n%{~ else ~}\nno\n%{~ endif }\nEOT\n"),
        s("yes\n")
    );
}

#[test]
fn operators_follow_cty() {
    assert_eq!(eval("1 + 2 * 3"), n(7));
    assert_eq!(eval("7 / 2"), Value::Number(Number::Float(3.5)));
    assert_eq!(eval("7 % 3"), n(1));
    assert_eq!(eval("-local.count"), n(-3));
    assert_eq!(eval("\"2\" + 1"), n(3));
    assert_eq!(eval("3 > 2 && !false"), Value::Bool(true));
    assert_eq!(eval("false || 1 >= 2"), Value::Bool(false));
    assert_eq!(
        eval("[1, {a = \"x\"}] == [1, {a = \"x\"}]"),
        Value::Bool(true)
    );
    assert_eq!(eval("\"a\" != \"b\""), Value::Bool(true));
    assert_eq!(eval("1 == 1.0"), Value::Bool(true));
}

#[test]
fn unknowns_propagate() {
    for src in [
        "var.pending",
        "var.pending + 1",
        "var.pending == 1",
        "[var.pending] == [1]",
        "var.pending && true",
        "!var.pending",
        "var.pending ? 1 : 2",
        "\"x-${var.pending}\"",
        "upper(var.pending)",
        "tenant.acme.id",
        "tenant.acme.id.anything[3]",
        "[for x in var.pending : x]",
        "{ (var.pending) = 1 }",
        "var.labels[var.pending]",
    ] {
        assert_eq!(eval(src), Value::Unknown, "{src}");
    }
    // Containers keep their known parts.
    assert_eq!(
        eval("[var.pending, 1]"),
        Value::Tuple(vec![Value::Unknown, n(1)])
    );
    assert_eq!(eval("length([var.pending, 1])"), n(2));
}

#[test]
fn conditionals_choose_a_branch() {
    assert_eq!(eval("var.name == \"Acme\" ? \"yes\" : \"no\""), s("yes"));
    assert_eq!(eval("\"false\" ? 1 : 2"), n(2));
    assert_eq!(eval_error("null ? 1 : 2").summary, "Null condition");
    assert_eq!(eval_error("[] ? 1 : 2").summary, "Incorrect condition type");
}

#[test]
fn templates_interpolate_and_run_directives() {
    assert_eq!(eval("\"Hello, ${var.name}!\""), s("Hello, Acme!"));
    assert_eq!(
        eval("\"${local.count}\""),
        n(3),
        "a lone interpolation keeps its type"
    );
    assert_eq!(eval("\"n=${local.count} ${true}\""), s("n=3 true"));
    assert_eq!(
        eval("\"%{ if local.count > 2 }big%{ else }small%{ endif }\""),
        s("big")
    );
    assert_eq!(
        eval("\"%{ for t in var.tiers }${t},%{ endfor }\""),
        s("free,standard,")
    );
    assert_eq!(eval("\"a ${~ \"b\" ~} c\""), s("abc"));
    assert_eq!(eval("\"$${literal}\""), s("${literal}"));
    let heredoc = "<<-EOT\n    hello ${var.name}\n      indented\n    EOT";
    assert_eq!(eval(heredoc), s("hello Acme\n  indented\n"));
    assert_eq!(
        eval_error("\"x${null}\"").summary,
        "Invalid template interpolation value"
    );
    assert_eq!(
        eval_error("\"${[1]}x\"").summary,
        "Invalid template interpolation value"
    );
}

#[test]
fn for_expressions_build_tuples_and_objects() {
    assert_eq!(
        eval("[for t in var.tiers : upper(t)]"),
        Value::Tuple(vec![s("FREE"), s("STANDARD")])
    );
    assert_eq!(
        eval("[for i, t in var.tiers : i if t != \"free\"]"),
        Value::Tuple(vec![n(1)])
    );
    assert_eq!(
        eval("{for k, v in var.labels : v => k}"),
        obj(&[("core", s("team")), ("prod", s("env"))])
    );
    assert_eq!(
        eval("{for u in tenant_user.admins : u.role => u.login...}"),
        obj(&[("admin", Value::Tuple(vec![s("a"), s("b")]))])
    );
    assert_eq!(
        eval_error("{for u in tenant_user.admins : u.role => u.login}").summary,
        "Duplicate object key"
    );
    assert_eq!(
        eval_error("[for x in null : x]").summary,
        "Iteration over null value"
    );
    assert_eq!(eval("[for x in [1, 2] : x if var.pending]"), Value::Unknown);
}

#[test]
fn undeclared_references_are_errors_with_ranges() {
    let err = eval_error("var.nope");
    assert_eq!(err.summary, "Reference to undeclared input variable");
    let range = err.range.unwrap();
    assert_eq!(
        (
            range.filename.as_str(),
            range.start.line,
            range.start.column,
            range.end.column
        ),
        ("main.tf", 1, 5, 13)
    );
    assert_eq!(
        eval_error("local.nope").summary,
        "Reference to undeclared local value"
    );
    assert_eq!(
        eval_error("tenant.nope.id").summary,
        "Reference to undeclared resource"
    );
    assert!(
        eval_error("tenant.nope.id")
            .detail
            .contains("\"tenant\" \"nope\"")
    );
    assert_eq!(
        eval_error("data.tenants.nope").summary,
        "Reference to undeclared resource"
    );
    assert_eq!(eval_error("foo").summary, "Invalid reference");
}

#[test]
fn bad_accesses_and_operands_are_errors_at_the_operator_or_operand() {
    for (src, summary, detail, column) in [
        (
            "tenant.acme.nope",
            "Unsupported attribute",
            "This object does not have an attribute named \"nope\".",
            16,
        ),
        (
            "1 + \"x\"",
            "Invalid operand",
            "Unsuitable value for right operand: a number is required.",
            9,
        ),
    ] {
        let err = eval_error_saying(src, summary, detail);
        assert_eq!(err.range.unwrap().start.column, column, "{src}");
    }
    assert_error_summaries(&[
        ("var.tiers[5]", "Invalid index"),
        ("var.tiers[\"x\"]", "Invalid index"),
        ("var.labels.nope", "Missing map element"),
        ("null.a", "Attempt to get attribute from null value"),
        ("toset([1])[0]", "Invalid index"),
        ("null && true", "Invalid operand"),
        ("0 / 0", "Operation failed"),
    ]);
}

#[test]
fn function_calls_check_names_and_arity() {
    let err = eval_error("nope(1)");
    assert_eq!(err.summary, "Call to unknown function");
    assert_eq!(err.detail, "There is no function named \"nope\".");
    assert_eq!(
        eval_error("upper()").summary,
        "Not enough function arguments"
    );
    assert_eq!(
        eval_error("upper(\"a\", \"b\")").summary,
        "Too many function arguments"
    );
    let err = eval_error("upper([1])");
    assert_eq!(err.summary, "Invalid function argument");
    assert_eq!(
        err.detail,
        "Invalid value for \"str\" parameter: string required."
    );
    assert_eq!(err.range.unwrap().start.column, 11);
    assert_eq!(
        eval_error("max(var.tiers...)").summary,
        "Invalid function argument"
    );
    assert_eq!(eval("min([3, 1, 2]...)"), n(1));
}
