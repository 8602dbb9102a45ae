//! Configuration generated for imported objects (`plan -generate-config-out`), written as
//! Terraform writes it when the provider does not generate it itself: the object without its
//! read-only attributes, attributes in name order then nested blocks, computed attributes
//! left out when null, sensitive ones written `null # sensitive`.
//!
//! Beyond Terraform, an `import` block with `for_each` gets one `for_each` resource whose
//! per-key values live in a generated `locals` map, so that the imported objects plan no
//! changes.

use std::collections::{BTreeMap, BTreeSet};

use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::Value;

use crate::addrs::ResourceAddr;

/// The configuration value derived from an imported object (Terraform's legacy extraction):
/// read-only and deprecated attributes null, an optional and computed root `id` null, and an
/// empty optional string taken for null.
pub(crate) fn config_from_state(block: &Block, state: &Value) -> Value {
    extract(block, state, true)
}

fn extract(block: &Block, state: &Value, root: bool) -> Value {
    let Value::Object(entries) = state else {
        return state.clone();
    };
    let mut out = BTreeMap::new();
    for (name, value) in entries {
        let kept = if let Some(attr) = block.attributes.get(name) {
            let read_only = attr.computed && !attr.optional;
            let legacy_id = root && name == "id" && attr.computed && attr.optional;
            let empty = attr.optional && matches!(value, Value::String(s) if s.is_empty());
            if attr.deprecated || read_only || legacy_id || empty {
                Value::Null
            } else {
                value.clone()
            }
        } else if let Some(nested) = block.block_types.get(name) {
            if nested.block.deprecated {
                Value::Null
            } else {
                map_items(value, |item| extract(&nested.block, item, false))
            }
        } else {
            value.clone()
        };
        out.insert(name.clone(), kept);
    }
    Value::Object(out)
}

/// The configuration the written text stands for: sensitive attributes are written `null`.
pub(crate) fn as_written(block: &Block, config: &Value) -> Value {
    let Value::Object(entries) = config else {
        return config.clone();
    };
    let mut out = entries.clone();
    for (name, value) in &mut out {
        if block.attributes.get(name).is_some_and(|a| a.sensitive) {
            *value = Value::Null;
        } else if let Some(nested) = block.block_types.get(name) {
            *value = map_items(value, |item| as_written(&nested.block, item));
        }
    }
    Value::Object(out)
}

/// Applies `f` to each block object of a nested block value (a single object or a
/// collection of them).
fn map_items(value: &Value, f: impl Fn(&Value) -> Value) -> Value {
    match value {
        Value::Object(_) => f(value),
        Value::List(items) => Value::List(items.iter().map(&f).collect()),
        Value::Set(items) => Value::Set(items.iter().map(&f).collect()),
        Value::Tuple(items) => Value::Tuple(items.iter().map(&f).collect()),
        Value::Map(entries) => Value::Map(entries.iter().map(|(k, v)| (k.clone(), f(v))).collect()),
        other => other.clone(),
    }
}

/// `resource "TYPE" "NAME" { ... }` for one imported object, formatted.
pub(crate) fn resource_block(addr: &ResourceAddr, block: &Block, config: &Value) -> String {
    let mut text = format!("resource {:?} {:?} {{\n", addr.type_name, addr.name);
    write_body(&mut text, block, config);
    text.push_str("}\n");
    formatted(text)
}

/// The name of the generated local value holding the per-key values of a `for_each` import.
pub(crate) fn for_each_local_name(addr: &ResourceAddr) -> String {
    format!("{}_{}_import", addr.type_name, addr.name)
}

/// A `locals` block mapping each key to its object's values, and one `for_each` resource
/// reading them, for the objects an `import` block with `for_each` imports.
pub(crate) fn for_each_blocks(
    addr: &ResourceAddr,
    block: &Block,
    configs: &BTreeMap<String, Value>,
) -> String {
    let local = for_each_local_name(addr);
    let present = present_attributes(block, configs.values());
    let mut text = format!("locals {{\n{local} = {{\n");
    for (key, config) in configs {
        text.push_str(&format!("{} = {{\n", hcl_string(key)));
        // Sensitive values, nested ones included, never reach the locals map.
        write_values(&mut text, block, &as_written(block, config), &present);
        text.push_str("}\n");
    }
    text.push_str("}\n}\n\n");
    text.push_str(&format!(
        "resource {:?} {:?} {{\nfor_each = local.{local}\n",
        addr.type_name, addr.name
    ));
    write_references(&mut text, block, &present, "each.value");
    text.push_str("}\n");
    formatted(text)
}

/// Attributes and blocks as Terraform writes them from an existing object.
fn write_body(text: &mut String, block: &Block, config: &Value) {
    let null = Value::Null;
    let entries = match config {
        Value::Object(entries) => Some(entries),
        _ => None,
    };
    let get = |name: &str| entries.and_then(|e| e.get(name)).unwrap_or(&null);
    for (name, attr) in &block.attributes {
        let value = get(name);
        if (attr.computed && value.is_null()) || attr.deprecated {
            continue;
        }
        if attr.sensitive {
            text.push_str(&format!("{name} = null # sensitive\n"));
        } else {
            text.push_str(&format!("{name} = {}\n", hcl_value(value)));
        }
    }
    for (name, nested) in &block.block_types {
        let value = get(name);
        for (label, item) in block_items(nested.nesting, value) {
            text.push_str(&format!("{name}{label} {{\n"));
            write_body(text, &nested.block, item);
            text.push_str("}\n");
        }
    }
}

/// The blocks of a nested block value, each with its label (` "KEY"` for map nesting).
fn block_items(nesting: Nesting, value: &Value) -> Vec<(String, &Value)> {
    match (nesting, value) {
        (_, Value::Null) => Vec::new(),
        (Nesting::Map, Value::Map(entries) | Value::Object(entries)) => entries
            .iter()
            .map(|(key, item)| (format!(" {}", hcl_string(key)), item))
            .collect(),
        (_, Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
            items.iter().map(|item| (String::new(), item)).collect()
        }
        (_, item) => vec![(String::new(), item)],
    }
}

/// One object's values in the locals map: the `present` attributes (sensitive ones are
/// written in the resource instead) and each nested block as a value.
fn write_values(text: &mut String, block: &Block, config: &Value, present: &BTreeSet<String>) {
    let Value::Object(entries) = config else {
        return;
    };
    for (name, attr) in &block.attributes {
        if attr.sensitive || !present.contains(name) {
            continue;
        }
        let value = entries.get(name).unwrap_or(&Value::Null);
        text.push_str(&format!("{name} = {}\n", hcl_value(value)));
    }
    for name in block.block_types.keys() {
        let value = entries.get(name).unwrap_or(&Value::Null);
        text.push_str(&format!("{name} = {}\n", hcl_value(value)));
    }
}

/// The attributes some object sets (the others are left out of the resource, as they are
/// out of each object's generated block); the others' entries hold null for them.
fn present_attributes<'a>(
    block: &Block,
    configs: impl Iterator<Item = &'a Value>,
) -> BTreeSet<String> {
    let mut present = BTreeSet::new();
    for config in configs {
        let Value::Object(entries) = config else {
            continue;
        };
        for (name, attr) in &block.attributes {
            let value = entries.get(name).unwrap_or(&Value::Null);
            // As in a single generated block: a computed attribute without a value (a
            // sensitive read-only one included) is left to the provider.
            let left_out = attr.computed && value.is_null();
            if !(attr.deprecated || left_out) {
                present.insert(name.clone());
            }
        }
    }
    present
}

/// The resource body reading `source.NAME` for each attribute in `present`, and a `dynamic`
/// block for each nested block type.
fn write_references(text: &mut String, block: &Block, present: &BTreeSet<String>, source: &str) {
    for (name, attr) in &block.attributes {
        if !present.contains(name) {
            continue;
        }
        if attr.sensitive {
            text.push_str(&format!("{name} = null # sensitive\n"));
        } else {
            text.push_str(&format!("{name} = {source}.{name}\n"));
        }
    }
    for (name, nested) in &block.block_types {
        // A single block is present when its value is not null: `[*]` makes it a list of
        // zero or one.
        let items = match nested.nesting {
            Nesting::Single | Nesting::Group => format!("{source}.{name}[*]"),
            _ => format!("{source}.{name}"),
        };
        text.push_str(&format!("\ndynamic {name:?} {{\nfor_each = {items}\n"));
        if nested.nesting == Nesting::Map {
            text.push_str(&format!("labels = [{name}.key]\n"));
        }
        text.push_str("content {\n");
        let inner: BTreeSet<String> = nested
            .block
            .attributes
            .iter()
            .filter(|(_, a)| !a.deprecated && (a.optional || a.required))
            .map(|(n, _)| n.clone())
            .collect();
        write_references(text, &nested.block, &inner, &format!("{name}.value"));
        text.push_str("}\n}\n");
    }
}

/// A value as HCL: literals, `[...]` sequences and `{ ... }` objects, one entry a line.
pub(crate) fn hcl_value(value: &Value) -> String {
    crate::format::literal::value_literal(value, hcl_string)
}

/// A quoted HCL string: JSON escapes plus `$${` and `%%{`, so nothing is interpolated.
pub(crate) fn hcl_string(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    quoted.replace("${", "$${").replace("%{", "%%{")
}

/// Runs `text` through `fmt`; unformattable text (never expected) is kept as is. Without
/// a final newline, as Terraform records generated configuration.
fn formatted(text: String) -> String {
    let formatted = crate::format::format_source(&text).unwrap_or(text);
    formatted.trim_end_matches('\n').to_string()
}

#[cfg(test)]
mod tests;
