//! The cty value model that travels over the plugin protocol: types, values (with null and
//! unknown), attribute paths, and their msgpack and JSON codecs.
//!
//! Values are untyped trees; a [`Type`] is supplied when encoding or decoding, exactly as the
//! protocol supplies the schema's type beside each `DynamicValue`.

mod json;
mod msgpack;
mod number;
mod path;
mod type_json;

pub use json::{decode_json, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use type_json::{parse_type_json, type_from_json, type_to_json};

use std::collections::BTreeMap;

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    /// `cty.DynamicPseudoType`: the value carries its own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// Attribute types, plus the names of the optional attributes (type constraints only).
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A cty value. `Null` and `Unknown` may stand at any depth.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// Not known until apply ("known after apply").
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements in a canonical order (see [`Value::normalize_set`]), without duplicates.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Type {
    /// The object type with these attribute types.
    pub fn object_of(attributes: &[(&str, Type)]) -> Type {
        Type::Object(
            attributes
                .iter()
                .map(|(name, ty)| (name.to_string(), ty.clone()))
                .collect(),
        )
    }
    /// A human-readable name, as cty's `FriendlyName`: `string`, `list of number`, `object`.
    pub fn friendly_name(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::Dynamic => "dynamic".into(),
            Type::List(element) => format!("list of {}", element.friendly_name()),
            Type::Set(element) => format!("set of {}", element.friendly_name()),
            Type::Map(element) => format!("map of {}", element.friendly_name()),
            Type::Object(_) => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }

    /// The most specific type of the two: `Dynamic` yields to any other type, collections
    /// unify their element types; otherwise the first wins.
    fn unify(self, other: Type) -> Type {
        match (self, other) {
            (Type::Dynamic, other) => other,
            (this, Type::Dynamic) => this,
            (Type::List(a), Type::List(b)) => Type::List(Box::new(a.unify(*b))),
            (Type::Set(a), Type::Set(b)) => Type::Set(Box::new(a.unify(*b))),
            (Type::Map(a), Type::Map(b)) => Type::Map(Box::new(a.unify(*b))),
            (Type::Object(mut a), Type::Object(b)) if a.len() == b.len() => {
                for (name, ty) in b {
                    if let Some(existing) = a.remove(&name) {
                        a.insert(name, existing.unify(ty));
                    } else {
                        a.insert(name, ty);
                    }
                }
                Type::Object(a)
            }
            (this, _) => this,
        }
    }
}

/// Errors while encoding or decoding values and types.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    #[error("invalid type JSON: {0}")]
    TypeJson(String),
    #[error("msgpack: {0}")]
    Msgpack(String),
    #[error("json: {0}")]
    Json(String),
    #[error("value does not conform to type {expected}: {detail}")]
    Mismatch { expected: String, detail: String },
}

impl ValueError {
    /// A mismatch at `path` (empty for the root) against the expected type.
    pub(crate) fn mismatch(expected: &Type, path: &[PathStep], problem: &str) -> ValueError {
        let detail = if path.is_empty() {
            problem.to_string()
        } else {
            format!("at {}: {problem}", AttributePath(path.to_vec()))
        };
        ValueError::Mismatch {
            expected: expected.friendly_name(),
            detail,
        }
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
            _ => true,
        }
    }

    /// The type this value implies on its own, used to tag values in dynamically typed
    /// slots. Null and unknown imply `Dynamic`; a collection's element type is the unification
    /// of its elements' types (`Dynamic` when empty or all null).
    pub fn implied_type(&self) -> Type {
        let elements = |items: &mut dyn Iterator<Item = &Value>| {
            items
                .map(Value::implied_type)
                .fold(Type::Dynamic, Type::unify)
        };
        match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::List(Box::new(elements(&mut items.iter()))),
            Value::Set(items) => Type::Set(Box::new(elements(&mut items.iter()))),
            Value::Map(entries) => Type::Map(Box::new(elements(&mut entries.values()))),
            Value::Object(entries) => Type::Object(
                entries
                    .iter()
                    .map(|(name, value)| (name.clone(), value.implied_type()))
                    .collect(),
            ),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::implied_type).collect()),
        }
    }

    /// A short name of a value's kind for mismatch messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "an unknown value",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
            Value::Object(_) => "an object",
            Value::Tuple(_) => "a tuple",
        }
    }

    /// The text of a string value.
    pub fn into_string(self) -> Option<String> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// An attribute of an object (or a key of a map); `None` when absent or not a container.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) | Value::Map(entries) => entries.get(name),
            _ => None,
        }
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A list of `items`, or, with `set`, the set of them.
    pub fn list_or_set(mut items: Vec<Value>, set: bool) -> Value {
        if set {
            Value::normalize_set(&mut items);
            Value::Set(items)
        } else {
            Value::List(items)
        }
    }

    /// An object with these attributes.
    pub fn object_of(attributes: &[(&str, Value)]) -> Value {
        Value::Object(
            attributes
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone()))
                .collect(),
        )
    }

    /// The path step and type of the attribute `name` of an object type with `attributes`, or
    /// why the name is not allowed.
    pub(crate) fn attribute_slot<'t>(
        attributes: &'t BTreeMap<String, Type>,
        name: &str,
    ) -> Result<(PathStep, &'t Type), String> {
        let attribute_type = attributes
            .get(name)
            .ok_or_else(|| format!("unsupported attribute {name:?}"))?;
        Ok((PathStep::Attribute(name.to_string()), attribute_type))
    }

    /// An object of the object type with `attributes`: `entries`, with null for every
    /// attribute they leave out.
    pub(crate) fn object_of_type(
        mut entries: BTreeMap<String, Value>,
        attributes: &BTreeMap<String, Type>,
    ) -> Value {
        for name in attributes.keys() {
            if !entries.contains_key(name) {
                entries.insert(name.clone(), Value::Null);
            }
        }
        Value::Object(entries)
    }

    /// Sorts a set's elements into the canonical order and removes duplicates.
    pub fn normalize_set(items: &mut Vec<Value>) {
        items.sort_by_key(Value::canonical_key);
        items.dedup();
    }

    /// A string that orders set elements canonically (strings lexically, numbers numerically).
    pub fn canonical_key(&self) -> String {
        match self {
            Value::String(s) => format!("s{s}"),
            Value::Number(n) => format!("n{:>40}", n.to_string()),
            Value::Bool(b) => format!("b{b}"),
            other => format!("x{other:?}"),
        }
    }
}
