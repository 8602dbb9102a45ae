//! Unit tests of expression evaluation, references, functions, conversion and decoding.

mod conditionals;
mod convert;
mod decode;
mod deep;
mod eval;
mod functions;
mod marks;
mod references;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use std::sync::Arc;
use tenantform_proto::value::Value;

use super::{EvalContext, evaluate};
use crate::addrs::ResourceAddr;
use crate::diags::{Diagnostic, Diagnostics, Sources};
pub(super) use crate::test_support::{n, obj, s};

pub(super) const FILE: &str = "main.tf";

/// Sources holding `text` as `main.tf`.
pub(super) fn sources(text: &str) -> Sources {
    Sources::of_file(FILE, text)
}

pub(super) fn parse(text: &str) -> Body {
    super::parse::parse_body(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The expression of `x = SRC` and the sources it was read from.
pub(super) fn expression(src: &str) -> (Expression, Sources) {
    let text = format!("x = {src}\n");
    let body = parse(&text);
    let expr = body.get_attribute("x").expect("attribute x").value.clone();
    (expr, sources(&text))
}

pub(super) fn eval_in(src: &str, ctx: &EvalContext) -> Result<Value, Diagnostics> {
    let (expr, sources) = expression(src);
    evaluate(&expr, ctx, FILE, &sources)
}

/// A context with a few variables, locals and resources.
pub(super) fn context() -> EvalContext {
    let mut ctx = EvalContext {
        path_module: ".".into(),
        path_root: ".".into(),
        path_cwd: "/work".into(),
        workspace: "default".into(),
        ..EvalContext::default()
    };
    Arc::make_mut(&mut ctx.variables).insert("name".into(), s("Acme"));
    Arc::make_mut(&mut ctx.variables)
        .insert("tiers".into(), Value::List(vec![s("free"), s("standard")]));
    Arc::make_mut(&mut ctx.variables).insert(
        "labels".into(),
        Value::Map(
            [
                ("env".to_string(), s("prod")),
                ("team".to_string(), s("core")),
            ]
            .into(),
        ),
    );
    Arc::make_mut(&mut ctx.variables).insert("pending".into(), Value::Unknown);
    Arc::make_mut(&mut ctx.locals).insert("count".into(), n(3));
    Arc::make_mut(&mut ctx.resources).insert(
        ResourceAddr::managed("tenant", "acme"),
        obj(&[
            ("id", Value::Unknown),
            ("slug", s("acme")),
            ("tier", s("free")),
        ]),
    );
    Arc::make_mut(&mut ctx.resources).insert(
        ResourceAddr::managed("tenant_user", "admins"),
        Value::Tuple(vec![
            obj(&[("login", s("a")), ("role", s("admin"))]),
            obj(&[("login", s("b")), ("role", s("admin"))]),
        ]),
    );
    Arc::make_mut(&mut ctx.resources).insert(
        ResourceAddr::data("tenants", "all"),
        obj(&[("slugs", Value::List(vec![s("acme"), s("globex")]))]),
    );
    ctx
}

pub(super) fn eval(src: &str) -> Value {
    eval_in(src, &context()).unwrap_or_else(|d| panic!("{src}: {d}"))
}

/// The only diagnostic evaluating `src` produces.
pub(super) fn eval_error(src: &str) -> Diagnostic {
    let diags = eval_in(src, &context()).expect_err(src);
    assert_eq!(diags.0.len(), 1, "{diags}");
    diags.0[0].clone()
}

/// The one error evaluating `src` gives, checked to have `summary` and `detail`.
pub(super) fn eval_error_saying(src: &str, summary: &str, detail: &str) -> Diagnostic {
    let error = eval_error(src);
    assert_eq!(error.summary, summary, "{src}");
    assert_eq!(error.detail, detail, "{src}");
    error
}

/// Asserts that each expression fails with one error of the summary paired with it.
pub(super) fn assert_error_summaries(cases: &[(&str, &str)]) {
    for (src, summary) in cases {
        assert_eq!(eval_error(src).summary, *summary, "{src}");
    }
}
