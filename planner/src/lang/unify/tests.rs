//! Tests of cty's type unification.

use std::collections::BTreeMap;

use tenantform_proto::value::Type;

use super::unify;

fn list(t: Type) -> Type {
    Type::List(Box::new(t))
}

#[test]
fn tuples_of_different_lengths_become_a_list() {
    let a = Type::Tuple(vec![Type::String, Type::String]);
    let b = Type::Tuple(vec![]);
    assert_eq!(unify(&[a, b]), Some(list(Type::String)));
}

#[test]
fn tuples_of_one_length_unify_element_by_element() {
    let a = Type::Tuple(vec![Type::Number]);
    let b = Type::Tuple(vec![Type::String]);
    assert_eq!(unify(&[a, b]), Some(Type::Tuple(vec![Type::String])));
}

#[test]
fn objects_with_different_attributes_become_a_map() {
    let a = Type::Object(BTreeMap::from([("a".into(), Type::Number)]));
    let b = Type::Object(BTreeMap::new());
    assert_eq!(unify(&[a, b]), Some(Type::Map(Box::new(Type::Number))));
}

#[test]
fn a_list_and_a_set_meet_at_a_list() {
    let a = list(Type::String);
    let b = Type::Set(Box::new(Type::String));
    assert_eq!(unify(&[a, b]), Some(list(Type::String)));
}

#[test]
fn structural_kinds_that_cannot_meet_do_not_unify() {
    let object = Type::Object(BTreeMap::from([("a".into(), Type::Number)]));
    assert_eq!(unify(&[Type::String, Type::Tuple(vec![])]), None);
    assert_eq!(unify(&[object, Type::Tuple(vec![Type::Number])]), None);
    assert_eq!(unify(&[Type::Dynamic, Type::Bool]), Some(Type::Bool));
}
