//! Tests of the console's `type(...)` layout.

use std::collections::BTreeMap;

use tenantform_proto::value::Type;

use super::format_type;

fn list(t: Type) -> Type {
    Type::List(Box::new(t))
}

#[test]
fn collections_of_primitives_stay_on_one_line() {
    assert_eq!(format_type(&list(Type::Number), 0), "list(number)");
    assert_eq!(
        format_type(&Type::Set(Box::new(list(Type::String))), 0),
        "set(list(string))"
    );
    assert_eq!(
        format_type(&Type::Map(Box::new(Type::Dynamic)), 0),
        "map(dynamic)"
    );
}

#[test]
fn structural_types_take_a_line_per_part() {
    let object = Type::Object(BTreeMap::from([
        ("a".to_string(), Type::String),
        (
            "b".to_string(),
            Type::Tuple(vec![
                Type::Number,
                Type::Object(BTreeMap::from([("c".to_string(), Type::Bool)])),
            ]),
        ),
    ]));
    assert_eq!(
        format_type(&object, 0),
        "object({\n    a: string,\n    b: tuple([\n        number,\n        object({\n            c: bool,\n        }),\n    ]),\n})"
    );
    assert_eq!(format_type(&Type::Tuple(vec![]), 0), "tuple([])");
    assert_eq!(format_type(&Type::Object(BTreeMap::new()), 0), "object({})");
}

#[test]
fn collections_of_structural_types_span_lines() {
    let element = Type::Tuple(vec![Type::Number]);
    assert_eq!(
        format_type(&list(element), 0),
        "list(\n    tuple([\n        number,\n    ]),\n)"
    );
}

#[test]
fn nested_collections_share_the_line_of_their_structural_element() {
    let object = Type::Object(BTreeMap::from([("a".to_string(), Type::Number)]));
    assert_eq!(
        format_type(&list(list(object)), 0),
        "list(list(\n    object({\n        a: number,\n    }),\n))"
    );
}
