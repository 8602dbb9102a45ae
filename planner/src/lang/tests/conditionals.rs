//! Conditionals: both branches unify to one type, and `templatestring` renders templates
//! held in values.

use std::sync::Arc;

use tenantform_proto::value::{Type, Value};

use super::{context, eval, eval_error_saying, eval_in, n, s};
use crate::lang::convert;

#[test]
fn branches_of_different_lengths_make_a_list() {
    assert_eq!(
        eval("true ? [\"a\", \"b\"] : []"),
        Value::List(vec![s("a"), s("b")])
    );
    assert_eq!(eval("false ? [\"a\"] : []"), Value::List(vec![]));
    assert_eq!(eval("true ? [] : []"), Value::Tuple(vec![]));
}

#[test]
fn branches_unify_element_by_element_and_objects_become_maps() {
    assert_eq!(eval("true ? [1] : [\"x\"]"), Value::Tuple(vec![s("1")]));
    assert_eq!(eval("true ? 1 : \"x\""), s("1"));
    let map = eval("true ? { a = 1 } : {}");
    assert_eq!(
        map,
        convert(
            Value::Object([("a".to_string(), n(1))].into()),
            &Type::Map(Box::new(Type::Number))
        )
        .unwrap()
    );
}

#[test]
fn branches_that_cannot_unify_are_an_error() {
    eval_error_saying(
        "true ? \"a\" : [\"b\"]",
        "Inconsistent conditional result types",
        "The true and false result expressions must have consistent types. The 'true' value is string, but the 'false' value is tuple.",
    );
}

#[test]
fn templatestring_renders_a_template_held_in_a_value() {
    let mut ctx = context();
    Arc::make_mut(&mut ctx.locals).insert("greeting".into(), s("Hello, ${name}!"));
    assert_eq!(
        eval_in("templatestring(local.greeting, { name = \"you\" })", &ctx).unwrap(),
        s("Hello, you!")
    );
    let literal = eval_in("templatestring(\"Hello\", {})", &ctx).unwrap_err();
    assert!(
        literal.iter().any(|d| d
            .detail
            .contains("templatestring is only for rendering templates retrieved dynamically")),
        "{literal}"
    );
    let not_a_map = eval_in("templatestring(local.greeting, \"x\")", &ctx).unwrap_err();
    assert!(
        not_a_map
            .iter()
            .any(|d| d.detail.contains("invalid vars value: must be a map")),
        "{not_a_map}"
    );
}
