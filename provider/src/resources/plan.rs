//! The plan rules shared by every resource type, following Terraform's resource instance
//! change lifecycle:
//! - a non-null configuration value is planned as is (unknowns included);
//! - a null optional+computed attribute with a default is planned as the default, so
//!   removing an argument returns it to the default;
//! - other computed attributes keep their prior value on update and are unknown on create or
//!   replace;
//! - an attribute that forces replacement and differs from the prior value is returned in
//!   `requires_replace`.

use tenantform_proto::schema::{Nesting, Schema};
use tenantform_proto::value::{AttributePath, Value};

use crate::values::{attr, values_equal};

/// The per-type rules the generic planner needs.
#[derive(Clone, Copy, Debug)]
pub struct PlanRules {
    /// Optional+computed attributes and the value planned when the configuration omits them.
    pub defaults: &'static [(&'static str, DefaultValue)],
    /// Attributes whose change replaces the object.
    pub forces_replacement: &'static [&'static str],
}

/// A default value, as a const-friendly description.
#[derive(Clone, Copy, Debug)]
pub enum DefaultValue {
    String(&'static str),
    Bool(bool),
    Integer(i64),
    /// An empty list (of any element type).
    EmptyList,
}

impl DefaultValue {
    pub fn to_value(self) -> Value {
        match self {
            DefaultValue::String(s) => Value::string(s),
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::Integer(i) => crate::values::int_value(i),
            DefaultValue::EmptyList => Value::List(Vec::new()),
        }
    }
}

impl PlanRules {
    fn default_for(&self, name: &str) -> Option<Value> {
        self.defaults
            .iter()
            .find(|(attribute, _)| *attribute == name)
            .map(|(_, default)| default.to_value())
    }
}

/// The planned state and the replacement paths, for a create (`prior` null) or an update.
pub(super) fn plan_object(
    schema: &Schema,
    rules: &PlanRules,
    prior: &Value,
    config: &Value,
) -> (Value, Vec<AttributePath>) {
    let creating = prior.is_null();
    let mut planned = plan_attributes(schema, rules, prior, config, creating);
    let mut requires_replace = Vec::new();
    if !creating {
        for name in rules.forces_replacement {
            if !values_equal(attr(&planned, name), attr(prior, name)) {
                requires_replace.push(AttributePath::attr(name));
            }
        }
        if !requires_replace.is_empty() {
            planned = plan_attributes(schema, rules, prior, config, true);
        }
    }
    (planned, requires_replace)
}

fn plan_attributes(
    schema: &Schema,
    rules: &PlanRules,
    prior: &Value,
    config: &Value,
    as_new_object: bool,
) -> Value {
    let mut planned = std::collections::BTreeMap::new();
    for (name, attribute) in &schema.block.attributes {
        let configured = attr(config, name);
        let value = if !configured.is_null() {
            configured.clone()
        } else if let Some(default) = rules.default_for(name) {
            default
        } else if !attribute.computed {
            Value::Null
        } else if !as_new_object {
            attr(prior, name).clone()
        } else {
            Value::Unknown
        };
        planned.insert(name.clone(), value);
    }
    for (name, nested) in &schema.block.block_types {
        let configured = attr(config, name);
        let value = match (configured, nested.nesting) {
            // Terraform always sends absent list and set blocks as empty collections.
            (Value::Null, Nesting::List) => Value::List(Vec::new()),
            (Value::Null, Nesting::Set) => Value::Set(Vec::new()),
            (other, _) => other.clone(),
        };
        planned.insert(name.clone(), value);
    }
    Value::Object(planned)
}
