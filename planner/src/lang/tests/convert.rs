//! cty conversions.

use tenantform_proto::value::{Number, Type, Value};

use super::{n, obj, s};
use crate::lang::convert;

fn list(t: Type) -> Type {
    Type::List(Box::new(t))
}

#[test]
fn primitives_convert_through_strings() {
    assert_eq!(convert(n(5), &Type::String), Ok(s("5")));
    assert_eq!(
        convert(Value::Number(Number::Float(1.5)), &Type::String),
        Ok(s("1.5"))
    );
    assert_eq!(convert(Value::Bool(true), &Type::String), Ok(s("true")));
    assert_eq!(convert(s("12"), &Type::Number), Ok(n(12)));
    assert_eq!(convert(s("false"), &Type::Bool), Ok(Value::Bool(false)));
    assert_eq!(
        convert(s("x"), &Type::Number),
        Err("a number is required".into())
    );
    assert_eq!(
        convert(s("yes"), &Type::Bool),
        Err("a bool is required".into())
    );
    assert_eq!(
        convert(Value::Tuple(vec![]), &Type::String),
        Err("string required".into())
    );
    assert_eq!(
        convert(Value::Bool(true), &Type::Number),
        Err("a number is required".into())
    );
}

#[test]
fn null_unknown_and_dynamic_pass_through() {
    assert_eq!(convert(Value::Null, &Type::Number), Ok(Value::Null));
    assert_eq!(
        convert(Value::Unknown, &list(Type::String)),
        Ok(Value::Unknown)
    );
    let tuple = Value::Tuple(vec![n(1), s("a")]);
    assert_eq!(convert(tuple.clone(), &Type::Dynamic), Ok(tuple));
}

#[test]
fn collections_convert_their_elements() {
    let tuple = Value::Tuple(vec![n(1), s("2")]);
    assert_eq!(
        convert(tuple.clone(), &list(Type::String)),
        Ok(Value::List(vec![s("1"), s("2")]))
    );
    assert_eq!(
        convert(tuple.clone(), &list(Type::Number)),
        Ok(Value::List(vec![n(1), n(2)]))
    );
    assert_eq!(
        convert(
            Value::Tuple(vec![s("b"), s("a"), s("b")]),
            &Type::Set(Box::new(Type::String))
        ),
        Ok(Value::Set(vec![s("a"), s("b")]))
    );
    assert_eq!(
        convert(Value::Set(vec![s("a")]), &list(Type::String)),
        Ok(Value::List(vec![s("a")]))
    );
    assert_eq!(
        convert(Value::Tuple(vec![n(1), s("x")]), &list(Type::Number)),
        Err("element 1: a number is required".into())
    );
    assert_eq!(
        convert(s("x"), &list(Type::String)),
        Err("list of string required".into())
    );
    // Mixed primitives unify to string for a list of any type.
    assert_eq!(
        convert(tuple, &list(Type::Dynamic)),
        Ok(Value::List(vec![s("1"), s("2")]))
    );
}

#[test]
fn objects_become_maps_and_objects() {
    let object = obj(&[("a", n(1)), ("b", Value::Bool(true))]);
    let map = convert(object.clone(), &Type::Map(Box::new(Type::String))).unwrap();
    assert_eq!(
        map,
        Value::Map([("a".into(), s("1")), ("b".into(), s("true"))].into())
    );
    let target = Type::Object([("a".to_string(), Type::String)].into());
    assert_eq!(
        convert(object.clone(), &target),
        Ok(obj(&[("a", s("1"))])),
        "extra attributes are dropped"
    );
    let target = Type::Object([("c".to_string(), Type::String)].into());
    assert_eq!(
        convert(object.clone(), &target),
        Err("attribute \"c\" is required".into())
    );
    let target = Type::Object([("a".to_string(), Type::Bool)].into());
    assert_eq!(
        convert(object, &target),
        Err("attribute \"a\": a bool is required".into())
    );
    let tuple_type = Type::Tuple(vec![Type::String, Type::Number]);
    assert_eq!(
        convert(Value::Tuple(vec![n(1), s("2")]), &tuple_type),
        Ok(Value::Tuple(vec![s("1"), n(2)]))
    );
}
