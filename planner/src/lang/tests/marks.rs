//! Sensitivity marks carried through evaluation: references, constructors, traversals,
//! splats, `for` expressions, conditionals, templates and function calls.

use std::collections::BTreeMap;

use super::*;
use crate::lang::{Marked, Sensitivity, Subject, evaluate_marked};

/// The test context with `var.name` sensitive and `tenant_user.admins[1].login` marked.
fn marked_context() -> EvalContext {
    let mut ctx = context();
    ctx.set_marks(Subject::Variable("name".into()), Sensitivity::Whole);
    let login = Sensitivity::Attributes(BTreeMap::from([("login".into(), Sensitivity::Whole)]));
    ctx.set_marks(
        Subject::Resource(ResourceAddr::managed("tenant_user", "admins")),
        Sensitivity::Elements(vec![Sensitivity::None, login]),
    );
    ctx
}

fn marked(src: &str) -> Marked {
    let (expr, sources) = expression(src);
    evaluate_marked(&expr, &marked_context(), FILE, &sources)
        .unwrap_or_else(|d| panic!("{src}: {d}"))
}

fn is_sensitive(src: &str) -> bool {
    marked(src).marks.is_whole()
}

#[test]
fn references_take_the_marks_of_what_they_name() {
    assert!(is_sensitive("var.name"));
    assert!(!is_sensitive("var.tiers"));
    assert!(!is_sensitive("tenant_user.admins[0].login"));
    assert!(is_sensitive("tenant_user.admins[1].login"));
    assert!(!is_sensitive("tenant_user.admins[1].role"));
    assert_eq!(marked("issensitive(var.name)").value, Value::Bool(true));
    assert!(!is_sensitive("issensitive(var.name)"));
}

/// Asserts that the value of each expression marks its elements as paired with it.
fn assert_element_marks(cases: &[(&str, &[Sensitivity])]) {
    for (src, elements) in cases {
        assert_eq!(
            marked(src).marks,
            Sensitivity::Elements(elements.to_vec()),
            "{src}"
        );
    }
}

#[test]
fn constructors_and_splats_keep_element_marks() {
    assert_element_marks(&[
        (
            "[var.name, \"x\"]",
            &[Sensitivity::Whole, Sensitivity::None],
        ),
        (
            "tenant_user.admins[*].login",
            &[Sensitivity::None, Sensitivity::Whole],
        ),
    ]);
    let object = marked("{ a = var.name, b = 1 }");
    assert_eq!(object.marks.attribute("a"), Sensitivity::Whole);
    assert_eq!(object.marks.attribute("b"), Sensitivity::None);
}

#[test]
fn for_expressions_keep_element_marks_unless_a_condition_reads_them() {
    assert_element_marks(&[(
        "[for u in tenant_user.admins : u.login]",
        &[Sensitivity::None, Sensitivity::Whole],
    )]);
    assert!(is_sensitive(
        "[for u in tenant_user.admins : u.role if u.login != \"\"]"
    ));
    assert!(is_sensitive(
        "{for u in tenant_user.admins : u.login => u.role}"
    ));
    assert!(!is_sensitive("[for i, u in tenant_user.admins : i]"));
}

/// A `for` over a value the context holds (`module.NAME`, `var.NAME`, `local.NAME` and
/// attributes of them) iterates over it in place; a parenthesised collection is evaluated
/// first. Both give the same value with the same marks, and the same errors.
#[test]
fn for_over_a_context_value_in_place_equals_for_over_its_copy() {
    let mut ctx = marked_context();
    let tenant = |id: &str, login: &str| {
        obj(&[
            ("tenant_id", s(id)),
            ("logins", obj(&[("admin", s(login))])),
        ])
    };
    let fleet = obj(&[("acme", tenant("1", "a")), ("globex", tenant("2", "g"))]);
    Arc::make_mut(&mut ctx.modules).insert("tenant".into(), fleet);
    let login = Sensitivity::Attributes(BTreeMap::from([("admin".into(), Sensitivity::Whole)]));
    let logins = Sensitivity::Attributes(BTreeMap::from([("logins".into(), login)]));
    ctx.set_marks(
        Subject::Module {
            call: "tenant".into(),
            output: None,
        },
        Sensitivity::Attributes(BTreeMap::from([("globex".into(), logins)])),
    );
    Arc::make_mut(&mut ctx.locals).insert("nothing".into(), Value::Null);
    let cases = [
        "{ for slug, t in module.tenant : slug => t.tenant_id }",
        "{ for slug, t in module.tenant : slug => t.logins.admin }",
        "[ for slug, t in module.tenant : t if slug != \"acme\" ]",
        "[ for t in module.tenant.globex.logins : t ]",
        "[ for i, tier in var.tiers : \"${i}:${tier}\" ]",
        "{ for k, v in var.labels : v => k }",
        "[ for v in var.name : v ]",
        "[ for v in local.nothing : v ]",
        "[ for v in var.pending : v ]",
        "[ for u in tenant_user.admins : u.login ]",
        "{ for k, v in module.tenant.globex : k => v }",
    ];
    for src in cases {
        let in_place = eval_in(&ctx, src);
        let copied = eval_in(
            &ctx,
            &src.replacen(" in ", " in (", 1).replacen(" : ", ") : ", 1),
        );
        match (in_place, copied) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.value, b.value, "{src}");
                assert_eq!(a.marks, b.marks, "{src}");
            }
            (Err(a), Err(b)) => {
                let summaries = |d: &crate::diags::Diagnostics| {
                    d.0.iter().map(|d| d.summary.clone()).collect::<Vec<_>>()
                };
                assert_eq!(summaries(&a), summaries(&b), "{src}");
            }
            (a, b) => panic!("{src}: {a:?} against {b:?}"),
        }
    }
    let sensitive = eval_in(&ctx, cases[1]).unwrap();
    assert!(sensitive.marks.attribute("globex").is_whole());
    assert!(!sensitive.marks.attribute("acme").is_whole());
    // A module output's attributes are walked in place with their marks too.
    assert!(
        eval_in(&ctx, "module.tenant.globex.logins.admin")
            .unwrap()
            .marks
            .is_whole()
    );
    assert!(
        !eval_in(&ctx, "module.tenant.acme.logins.admin")
            .unwrap()
            .marks
            .is_whole()
    );
    let missing = eval_in(&ctx, "module.tenant.acme.nothing").unwrap_err();
    assert_eq!(missing.0[0].summary, "Unsupported attribute");
}

/// Attributes of a `for` variable are walked in place: marks as the general path gives
/// them, and where the walk stops the general path reports.
#[test]
fn for_variable_paths_resolved_in_place_keep_marks_and_report_as_before() {
    assert_element_marks(&[(
        "[for u in tenant_user.admins : { l = u.login }.l]",
        &[Sensitivity::None, Sensitivity::Whole],
    )]);
    let ctx = marked_context();
    let nested = eval_in(&ctx, "[for t in [{ a = { b = \"x\" } }] : t.a.b]").unwrap();
    assert_eq!(nested.value, Value::Tuple(vec![s("x")]));
    assert_general_path_reports(
        &ctx,
        "[for t in [{ a = { b = 1 } }] : t.a.c]",
        "[for t in [{ a = null }] : t.a.b]",
    );
}

#[test]
fn operators_templates_and_most_functions_mark_their_whole_result() {
    assert!(is_sensitive("\"hello ${var.name}\""));
    assert!(!is_sensitive("\"hello ${var.tiers[0]}\""));
    assert!(is_sensitive("var.name == \"Acme\""));
    assert!(is_sensitive("upper(var.name)"));
    assert!(is_sensitive("join(\",\", tenant_user.admins[*].login)"));
    assert!(!is_sensitive("nonsensitive(var.name)"));
    assert!(!is_sensitive("length(tenant_user.admins[*].login)"));
}

#[test]
fn conditionals_take_the_condition_and_the_other_branch_top_level_marks() {
    assert!(is_sensitive("true ? \"a\" : var.name"));
    assert!(is_sensitive("var.name == \"x\" ? 1 : 2"));
    let chosen = marked("false ? [] : [var.name, \"x\"]");
    assert_eq!(
        chosen.marks,
        Sensitivity::Elements(vec![Sensitivity::Whole, Sensitivity::None])
    );
    assert!(!is_sensitive("false ? [var.name] : [\"x\"]"));
}

#[test]
fn attribute_paths_resolved_in_place_keep_marks_and_stop_where_the_general_path_takes_over() {
    let mut ctx = marked_context();
    let tenant = obj(&[
        ("id", s("t-1")),
        ("settings", obj(&[("region", s("eu")), ("secret", s("k"))])),
        ("tags", Value::Map([("env".to_string(), s("prod"))].into())),
        ("owner", Value::Null),
    ]);
    Arc::make_mut(&mut ctx.resources).insert(ResourceAddr::managed("tenant", "this"), tenant);
    let secret = Sensitivity::Attributes(BTreeMap::from([("secret".into(), Sensitivity::Whole)]));
    let marks = Sensitivity::Attributes(BTreeMap::from([("settings".into(), secret)]));
    ctx.set_marks(
        Subject::Resource(ResourceAddr::managed("tenant", "this")),
        marks,
    );
    let eval = |src: &str| eval_in(&ctx, src);
    let found = eval("tenant.this.settings.secret").unwrap();
    assert_eq!((found.value, found.marks), (s("k"), Sensitivity::Whole));
    let found = eval("tenant.this.settings.region").unwrap();
    assert_eq!((found.value, found.marks.any()), (s("eu"), false));
    assert_eq!(eval("tenant.this.tags.env").unwrap().value, s("prod"));
    assert_eq!(
        eval("tenant.this.settings[\"region\"]").unwrap().value,
        s("eu")
    );
    // Where the walk stops, the general path reports as it always did.
    assert_general_path_reports(&ctx, "tenant.this.settings.zone", "tenant.this.owner.name");
    // A name bound by a `for` expression shadows a resource type of the same name.
    let shadowed = eval("[for tenant in [{ this = { id = \"x\" } }] : tenant.this.id]").unwrap();
    assert_eq!(shadowed.value, Value::Tuple(vec![s("x")]));
}

#[test]
fn each_value_paths_resolved_in_place_keep_marks_and_stop_where_the_general_path_takes_over() {
    let mut ctx = marked_context();
    ctx.each_value = Some(obj(&[
        ("name", s("acme")),
        ("settings", obj(&[("tier", s("free")), ("token", s("k"))])),
        ("owner", Value::Null),
    ]));
    let token = Sensitivity::Attributes(BTreeMap::from([("token".into(), Sensitivity::Whole)]));
    let marks = Sensitivity::Attributes(BTreeMap::from([("settings".into(), token)]));
    ctx.set_marks(Subject::Each, marks);
    let eval = |src: &str| eval_in(&ctx, src);
    let found = eval("each.value.settings.token").unwrap();
    assert_eq!((found.value, found.marks), (s("k"), Sensitivity::Whole));
    let found = eval("each.value.name").unwrap();
    assert_eq!((found.value, found.marks.any()), (s("acme"), false));
    assert_general_path_reports(&ctx, "each.value.zone", "each.value.owner.name");
}

fn eval_in(ctx: &EvalContext, src: &str) -> Result<Marked, crate::diags::Diagnostics> {
    let (expr, sources) = expression(src);
    evaluate_marked(&expr, ctx, FILE, &sources)
}

/// Where an in-place walk stops, at a missing attribute or a null part, the general path
/// reports as it always did.
fn assert_general_path_reports(ctx: &EvalContext, missing: &str, through_null: &str) {
    let missing = eval_in(ctx, missing).unwrap_err();
    assert_eq!(missing.0[0].summary, "Unsupported attribute");
    let null = eval_in(ctx, through_null).unwrap_err();
    assert_eq!(
        null.0[0].summary,
        "Attempt to get attribute from null value"
    );
}
