//! The JSON encoding of cty types used in schemas: `"string"`, `["list","number"]`,
//! `["object",{"a":"bool"}]`.
//!
//! Objects may carry a third element listing optional attributes
//! (`["object",{"a":"string"},["a"]]`); it only matters for type constraints, so it is
//! accepted and ignored.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{Type, ValueError};

/// The JSON form of `ty`, as go-cty's `Type.MarshalJSON` writes it (object attributes sorted).
pub fn type_to_json(ty: &Type) -> Json {
    match ty {
        Type::String => Json::from("string"),
        Type::Number => Json::from("number"),
        Type::Bool => Json::from("bool"),
        Type::Dynamic => Json::from("dynamic"),
        Type::List(element) => Json::Array(vec!["list".into(), type_to_json(element)]),
        Type::Set(element) => Json::Array(vec!["set".into(), type_to_json(element)]),
        Type::Map(element) => Json::Array(vec!["map".into(), type_to_json(element)]),
        Type::Object(attributes) => {
            let attributes: serde_json::Map<String, Json> = attributes
                .iter()
                .map(|(name, ty)| (name.clone(), type_to_json(ty)))
                .collect();
            Json::Array(vec!["object".into(), Json::Object(attributes)])
        }
        Type::Tuple(elements) => Json::Array(vec![
            "tuple".into(),
            Json::Array(elements.iter().map(type_to_json).collect()),
        ]),
    }
}

/// Parses the JSON bytes of a type, e.g. a schema attribute's `type` field.
pub fn parse_type_json(bytes: &[u8]) -> Result<Type, ValueError> {
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|err| ValueError::TypeJson(format!("not JSON: {err}")))?;
    type_from_json(&json)
}

/// Interprets an already parsed JSON value as a type.
pub fn type_from_json(json: &Json) -> Result<Type, ValueError> {
    match json {
        Json::String(name) => match name.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(ValueError::TypeJson(format!(
                "unknown primitive type {other:?}"
            ))),
        },
        Json::Array(items) => parse_compound(items),
        other => Err(ValueError::TypeJson(format!(
            "a type must be a string or an array, found {other}"
        ))),
    }
}

fn parse_compound(items: &[Json]) -> Result<Type, ValueError> {
    let Some(Json::String(kind)) = items.first() else {
        return Err(ValueError::TypeJson(
            "a compound type must start with its kind".into(),
        ));
    };
    let expect_len = |allowed: &[usize]| {
        if allowed.contains(&items.len()) {
            Ok(())
        } else {
            Err(ValueError::TypeJson(format!(
                "{kind:?} type has {} elements, expected {}",
                items.len(),
                allowed
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    };
    match kind.as_str() {
        "list" | "set" | "map" => {
            expect_len(&[2])?;
            let element = Box::new(type_from_json(&items[1])?);
            Ok(match kind.as_str() {
                "list" => Type::List(element),
                "set" => Type::Set(element),
                _ => Type::Map(element),
            })
        }
        "object" => {
            expect_len(&[2, 3])?;
            let Json::Object(attributes) = &items[1] else {
                return Err(ValueError::TypeJson(
                    "object attributes must be a JSON object".into(),
                ));
            };
            if let Some(optional) = items.get(2) {
                let names_ok = optional.as_array().is_some_and(|names| {
                    names
                        .iter()
                        .all(|n| attributes.contains_key(n.as_str().unwrap_or("\0")))
                });
                if !names_ok {
                    return Err(ValueError::TypeJson(
                        "optional object attributes must be an array of attribute names".into(),
                    ));
                }
            }
            let attributes = attributes
                .iter()
                .map(|(name, ty)| Ok((name.clone(), type_from_json(ty)?)))
                .collect::<Result<BTreeMap<_, _>, ValueError>>()?;
            Ok(Type::Object(attributes))
        }
        "tuple" => {
            expect_len(&[2])?;
            let Json::Array(elements) = &items[1] else {
                return Err(ValueError::TypeJson(
                    "tuple elements must be a JSON array".into(),
                ));
            };
            Ok(Type::Tuple(
                elements
                    .iter()
                    .map(type_from_json)
                    .collect::<Result<_, _>>()?,
            ))
        }
        other => Err(ValueError::TypeJson(format!("unknown type kind {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Type {
        let ty = parse_type_json(text.as_bytes()).unwrap();
        assert_eq!(serde_json::to_string(&type_to_json(&ty)).unwrap(), text);
        ty
    }

    #[test]
    fn every_kind_round_trips() {
        assert_eq!(round_trip(r#""string""#), Type::String);
        assert_eq!(round_trip(r#""number""#), Type::Number);
        assert_eq!(round_trip(r#""bool""#), Type::Bool);
        assert_eq!(round_trip(r#""dynamic""#), Type::Dynamic);
        assert_eq!(
            round_trip(r#"["list","string"]"#),
            Type::List(Box::new(Type::String))
        );
        assert_eq!(
            round_trip(r#"["set","number"]"#),
            Type::Set(Box::new(Type::Number))
        );
        assert_eq!(
            round_trip(r#"["map",["list","bool"]]"#),
            Type::Map(Box::new(Type::List(Box::new(Type::Bool))))
        );
        round_trip(r#"["tuple",["string",["object",{}]]]"#);
        let object = round_trip(r#"["object",{"a":"string","b":["set","string"]}]"#);
        assert!(matches!(object, Type::Object(attrs) if attrs.len() == 2));
    }

    #[test]
    fn object_attributes_are_written_sorted() {
        let ty = parse_type_json(br#"["object",{"z":"bool","a":"number"}]"#).unwrap();
        assert_eq!(
            type_to_json(&ty).to_string(),
            r#"["object",{"a":"number","z":"bool"}]"#
        );
    }

    #[test]
    fn optional_attribute_list_is_accepted_and_ignored() {
        let ty = parse_type_json(br#"["object",{"a":"string","b":"number"},["b"]]"#).unwrap();
        assert_eq!(
            type_to_json(&ty).to_string(),
            r#"["object",{"a":"string","b":"number"}]"#
        );
    }

    #[test]
    fn malformed_types_are_refused() {
        for text in [
            r#""str""#,
            "42",
            "[]",
            r#"["list"]"#,
            r#"["list","string","x"]"#,
            r#"["object",["a"]]"#,
            r#"["object",{"a":"string"},["zzz"]]"#,
            r#"["tuple","string"]"#,
            r#"["capsule","x"]"#,
            "not json",
        ] {
            assert!(parse_type_json(text.as_bytes()).is_err(), "{text} parsed");
        }
    }
}
