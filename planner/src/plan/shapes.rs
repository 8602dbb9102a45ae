//! The shapes of unknown values, taken from the schema.
//!
//! Values carry no type, so an unknown value alone cannot say whether it will be a string or
//! a list. Terraform's JSON plan can (its `SensitiveAsBool` writes `[]` for an unknown list,
//! set or tuple and `{}` for an unknown map or object), so the planner records, with each
//! change, where the planned object holds an unknown collection and of which kind.

use serde::{Deserialize, Serialize};
use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::{AttributePath, PathStep, Type, Value};

use super::collect_along_paths;

/// The kind of collection an unknown value will be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CollectionKind {
    /// A list, set or tuple.
    Sequence,
    /// A map or object.
    Mapping,
}

/// An unknown value of a collection type, at `path` in a resource object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct UnknownCollection {
    pub path: AttributePath,
    pub kind: CollectionKind,
}

/// Every unknown collection in `value`, an object of the block `schema`.
pub(crate) fn unknown_collections(schema: &Block, value: &Value) -> Vec<UnknownCollection> {
    collect_along_paths(|path, found| walk_block(schema, value, path, found))
}

fn walk_block(
    schema: &Block,
    value: &Value,
    path: &mut Vec<PathStep>,
    out: &mut Vec<UnknownCollection>,
) {
    for (name, attribute) in &schema.attributes {
        if let Some(inner) = value.get_attr(name) {
            path.push(PathStep::Attribute(name.clone()));
            walk_type(&attribute.ty, inner, path, out);
            path.pop();
        }
    }
    for (name, nested) in &schema.block_types {
        let Some(inner) = value.get_attr(name) else {
            continue;
        };
        path.push(PathStep::Attribute(name.clone()));
        let kind = match nested.nesting {
            Nesting::List | Nesting::Set => CollectionKind::Sequence,
            Nesting::Map | Nesting::Single | Nesting::Group => CollectionKind::Mapping,
        };
        match inner {
            Value::Unknown => record(path, kind, out),
            Value::List(items) | Value::Set(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(PathStep::IntKey(index as i64));
                    walk_nested(&nested.block, item, path, out);
                    path.pop();
                }
            }
            Value::Map(entries) => {
                for (key, item) in entries {
                    path.push(PathStep::StringKey(key.clone()));
                    walk_nested(&nested.block, item, path, out);
                    path.pop();
                }
            }
            Value::Object(_) => walk_block(&nested.block, inner, path, out),
            _ => {}
        }
        path.pop();
    }
}

fn walk_nested(
    schema: &Block,
    value: &Value,
    path: &mut Vec<PathStep>,
    out: &mut Vec<UnknownCollection>,
) {
    if value.is_unknown() {
        record(path, CollectionKind::Mapping, out);
    } else {
        walk_block(schema, value, path, out);
    }
}

fn walk_type(ty: &Type, value: &Value, path: &mut Vec<PathStep>, out: &mut Vec<UnknownCollection>) {
    let kind = match ty {
        Type::List(_) | Type::Set(_) | Type::Tuple(_) => CollectionKind::Sequence,
        Type::Map(_) | Type::Object(_) => CollectionKind::Mapping,
        Type::String | Type::Number | Type::Bool | Type::Dynamic => return,
    };
    match (ty, value) {
        (_, Value::Unknown) => record(path, kind, out),
        (Type::List(element) | Type::Set(element), Value::List(items) | Value::Set(items)) => {
            for (index, item) in items.iter().enumerate() {
                path.push(PathStep::IntKey(index as i64));
                walk_type(element, item, path, out);
                path.pop();
            }
        }
        (Type::Tuple(elements), Value::Tuple(items) | Value::List(items)) => {
            for (index, (element, item)) in elements.iter().zip(items).enumerate() {
                path.push(PathStep::IntKey(index as i64));
                walk_type(element, item, path, out);
                path.pop();
            }
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => {
            for (key, item) in entries {
                path.push(PathStep::StringKey(key.clone()));
                walk_type(element, item, path, out);
                path.pop();
            }
        }
        (Type::Object(attributes), Value::Object(entries) | Value::Map(entries)) => {
            for (name, item) in entries {
                if let Some(attribute) = attributes.get(name) {
                    path.push(PathStep::Attribute(name.clone()));
                    walk_type(attribute, item, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

fn record(path: &[PathStep], kind: CollectionKind, out: &mut Vec<UnknownCollection>) {
    out.push(UnknownCollection {
        path: AttributePath(path.to_vec()),
        kind,
    });
}

#[cfg(test)]
mod tests;
