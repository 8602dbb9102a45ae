//! One resource instance in Terraform's human-readable notation, as `state show` prints it:
//! attributes sorted and aligned, nested blocks after them, map keys quoted, object keys
//! bare, null attributes left out and sensitive attributes shown as `(sensitive value)`.
//! The provider schema tells nested blocks from attributes and maps from objects; without it
//! every value renders as an attribute.

use serde_json::Value as Json;
use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::{PathStep, Type};

use super::super::output::{HclLayout, sensitive_paths};
use crate::addrs::{InstanceAddr, ResourceMode};
use crate::state::InstanceState;

const STEP: usize = 4;

/// `# ADDR:` and the `resource "TYPE" "NAME" { ... }` block.
pub(super) fn render_instance(
    addr: &InstanceAddr,
    instance: &InstanceState,
    schema: Option<&Block>,
) -> String {
    let keyword = match addr.resource.mode {
        ResourceMode::Managed => "resource",
        ResourceMode::Data => "data",
    };
    let hidden: Vec<String> = sensitive_paths(&instance.sensitive_attributes)
        .into_iter()
        .filter_map(|path| match path.0.first() {
            Some(PathStep::Attribute(name)) if path.0.len() == 1 => Some(name.clone()),
            _ => None,
        })
        .collect();
    let empty = serde_json::Map::new();
    let attributes = instance.attributes.to_json();
    let attributes = attributes.as_object().unwrap_or(&empty);
    format!(
        "# {addr}:\n{keyword} \"{}\" \"{}\" {}\n",
        addr.resource.type_name,
        addr.resource.name,
        block_body(attributes, schema, &hidden, 0)
    )
}

/// `{ attributes... blocks... }` with the closing brace at `indent`.
fn block_body(
    object: &serde_json::Map<String, Json>,
    schema: Option<&Block>,
    hidden: &[String],
    indent: usize,
) -> String {
    let pad = " ".repeat(indent + STEP);
    let is_block = |name: &str| schema.is_some_and(|s| s.block_types.contains_key(name));
    let shown: Vec<(&String, &Json)> = object
        .iter()
        .filter(|(name, value)| !value.is_null() && !is_block(name))
        .collect();
    let width = shown
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("{\n");
    for (name, value) in &shown {
        let ty = schema
            .and_then(|s| s.attributes.get(name.as_str()))
            .map(|a| &a.ty);
        let sensitive = hidden.iter().any(|h| h == *name)
            || schema
                .and_then(|s| s.attributes.get(name.as_str()))
                .is_some_and(|a| a.sensitive);
        let text = if sensitive {
            "(sensitive value)".to_string()
        } else {
            value_text(value, ty, indent + STEP)
        };
        out.push_str(&format!("{pad}{name:width$} = {text}\n"));
    }
    if let Some(schema) = schema {
        for (name, nested) in &schema.block_types {
            let Some(value) = object.get(name) else {
                continue;
            };
            let elements: Vec<(Option<&str>, &Json)> = match (nested.nesting, value) {
                (Nesting::Map, Json::Object(entries)) => entries
                    .iter()
                    .map(|(key, v)| (Some(key.as_str()), v))
                    .collect(),
                (_, Json::Array(items)) => items.iter().map(|v| (None, v)).collect(),
                (_, Json::Object(_)) => vec![(None, value)],
                _ => Vec::new(),
            };
            for (key, element) in elements {
                let Some(fields) = element.as_object() else {
                    continue;
                };
                let label = key.map(|k| format!(" {}", quoted(k))).unwrap_or_default();
                out.push_str(&format!(
                    "\n{pad}{name}{label} {}\n",
                    block_body(fields, Some(&nested.block), &[], indent + STEP)
                ));
            }
        }
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
    out
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// An attribute value; `ty` (when known) tells objects, whose keys are bare, from maps.
fn value_text(value: &Json, ty: Option<&Type>, indent: usize) -> String {
    let pad = " ".repeat(indent + STEP);
    let end = " ".repeat(indent);
    match HclLayout::of(value) {
        HclLayout::Inline(text) => text,
        HclLayout::Array(items) => {
            let element = match ty {
                Some(Type::List(e) | Type::Set(e)) => Some(e.as_ref()),
                _ => None,
            };
            let lines: String = items
                .iter()
                .map(|item| format!("{pad}{},\n", value_text(item, element, indent + STEP)))
                .collect();
            format!("[\n{lines}{end}]")
        }
        HclLayout::Object(entries) => {
            let object_types = match ty {
                Some(Type::Object(attributes)) => Some(attributes),
                _ => None,
            };
            let element = match ty {
                Some(Type::Map(e)) => Some(e.as_ref()),
                _ => None,
            };
            let keys: Vec<String> = entries
                .keys()
                .map(|k| {
                    if object_types.is_some() {
                        k.clone()
                    } else {
                        quoted(k)
                    }
                })
                .collect();
            let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
            let lines: String = entries
                .iter()
                .zip(&keys)
                .filter(|((_, v), _)| object_types.is_none() || !v.is_null())
                .map(|((name, v), key)| {
                    let ty = object_types.and_then(|attrs| attrs.get(name)).or(element);
                    format!("{pad}{key:width$} = {}\n", value_text(v, ty, indent + STEP))
                })
                .collect();
            format!("{{\n{lines}{end}}}")
        }
    }
}
