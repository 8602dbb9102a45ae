//! Decoding a stored object's JSON text straight into a value of its type, without building
//! the JSON tree first (a plan decodes every stored object of a fleet). Only what decodes
//! is taken from here: any text this reader does not take (a mismatch, a dynamically-typed
//! part it hands on) is decoded from its tree by [`decode_json`], which says what is wrong,
//! so the value or the error is always the one the tree gives.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize as _;
use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value as Json;
use tenantform_proto::value::{Type, Value, decode_json};

/// The value of type `ty` that the JSON `text` holds; `None` when it is to be decoded from
/// its tree.
pub(super) fn decode_text(text: &str, ty: &Type) -> Option<Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Typed(ty).deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(value)
}

/// Reads one JSON value as a value of the type it holds.
#[derive(Clone, Copy)]
struct Typed<'t>(&'t Type);

impl<'de> DeserializeSeed<'de> for Typed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Typed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON value of type {:?}", self.0)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.0 {
            Type::Object(_) | Type::Map(_) => deserializer.deserialize_map(Collection(self.0)),
            Type::List(_) | Type::Set(_) | Type::Tuple(_) => {
                deserializer.deserialize_seq(Collection(self.0))
            }
            Type::String | Type::Bool => deserializer.deserialize_any(Primitive(self.0)),
            // Numbers (read exactly as the tree reads them) and dynamically-typed parts: from
            // the small tree of this part alone.
            ty => {
                let json = Json::deserialize(deserializer)?;
                decode_json(&json, ty).map_err(|_| D::Error::custom("decoded from the tree"))
            }
        }
    }
}

/// A string or a bool, with the conversions between them cty's JSON decoding makes.
struct Primitive<'t>(&'t Type);

impl<'de> Visitor<'de> for Primitive<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON string or bool for {:?}", self.0)
    }

    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Value, E> {
        match self.0 {
            Type::Bool => Ok(Value::Bool(b)),
            _ => Ok(Value::String(b.to_string())),
        }
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Value, E> {
        match (self.0, s) {
            (Type::Bool, "true") => Ok(Value::Bool(true)),
            (Type::Bool, "false") => Ok(Value::Bool(false)),
            (Type::Bool, _) => Err(E::custom("bool is required")),
            _ => Ok(Value::String(s.to_string())),
        }
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Value, E> {
        self.number_text(n.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Value, E> {
        self.number_text(n.to_string())
    }

    /// `serde_json` (with exact numbers) hands a number over as a map of one entry, its
    /// text under a key of its own; a string attribute takes the number's text, as the
    /// tree's number writes it. Anything else is decoded from the tree.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let text = match map.next_key::<String>()? {
            Some(key) if key == NUMBER_KEY => map.next_value::<String>()?,
            _ => return Err(A::Error::custom("decoded from the tree")),
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(A::Error::custom("decoded from the tree"));
        }
        self.number_text(text)
    }
}

impl Primitive<'_> {
    /// A number's text as a string attribute takes it; a bool cannot be a number.
    fn number_text<E: serde::de::Error>(&self, text: String) -> Result<Value, E> {
        match self.0 {
            Type::String => Ok(Value::String(text)),
            _ => Err(E::custom("decoded from the tree")),
        }
    }
}

/// The key under which `serde_json` hands an exact number's text over.
const NUMBER_KEY: &str = "$serde_json::private::Number";

/// An object, map, list, set or tuple of the type.
struct Collection<'t>(&'t Type);

impl<'de> Visitor<'de> for Collection<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON collection of type {:?}", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let item_type = match self.0 {
                Type::Map(element) => &**element,
                Type::Object(attributes) => attributes
                    .get(&key)
                    .ok_or_else(|| A::Error::custom("unsupported attribute"))?,
                _ => return Err(A::Error::custom("not a map or an object")),
            };
            entries.insert(key, map.next_value_seed(Typed(item_type))?);
        }
        match self.0 {
            Type::Object(attributes) => {
                for name in attributes.keys() {
                    if !entries.contains_key(name) {
                        entries.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(entries))
            }
            _ => Ok(Value::Map(entries)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        match self.0 {
            Type::List(element) | Type::Set(element) => {
                while let Some(item) = seq.next_element_seed(Typed(element))? {
                    items.push(item);
                }
                Ok(Value::list_or_set(items, matches!(self.0, Type::Set(_))))
            }
            Type::Tuple(element_types) => {
                for element in element_types {
                    let item = seq
                        .next_element_seed(Typed(element))?
                        .ok_or_else(|| A::Error::custom("a shorter tuple"))?;
                    items.push(item);
                }
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(A::Error::custom("a longer tuple"));
                }
                Ok(Value::Tuple(items))
            }
            _ => Err(A::Error::custom("not a sequence")),
        }
    }
}

#[cfg(test)]
mod tests;
