//! Values the timing examples share: each resource type's value type, a configuration
//! object with only some attributes set, and its wire encoding.

use std::collections::BTreeMap;

use tenantform_proto::dynamic::to_dynamic;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::value::{Type, Value};
use terraform_provider_tenant::resources::all_resource_types;

pub(crate) type Failure = Box<dyn std::error::Error>;

/// The value type of each resource type.
pub(crate) fn value_types() -> BTreeMap<&'static str, Type> {
    all_resource_types()
        .into_iter()
        .map(|(name, resource)| (name, resource.schema().block.implied_type()))
        .collect()
}

/// An object of type `ty` whose attributes are null but for `set` (and empty lists).
pub(crate) fn config(ty: &Type, set: &[(&str, Value)]) -> Value {
    let Type::Object(attributes) = ty else {
        return Value::Null;
    };
    let mut object: BTreeMap<String, Value> = attributes
        .iter()
        .map(|(name, attribute)| {
            let empty = match attribute {
                Type::List(_) => Value::List(Vec::new()),
                _ => Value::Null,
            };
            (name.clone(), empty)
        })
        .collect();
    for (name, value) in set {
        object.insert((*name).to_string(), value.clone());
    }
    Value::Object(object)
}

pub(crate) fn dynamic(value: &Value, ty: &Type) -> Result<Option<wire::DynamicValue>, Failure> {
    Ok(Some(to_dynamic(value, ty)?))
}
