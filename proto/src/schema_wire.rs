//! Conversions between the plain schema types of [`crate::schema`] and the generated
//! `tfplugin6` schema messages, both ways. Attribute types travel as JSON-encoded cty types.

use std::collections::BTreeMap;

use crate::schema::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
use crate::tfplugin6 as wire;
use crate::tfplugin6::schema::nested_block::NestingMode as BlockNesting;
use crate::tfplugin6::schema::object::NestingMode as ObjectNesting;
use crate::value::{Type, ValueError, parse_type_json, type_to_json};

/// The `GetProviderSchema` response that declares `schema`.
pub fn provider_schema_to_wire(schema: &ProviderSchema) -> wire::get_provider_schema::Response {
    wire::get_provider_schema::Response {
        provider: Some(schema_to_wire(&schema.provider)),
        resource_schemas: schemas_to_wire(&schema.resources),
        data_source_schemas: schemas_to_wire(&schema.data_sources),
        ..Default::default()
    }
}

/// The schema a `GetProviderSchema` response declares. Diagnostics and capabilities in the
/// response are left to the caller.
pub fn provider_schema_from_wire(
    response: &wire::get_provider_schema::Response,
) -> Result<ProviderSchema, ValueError> {
    Ok(ProviderSchema {
        provider: match &response.provider {
            Some(schema) => schema_from_wire(schema)?,
            None => Schema::default(),
        },
        resources: schemas_from_wire(&response.resource_schemas)?,
        data_sources: schemas_from_wire(&response.data_source_schemas)?,
    })
}

pub fn schema_to_wire(schema: &Schema) -> wire::Schema {
    let mut block = block_to_wire(&schema.block);
    block.version = schema.version;
    wire::Schema {
        version: schema.version,
        block: Some(block),
    }
}

pub fn schema_from_wire(schema: &wire::Schema) -> Result<Schema, ValueError> {
    Ok(Schema {
        version: schema.version,
        block: match &schema.block {
            Some(block) => block_from_wire(block)?,
            None => Block::default(),
        },
    })
}

pub fn block_to_wire(block: &Block) -> wire::schema::Block {
    wire::schema::Block {
        version: 0,
        attributes: block
            .attributes
            .iter()
            .map(|(name, attribute)| attribute_to_wire(name, attribute))
            .collect(),
        block_types: block
            .block_types
            .iter()
            .map(|(name, nested)| nested_block_to_wire(name, nested))
            .collect(),
        description: block.description.clone(),
        description_kind: wire::StringKind::Plain.into(),
        deprecated: block.deprecated,
    }
}

pub fn block_from_wire(block: &wire::schema::Block) -> Result<Block, ValueError> {
    let mut attributes = BTreeMap::new();
    for attribute in &block.attributes {
        attributes.insert(attribute.name.clone(), attribute_from_wire(attribute)?);
    }
    let mut block_types = BTreeMap::new();
    for nested in &block.block_types {
        block_types.insert(nested.type_name.clone(), nested_block_from_wire(nested)?);
    }
    Ok(Block {
        attributes,
        block_types,
        description: block.description.clone(),
        deprecated: block.deprecated,
    })
}

fn attribute_to_wire(name: &str, attribute: &Attribute) -> wire::schema::Attribute {
    wire::schema::Attribute {
        name: name.to_string(),
        r#type: type_to_json(&attribute.ty).to_string().into_bytes(),
        nested_type: None,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: wire::StringKind::Plain.into(),
        deprecated: attribute.deprecated,
        write_only: false,
    }
}

/// An attribute from the wire. A nested attribute type (`nested_type`) becomes the object
/// type its values conform to.
fn attribute_from_wire(attribute: &wire::schema::Attribute) -> Result<Attribute, ValueError> {
    let ty = match &attribute.nested_type {
        Some(object) if attribute.r#type.is_empty() => object_type(object)?,
        _ => parse_type_json(&attribute.r#type)?,
    };
    Ok(Attribute {
        ty,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        deprecated: attribute.deprecated,
    })
}

fn object_type(object: &wire::schema::Object) -> Result<Type, ValueError> {
    let mut attributes = BTreeMap::new();
    for attribute in &object.attributes {
        attributes.insert(attribute.name.clone(), attribute_from_wire(attribute)?.ty);
    }
    let inner = Type::Object(attributes);
    Ok(match ObjectNesting::try_from(object.nesting) {
        Ok(ObjectNesting::List) => Type::List(Box::new(inner)),
        Ok(ObjectNesting::Set) => Type::Set(Box::new(inner)),
        Ok(ObjectNesting::Map) => Type::Map(Box::new(inner)),
        Ok(ObjectNesting::Single) => inner,
        Ok(ObjectNesting::Invalid) | Err(_) => {
            return Err(ValueError::TypeJson(format!(
                "nested attribute type has invalid nesting mode {}",
                object.nesting
            )));
        }
    })
}

fn nested_block_to_wire(name: &str, nested: &NestedBlock) -> wire::schema::NestedBlock {
    let nesting = match nested.nesting {
        Nesting::Single => BlockNesting::Single,
        Nesting::List => BlockNesting::List,
        Nesting::Set => BlockNesting::Set,
        Nesting::Map => BlockNesting::Map,
        Nesting::Group => BlockNesting::Group,
    };
    wire::schema::NestedBlock {
        type_name: name.to_string(),
        block: Some(block_to_wire(&nested.block)),
        nesting: nesting.into(),
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

fn nested_block_from_wire(nested: &wire::schema::NestedBlock) -> Result<NestedBlock, ValueError> {
    let nesting = match BlockNesting::try_from(nested.nesting) {
        Ok(BlockNesting::Single) => Nesting::Single,
        Ok(BlockNesting::List) => Nesting::List,
        Ok(BlockNesting::Set) => Nesting::Set,
        Ok(BlockNesting::Map) => Nesting::Map,
        Ok(BlockNesting::Group) => Nesting::Group,
        Ok(BlockNesting::Invalid) | Err(_) => {
            return Err(ValueError::TypeJson(format!(
                "nested block {:?} has invalid nesting mode {}",
                nested.type_name, nested.nesting
            )));
        }
    };
    Ok(NestedBlock {
        nesting,
        block: match &nested.block {
            Some(block) => block_from_wire(block)?,
            None => Block::default(),
        },
        min_items: nested.min_items,
        max_items: nested.max_items,
    })
}

fn schemas_to_wire(
    schemas: &BTreeMap<String, Schema>,
) -> std::collections::HashMap<String, wire::Schema> {
    schemas
        .iter()
        .map(|(name, schema)| (name.clone(), schema_to_wire(schema)))
        .collect()
}

fn schemas_from_wire(
    schemas: &std::collections::HashMap<String, wire::Schema>,
) -> Result<BTreeMap<String, Schema>, ValueError> {
    schemas
        .iter()
        .map(|(name, schema)| Ok((name.clone(), schema_from_wire(schema)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_attribute(name: &str, type_json: &str) -> wire::schema::Attribute {
        wire::schema::Attribute {
            name: name.to_string(),
            r#type: type_json.as_bytes().to_vec(),
            optional: true,
            ..Default::default()
        }
    }

    #[test]
    fn nested_block_modes_survive_a_round_trip() {
        for nesting in [
            Nesting::Single,
            Nesting::List,
            Nesting::Set,
            Nesting::Map,
            Nesting::Group,
        ] {
            let nested = NestedBlock {
                nesting,
                block: Block::default(),
                min_items: 1,
                max_items: 3,
            };
            let back = nested_block_from_wire(&nested_block_to_wire("contact", &nested))
                .expect("valid nesting");
            assert_eq!(back.nesting, nesting);
            assert_eq!((back.min_items, back.max_items), (1, 3));
        }
    }

    #[test]
    fn invalid_nesting_is_an_error() {
        let nested = wire::schema::NestedBlock {
            type_name: "x".into(),
            ..Default::default()
        };
        assert!(nested_block_from_wire(&nested).is_err());
    }

    #[test]
    fn block_keeps_names_flags_and_description() {
        let block = wire::schema::Block {
            attributes: vec![wire::schema::Attribute {
                sensitive: true,
                description: "the secret".into(),
                ..wire_attribute("secret", "\"string\"")
            }],
            description: "a block".into(),
            deprecated: true,
            ..Default::default()
        };
        let decoded = block_from_wire(&block).expect("valid block");
        let secret = &decoded.attributes["secret"];
        assert_eq!(secret.ty, Type::String);
        assert!(secret.sensitive && secret.optional && !secret.required);
        assert_eq!(secret.description, "the secret");
        assert_eq!(decoded.description, "a block");
        assert!(decoded.deprecated);
    }

    #[test]
    fn provider_schema_round_trips() {
        let mut contact = Block::default();
        contact
            .attributes
            .insert("email".into(), Attribute::required(Type::String));
        let mut tenant = Block::default();
        tenant
            .attributes
            .insert("id".into(), Attribute::computed(Type::String));
        tenant.attributes.insert(
            "labels".into(),
            Attribute::optional(Type::Map(Box::new(Type::String))),
        );
        tenant.block_types.insert(
            "contact".into(),
            NestedBlock {
                nesting: Nesting::List,
                block: contact,
                min_items: 0,
                max_items: 0,
            },
        );
        let mut schema = ProviderSchema::default();
        schema.resources.insert(
            "tenant".into(),
            Schema {
                version: 2,
                block: tenant.clone(),
            },
        );

        let response = provider_schema_to_wire(&schema);
        let wire_tenant = &response.resource_schemas["tenant"];
        assert_eq!(wire_tenant.version, 2);
        assert_eq!(
            wire_tenant.block.as_ref().map(|block| block.version),
            Some(2)
        );

        let back = provider_schema_from_wire(&response).expect("decodes");
        let back_tenant = &back.resources["tenant"];
        assert_eq!(back_tenant.version, 2);
        assert_eq!(back_tenant.block.implied_type(), tenant.implied_type());
        assert!(back_tenant.block.attributes["id"].computed);
        assert_eq!(
            back_tenant.block.block_types["contact"].nesting,
            Nesting::List
        );
    }

    #[test]
    fn nested_attribute_types_become_object_types() {
        let attribute = wire::schema::Attribute {
            name: "rules".into(),
            nested_type: Some(wire::schema::Object {
                attributes: vec![wire_attribute("port", "\"number\"")],
                nesting: ObjectNesting::Set.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let decoded = attribute_from_wire(&attribute).expect("decodes");
        let port = BTreeMap::from([("port".to_string(), Type::Number)]);
        assert_eq!(decoded.ty, Type::Set(Box::new(Type::Object(port))));
    }
}
