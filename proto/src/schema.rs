//! Provider schemas as plain Rust types: what a provider declares in `GetProviderSchema`.
//! Conversions to and from the generated wire messages live in `schema_wire`.

use std::collections::BTreeMap;

use crate::value::Type;

/// Everything a provider declares.
#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
}

/// A versioned block schema (the version drives `UpgradeResourceState`).
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: BTreeMap<String, Attribute>,
    pub block_types: BTreeMap<String, NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub ty: Type,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
    Group,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

impl Attribute {
    /// An attribute the configuration must set.
    pub fn required(ty: Type) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::computed(ty)
        }
        .not_computed()
    }

    /// An attribute the configuration may set.
    pub fn optional(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::computed(ty)
        }
        .not_computed()
    }

    /// An attribute the configuration may set and the provider fills in when it does not.
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::computed(ty)
        }
    }

    /// An attribute only the provider sets.
    pub fn computed(ty: Type) -> Attribute {
        Attribute {
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: true,
            sensitive: false,
            deprecated: false,
        }
    }

    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    pub fn describe(mut self, text: &str) -> Attribute {
        self.description = text.to_string();
        self
    }

    fn not_computed(mut self) -> Attribute {
        self.computed = false;
        self
    }
}

impl Block {
    /// The object type of values that conform to this block.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|(name, attr)| (name.clone(), attr.ty.clone()))
            .collect();
        for (name, nested) in &self.block_types {
            let inner = nested.block.implied_type();
            let ty = match nested.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::List(Box::new(inner)),
                Nesting::Set => Type::Set(Box::new(inner)),
                Nesting::Map => Type::Map(Box::new(inner)),
            };
            attrs.insert(name.clone(), ty);
        }
        Type::Object(attrs)
    }
}
