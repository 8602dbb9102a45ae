//! Calls with collections that are known but hold unknown elements, checked against what
//! Terraform 1.15 (cty) returns for the same calls.

use tenantform_proto::value::Value;

use super::{FunctionError, call, lookup};
use crate::test_support::{n, obj, s};

fn run(name: &str, args: Vec<Value>) -> Result<Value, FunctionError> {
    call(lookup(name).expect("a built-in function"), args)
}

fn unknown() -> Value {
    Value::Unknown
}

/// Two unknown ids, as `tenant.pool[*].id` is before apply.
fn ids() -> Value {
    Value::Tuple(vec![unknown(), unknown()])
}

#[test]
fn an_argument_that_is_itself_unknown_still_makes_the_result_unknown() {
    assert_eq!(run("concat", vec![unknown(), ids()]), Ok(unknown()));
    assert_eq!(run("reverse", vec![unknown()]), Ok(unknown()));
    assert_eq!(run("merge", vec![unknown()]), Ok(unknown()));
}

#[test]
fn sequence_functions_keep_unknown_elements_in_place() {
    assert_eq!(
        run("concat", vec![ids(), Value::Tuple(vec![s("fixed")])]),
        Ok(Value::Tuple(vec![unknown(), unknown(), s("fixed")]))
    );
    assert_eq!(
        run(
            "flatten",
            vec![Value::Tuple(vec![ids(), Value::Tuple(vec![s("fixed")])])]
        ),
        Ok(Value::Tuple(vec![unknown(), unknown(), s("fixed")]))
    );
    assert_eq!(
        run("reverse", vec![Value::Tuple(vec![s("a"), unknown()])]),
        Ok(Value::Tuple(vec![unknown(), s("a")]))
    );
    assert_eq!(
        run("slice", vec![ids(), n(0), n(1)]),
        Ok(Value::Tuple(vec![unknown()]))
    );
    assert_eq!(
        run("chunklist", vec![ids(), n(1)]),
        Ok(Value::List(vec![
            Value::List(vec![unknown()]),
            Value::List(vec![unknown()])
        ]))
    );
    assert_eq!(
        run("tolist", vec![ids()]),
        Ok(Value::List(vec![unknown(), unknown()]))
    );
    assert_eq!(
        run("element", vec![Value::Tuple(vec![unknown(), s("x")]), n(1)]),
        Ok(s("x"))
    );
    assert_eq!(
        run("one", vec![Value::Tuple(vec![unknown()])]),
        Ok(unknown())
    );
}

#[test]
fn sort_keeps_the_length_of_a_partly_unknown_list() {
    assert_eq!(
        run("sort", vec![Value::Tuple(vec![s("b"), unknown(), s("a")])]),
        Ok(Value::List(vec![unknown(), unknown(), unknown()]))
    );
    assert_eq!(
        run("sort", vec![Value::Tuple(vec![s("b"), s("a")])]),
        Ok(Value::List(vec![s("a"), s("b")]))
    );
}

#[test]
fn sets_keep_each_unknown_element_after_the_known_ones() {
    assert_eq!(
        run("toset", vec![ids()]),
        Ok(Value::Set(vec![unknown(), unknown()]))
    );
    assert_eq!(
        run("toset", vec![Value::Tuple(vec![s("b"), s("a"), s("b")])]),
        Ok(Value::Set(vec![s("a"), s("b")]))
    );
    assert_eq!(
        run("setunion", vec![ids(), Value::Tuple(vec![s("fixed")])]),
        Ok(Value::Set(vec![s("fixed"), unknown(), unknown()]))
    );
    assert_eq!(
        run("setsubtract", vec![ids(), Value::Tuple(vec![s("x")])]),
        Ok(unknown())
    );
    assert_eq!(run("setintersection", vec![ids(), ids()]), Ok(unknown()));
}

#[test]
fn maps_and_objects_keep_their_known_keys() {
    let by_name = obj(&[("first", unknown()), ("second", unknown())]);
    assert_eq!(
        run("keys", vec![by_name.clone()]),
        Ok(Value::Tuple(vec![s("first"), s("second")]))
    );
    assert_eq!(run("values", vec![by_name.clone()]), Ok(ids()));
    assert_eq!(
        run(
            "merge",
            vec![by_name.clone(), obj(&[("third", s("fixed"))])]
        ),
        Ok(obj(&[
            ("first", unknown()),
            ("second", unknown()),
            ("third", s("fixed"))
        ]))
    );
    assert_eq!(
        run("zipmap", vec![Value::Tuple(vec![s("a"), s("b")]), ids()]),
        Ok(obj(&[("a", unknown()), ("b", unknown())]))
    );
    assert_eq!(
        run("zipmap", vec![ids(), Value::Tuple(vec![s("a"), s("b")])]),
        Ok(unknown())
    );
}

#[test]
fn lookup_finds_known_values_beside_unknown_ones() {
    let entries = obj(&[("a", unknown()), ("b", s("known"))]);
    assert_eq!(run("lookup", vec![entries.clone(), s("b")]), Ok(s("known")));
    assert_eq!(run("lookup", vec![entries.clone(), s("a")]), Ok(unknown()));
    assert_eq!(
        run("lookup", vec![entries.clone(), s("z"), unknown()]),
        Ok(unknown())
    );
    assert_eq!(run("lookup", vec![entries, unknown()]), Ok(unknown()));
    assert_eq!(run("lookup", vec![unknown(), s("a")]), Ok(unknown()));
}

#[test]
fn first_present_value_functions_stop_at_an_unknown_argument() {
    assert_eq!(run("coalesce", vec![s("first"), unknown()]), Ok(s("first")));
    assert_eq!(
        run("coalesce", vec![s(""), unknown(), s("x")]),
        Ok(unknown())
    );
    assert_eq!(
        run("coalescelist", vec![Value::Tuple(vec![]), ids()]),
        Ok(ids())
    );
    assert_eq!(
        run("coalescelist", vec![unknown(), Value::Tuple(vec![s("x")])]),
        Ok(unknown())
    );
    assert_eq!(
        run("coalescelist", vec![Value::Tuple(vec![s("x")]), unknown()]),
        Ok(Value::Tuple(vec![s("x")]))
    );
}

#[test]
fn searches_decide_from_known_elements_when_they_can() {
    let with_x = Value::Tuple(vec![unknown(), s("x")]);
    assert_eq!(
        run("contains", vec![with_x.clone(), s("x")]),
        Ok(Value::Bool(true))
    );
    assert_eq!(run("contains", vec![with_x.clone(), s("y")]), Ok(unknown()));
    assert_eq!(run("index", vec![with_x, s("x")]), Ok(unknown()));
    assert_eq!(
        run("index", vec![Value::Tuple(vec![s("x"), unknown()]), s("x")]),
        Ok(n(0))
    );
    let bools = |items: &[Value]| Value::Tuple(items.to_vec());
    let (t, f) = (Value::Bool(true), Value::Bool(false));
    assert_eq!(
        run("anytrue", vec![bools(&[unknown(), t.clone()])]),
        Ok(t.clone())
    );
    assert_eq!(
        run("anytrue", vec![bools(&[unknown(), f.clone()])]),
        Ok(unknown())
    );
    assert_eq!(
        run("alltrue", vec![bools(&[f.clone(), unknown()])]),
        Ok(f.clone())
    );
    assert_eq!(run("alltrue", vec![bools(&[unknown(), f])]), Ok(unknown()));
    assert_eq!(
        run("alltrue", vec![bools(&[t.clone(), Value::Null])]),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        run("alltrue", vec![bools(&[t.clone(), t])]),
        Ok(Value::Bool(true))
    );
}

#[test]
fn matchkeys_follows_terraform_with_unknowns() {
    assert_eq!(
        run("matchkeys", vec![ids(), ids(), Value::Tuple(vec![])]),
        Ok(Value::List(vec![]))
    );
    assert_eq!(
        run("matchkeys", vec![ids(), ids(), Value::Tuple(vec![s("x")])]),
        Ok(unknown())
    );
    let known = Value::Tuple(vec![s("a"), s("b")]);
    assert_eq!(
        run(
            "matchkeys",
            vec![known.clone(), known, Value::Tuple(vec![unknown()])]
        ),
        Ok(Value::List(vec![]))
    );
}

#[test]
fn functions_of_every_element_need_them_all_known() {
    let partly = Value::Tuple(vec![s("a"), unknown()]);
    for name in ["distinct", "compact", "jsonencode", "yamlencode", "sum"] {
        assert_eq!(run(name, vec![partly.clone()]), Ok(unknown()), "{name}");
    }
    assert_eq!(run("join", vec![s(","), partly.clone()]), Ok(unknown()));
    assert_eq!(run("format", vec![s("%v"), partly.clone()]), Ok(unknown()));
    assert_eq!(run("length", vec![partly]), Ok(n(2)));
}

#[test]
fn formatlist_formats_each_known_row() {
    assert_eq!(
        run(
            "formatlist",
            vec![s("id-%s"), Value::Tuple(vec![s("a"), unknown()])]
        ),
        Ok(Value::List(vec![s("id-a"), unknown()]))
    );
    assert_eq!(
        run("formatlist", vec![s("%v"), obj(&[("a", unknown())])]),
        Ok(Value::List(vec![unknown()]))
    );
}

#[test]
fn primitive_parameters_refuse_collections_even_with_unknown_elements() {
    assert!(run("upper", vec![Value::Tuple(vec![unknown()])]).is_err());
}
