//! Byte-exact and round-trip tests of the msgpack codec.

use std::collections::BTreeMap;

use super::*;

fn num(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

fn list(t: Type) -> Type {
    Type::List(Box::new(t))
}

fn round_trip(value: &Value, ty: &Type) -> Value {
    let bytes = encode_msgpack(value, ty).unwrap();
    decode_msgpack(&bytes, ty).unwrap()
}

#[test]
fn primitives_have_go_cty_bytes() {
    assert_eq!(
        encode_msgpack(&Value::string("hi"), &Type::String).unwrap(),
        [0xa2, b'h', b'i']
    );
    assert_eq!(
        encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
        [0xd4, 0, 0]
    );
    assert_eq!(encode_msgpack(&Value::Null, &Type::Number).unwrap(), [0xc0]);
    assert_eq!(
        encode_msgpack(&Value::Bool(true), &Type::Bool).unwrap(),
        [0xc3]
    );
    assert_eq!(encode_msgpack(&num(1), &Type::Number).unwrap(), [0x01]);
    assert_eq!(encode_msgpack(&num(-1), &Type::Number).unwrap(), [0xff]);
    assert_eq!(
        encode_msgpack(&num(200), &Type::Number).unwrap(),
        [0xcc, 200]
    );
    assert_eq!(
        encode_msgpack(&num(-200), &Type::Number).unwrap(),
        [0xd1, 0xff, 0x38]
    );
    let half = encode_msgpack(&Value::Number(Number::Float(1.5)), &Type::Number).unwrap();
    assert_eq!(half, [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    let integral_float = Value::Number(Number::Float(3.0));
    assert_eq!(
        encode_msgpack(&integral_float, &Type::Number).unwrap(),
        [0x03]
    );
}

#[test]
fn objects_carry_every_attribute_sorted() {
    let ty = Type::object_of(&[("b", Type::Number), ("a", Type::String)]);
    let bytes = encode_msgpack(&Value::object_of(&[("a", Value::string("x"))]), &ty).unwrap();
    assert_eq!(bytes, [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]);
    let decoded = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(
        decoded,
        Value::object_of(&[("a", Value::string("x")), ("b", Value::Null)])
    );
    let missing = decode_msgpack(&[0x81, 0xa1, b'a', 0xa1, b'x'], &ty).unwrap();
    assert_eq!(missing, decoded);
}

#[test]
fn every_type_kind_round_trips() {
    let set_type = Type::Set(Box::new(Type::String));
    let set = Value::Set(vec![Value::string("a"), Value::string("b")]);
    let map_type = Type::Map(Box::new(Type::Bool));
    let map = Value::Map(BTreeMap::from([("k".to_string(), Value::Bool(false))]));
    let tuple_type = Type::Tuple(vec![Type::String, Type::Number]);
    let tuple = Value::Tuple(vec![Value::string("t"), num(-70000)]);
    let nested_type = Type::object_of(&[
        ("list", list(Type::Number)),
        ("set", set_type.clone()),
        ("map", map_type.clone()),
        ("tuple", tuple_type.clone()),
        (
            "inner",
            Type::object_of(&[("x", Type::String), ("y", Type::Bool)]),
        ),
        ("float", Type::Number),
        ("big", Type::Number),
    ]);
    let nested = Value::object_of(&[
        (
            "list",
            Value::List(vec![num(1), Value::Unknown, Value::Null]),
        ),
        ("set", set.clone()),
        ("map", Value::Unknown),
        ("tuple", tuple.clone()),
        (
            "inner",
            Value::object_of(&[("x", Value::Unknown), ("y", Value::Null)]),
        ),
        ("float", Value::Number(Number::Float(0.1))),
        ("big", num(i64::MAX)),
    ]);
    for (value, ty) in [
        (Value::string(""), Type::String),
        (Value::string("é".repeat(300)), Type::String),
        (num(0), Type::Number),
        (Value::Bool(false), Type::Bool),
        (set, set_type),
        (map, map_type),
        (tuple, tuple_type),
        (Value::List(vec![]), list(Type::String)),
        (Value::Null, list(Type::String)),
        (Value::Unknown, Type::object_of(&[("a", Type::String)])),
        (nested, nested_type),
    ] {
        assert_eq!(round_trip(&value, &ty), value, "{ty:?}");
    }
}

#[test]
fn sets_decode_normalized() {
    let ty = Type::Set(Box::new(Type::String));
    let bytes = [0x93, 0xa1, b'b', 0xa1, b'a', 0xa1, b'b'];
    let expected = Value::Set(vec![Value::string("a"), Value::string("b")]);
    assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), expected);
}

#[test]
fn dynamic_values_carry_their_type() {
    let bytes = encode_msgpack(&Value::string("hi"), &Type::Dynamic).unwrap();
    assert_eq!(
        bytes,
        [
            0x92, 0xc4, 8, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa2, b'h', b'i'
        ]
    );
    assert_eq!(
        decode_msgpack(&bytes, &Type::Dynamic).unwrap(),
        Value::string("hi")
    );
    assert_eq!(
        encode_msgpack(&Value::Unknown, &Type::Dynamic).unwrap(),
        UNKNOWN
    );
    assert_eq!(
        encode_msgpack(&Value::Null, &Type::Dynamic).unwrap(),
        [0xc0]
    );
    let nested = Value::object_of(&[
        ("tags", Value::List(vec![Value::string("a"), Value::Null])),
        ("n", num(2)),
    ]);
    let ty = Type::object_of(&[("d", Type::Dynamic)]);
    let outer = Value::object_of(&[("d", nested)]);
    assert_eq!(round_trip(&outer, &ty), outer);
    let with_str_type = [0x92, 0xa6, b'"', b'b', b'o', b'o', b'l', b'"', 0xc2];
    assert_eq!(
        decode_msgpack(&with_str_type, &Type::Dynamic).unwrap(),
        Value::Bool(false)
    );
}

#[test]
fn any_extension_decodes_as_unknown() {
    let refined = [0xc7, 3, 12, 0x81, 0x01, 0xc3];
    assert_eq!(
        decode_msgpack(&refined, &Type::String).unwrap(),
        Value::Unknown
    );
    let in_list = [0x92, 0xd5, 12, 0, 0, 0xa1, b'x'];
    let expected = Value::List(vec![Value::Unknown, Value::string("x")]);
    assert_eq!(
        decode_msgpack(&in_list, &list(Type::String)).unwrap(),
        expected
    );
}

#[test]
fn numbers_decode_from_every_encoding() {
    let cases: [(&[u8], Number); 6] = [
        (&[0xd0, 0x80], Number::Int(-128)),
        (&[0xcd, 0x01, 0x00], Number::Int(256)),
        (
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            Number::from_u64(u64::MAX),
        ),
        (&[0xca, 0x3f, 0xc0, 0, 0], Number::Float(1.5)),
        (&[0xa3, b'2', b'.', b'5'], Number::Float(2.5)),
        (&[0xa2, b'4', b'2'], Number::Int(42)),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            decode_msgpack(bytes, &Type::Number).unwrap(),
            Value::Number(expected)
        );
    }
}

#[test]
fn mismatches_name_the_path() {
    let ty = Type::object_of(&[("tags", list(Type::String))]);
    let bytes = [0x81, 0xa4, b't', b'a', b'g', b's', 0x91, 0x05];
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert!(matches!(&err, ValueError::Mismatch { .. }), "{err}");
    assert!(
        err.to_string().contains("tags[0]: string is required"),
        "{err}"
    );
    let err = encode_msgpack(
        &Value::object_of(&[("tags", Value::List(vec![num(1)]))]),
        &ty,
    )
    .unwrap_err();
    assert!(err.to_string().contains("tags[0]"), "{err}");
    let err = encode_msgpack(&Value::object_of(&[("nope", Value::Null)]), &ty).unwrap_err();
    assert!(
        err.to_string().contains("unsupported attribute \"nope\""),
        "{err}"
    );
    assert!(decode_msgpack(&[0x81, 0xa1, b'x', 0xc0], &ty).is_err());
    assert!(decode_msgpack(&[0xa2, b'h'], &Type::String).is_err());
    assert!(decode_msgpack(&[0xa1, b'h', 0xc0], &Type::String).is_err());
}

#[test]
fn mismatches_name_map_keys_and_the_parts_of_dynamic_values() {
    let ty = Type::object_of(&[("labels", Type::Map(Box::new(Type::Number)))]);
    let mut bytes = vec![0x81, 0xa6];
    bytes.extend_from_slice(b"labels");
    bytes.extend_from_slice(&[0x81, 0xa1, b'a', 0xa1, b'x']);
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert!(
        err.to_string()
            .contains("at labels[\"a\"]: number is required"),
        "{err}"
    );
    let labels = BTreeMap::from([("a".to_string(), Value::string("x"))]);
    let err =
        encode_msgpack(&Value::object_of(&[("labels", Value::Map(labels))]), &ty).unwrap_err();
    assert!(err.to_string().contains("at labels[\"a\"]: "), "{err}");

    let ty = Type::object_of(&[("d", Type::Dynamic)]);
    let mut bytes = vec![0x81, 0xa1, b'd', 0x92, 0xc4, 0x08];
    bytes.extend_from_slice(b"\"number\"");
    bytes.extend_from_slice(&[0xa1, b'x']);
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert!(
        err.to_string().contains("at d: number is required"),
        "{err}"
    );
}
