//! GenerateResourceConfig: the configuration of an imported object, from its state, for
//! `plan -generate-config-out`. What only the provider computes (`id`, `created_at`, the
//! derived names and secrets) is left out; everything a configuration may set is kept, in
//! nested blocks too.

use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::Value;

/// `state` with every computed-only attribute set to null.
pub(super) fn config_from_state(block: &Block, state: &Value) -> Value {
    let Value::Object(fields) = state else {
        return state.clone();
    };
    let mut config = fields.clone();
    for (name, attribute) in &block.attributes {
        if attribute.computed && !attribute.optional && !attribute.required {
            config.insert(name.clone(), Value::Null);
        }
    }
    for (name, nested) in &block.block_types {
        let Some(value) = fields.get(name) else {
            continue;
        };
        let each = |items: &[Value]| -> Vec<Value> {
            items
                .iter()
                .map(|item| config_from_state(&nested.block, item))
                .collect()
        };
        let generated = match (nested.nesting, value) {
            (Nesting::List, Value::List(items)) => Value::List(each(items)),
            (Nesting::Set, Value::Set(items)) => Value::Set(each(items)),
            (Nesting::Single | Nesting::Group, item) => config_from_state(&nested.block, item),
            (_, other) => other.clone(),
        };
        config.insert(name.clone(), generated);
    }
    Value::Object(config)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tenantform_proto::schema::{Attribute, NestedBlock};
    use tenantform_proto::value::Type;

    use super::*;

    #[test]
    fn computed_only_attributes_are_left_out_in_nested_blocks_too() {
        let contact = Block {
            attributes: BTreeMap::from([
                ("email".to_string(), Attribute::required(Type::String)),
                ("verified".to_string(), Attribute::computed(Type::Bool)),
            ]),
            ..Block::default()
        };
        let block = Block {
            attributes: BTreeMap::from([
                ("id".to_string(), Attribute::computed(Type::String)),
                ("slug".to_string(), Attribute::required(Type::String)),
                (
                    "tier".to_string(),
                    Attribute::optional_computed(Type::String),
                ),
            ]),
            block_types: BTreeMap::from([(
                "contact".to_string(),
                NestedBlock {
                    nesting: Nesting::List,
                    block: contact,
                    min_items: 0,
                    max_items: 0,
                },
            )]),
            ..Block::default()
        };
        let object = |entries: &[(&str, Value)]| {
            Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            )
        };
        let state = object(&[
            ("id", Value::string("t-1")),
            ("slug", Value::string("acme")),
            ("tier", Value::string("free")),
            (
                "contact",
                Value::List(vec![object(&[
                    ("email", Value::string("a@x")),
                    ("verified", Value::Bool(true)),
                ])]),
            ),
        ]);
        let expected = object(&[
            ("id", Value::Null),
            ("slug", Value::string("acme")),
            ("tier", Value::string("free")),
            (
                "contact",
                Value::List(vec![object(&[
                    ("email", Value::string("a@x")),
                    ("verified", Value::Null),
                ])]),
            ),
        ]);
        assert_eq!(config_from_state(&block, &state), expected);
    }
}
