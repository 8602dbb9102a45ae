//! Tests of the shapes stored resources take in the console.

use tenantform_proto::value::Value;

use super::shape;
use crate::addrs::InstanceKey;
use crate::lang::Sensitivity;

#[test]
fn a_single_instance_is_its_object() {
    let (value, marks) = shape(vec![(
        InstanceKey::None,
        Value::string("a"),
        Sensitivity::Whole,
    )]);
    assert_eq!(value, Value::string("a"));
    assert!(marks.is_whole());
}

#[test]
fn counted_instances_are_a_tuple_in_index_order() {
    let (value, marks) = shape(vec![
        (InstanceKey::Int(1), Value::string("b"), Sensitivity::Whole),
        (InstanceKey::Int(0), Value::string("a"), Sensitivity::None),
    ]);
    assert_eq!(
        value,
        Value::Tuple(vec![Value::string("a"), Value::string("b")])
    );
    assert!(!marks.element(0).any());
    assert!(marks.element(1).is_whole());
}

#[test]
fn keyed_instances_are_an_object_by_key() {
    let (value, marks) = shape(vec![
        (
            InstanceKey::Str("x".into()),
            Value::Bool(true),
            Sensitivity::None,
        ),
        (
            InstanceKey::Str("y".into()),
            Value::Bool(false),
            Sensitivity::Whole,
        ),
    ]);
    let Value::Object(entries) = value else {
        panic!("an object expected");
    };
    assert_eq!(entries.len(), 2);
    assert!(marks.attribute("y").is_whole());
    assert!(!marks.attribute("x").any());
}
