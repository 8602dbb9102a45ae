//! Decoding a text straight into a value gives what decoding its tree gives, or nothing.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::Value as Json;
use tenantform_proto::value::{Type, decode_json};

use super::decode_text;

fn type_strategy() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::List(Box::new(t))),
            inner.clone().prop_map(|t| Type::Set(Box::new(t))),
            inner.clone().prop_map(|t| Type::Map(Box::new(t))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Type::Tuple),
            prop::collection::btree_map("[a-c]", inner, 0..4).prop_map(Type::Object),
        ]
    })
}

/// JSON shaped by `ty` most of the time, anything some of the time.
fn json_for(ty: &Type, noise: &mut impl FnMut() -> u8) -> Json {
    if noise() < 12 {
        return match noise() % 6 {
            0 => Json::Null,
            1 => Json::Bool(true),
            2 => serde_json::json!(1.5),
            3 => Json::String("true".into()),
            4 => serde_json::json!([1, "x", -2, 18446744073709551616_u128]),
            _ => serde_json::json!({"a": 1, "z": null}),
        };
    }
    match ty {
        Type::String => Json::String(format!("s{}", noise())),
        Type::Number => serde_json::from_str(&format!("{}.5", noise())).unwrap(),
        Type::Bool => Json::Bool(noise().is_multiple_of(2)),
        Type::Dynamic => serde_json::json!({"value": "v", "type": "string"}),
        Type::List(element) | Type::Set(element) => {
            Json::Array((0..noise() % 4).map(|_| json_for(element, noise)).collect())
        }
        Type::Map(element) => Json::Object(
            (0..noise() % 3)
                .map(|i| (format!("k{i}"), json_for(element, noise)))
                .collect(),
        ),
        Type::Tuple(types) => Json::Array(types.iter().map(|t| json_for(t, noise)).collect()),
        Type::Object(attributes) => {
            let mut object = serde_json::Map::new();
            for (name, t) in attributes {
                if !noise().is_multiple_of(4) {
                    object.insert(name.clone(), json_for(t, noise));
                }
            }
            Json::Object(object)
        }
    }
}

proptest! {
    // No failure-persistence files: a failure prints its minimal input.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_text_decodes_as_its_tree_does(ty in type_strategy(), seed in prop::collection::vec(any::<u8>(), 64)) {
        let mut at = 0;
        let mut noise = || { at += 1; seed[at % seed.len()] };
        let json = json_for(&ty, &mut noise);
        let text = serde_json::to_string(&json).unwrap();
        let from_tree = decode_json(&json, &ty);
        match decode_text(&text, &ty) {
            Some(value) => prop_assert_eq!(Some(value), from_tree.ok()),
            None => prop_assert!(from_tree.is_err(), "{:?}", from_tree),
        }
    }
}

#[test]
fn objects_lists_sets_and_conversions_decode_from_the_text() {
    let ty = Type::Object(BTreeMap::from([
        ("id".to_string(), Type::String),
        ("n".to_string(), Type::Number),
        ("on".to_string(), Type::Bool),
        ("tags".to_string(), Type::Set(Box::new(Type::String))),
        ("labels".to_string(), Type::Map(Box::new(Type::String))),
        (
            "pair".to_string(),
            Type::Tuple(vec![Type::Number, Type::String]),
        ),
        ("missing".to_string(), Type::List(Box::new(Type::String))),
    ]));
    let text = r#"{"id":"t-1","n":"12.50","on":"true","tags":["b","a","b"],"labels":{"x":1,"y":true},"pair":[1e3,"p"]}"#;
    let from_tree = decode_json(&serde_json::from_str(text).unwrap(), &ty).unwrap();
    assert_eq!(decode_text(text, &ty), Some(from_tree));
    // What the tree refuses is not taken from the text either.
    for refused in [r#"{"other":1}"#, r#"{"pair":[1]}"#, r#"{"n":"x"}"#, "[1]"] {
        assert!(decode_json(&serde_json::from_str(refused).unwrap(), &ty).is_err());
        assert_eq!(decode_text(refused, &ty), None, "{refused}");
    }
    assert_eq!(
        decode_text("null", &ty),
        Some(tenantform_proto::value::Value::Null)
    );
}
