//! The resources and data sources of the stored state, as the console sees them: each
//! instance's attributes decoded with its provider's schema and marked sensitive where the
//! state says so, shaped by its keys (an object alone, a tuple by `count` index, an object by
//! `for_each` key), as in Terraform's console after an apply.

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::value::Value;

use crate::addrs::{InstanceKey, ResourceAddr};
use crate::cli::{Failure, common};
use crate::config::Config;
use crate::lang::{EvalContext, Sensitivity, Subject};
use crate::providers::Providers;
use crate::state::{self, State};

/// Adds the root module's stored resources to `ctx`. Providers are only started when the
/// state holds resources.
pub(super) async fn add_stored_resources(
    config: &Config,
    state: &State,
    ctx: &mut EvalContext,
) -> Result<(), Failure> {
    let root = state
        .instances
        .iter()
        .filter(|(addr, _)| addr.module.is_empty());
    if root.clone().next().is_none() {
        return Ok(());
    }
    let providers = common::start_providers(config).await?;
    let grouped = instance_values(&providers, root);
    common::close_providers(&providers).await;
    for (addr, instances) in grouped {
        let (value, marks) = shape(instances);
        ctx.set_marks(Subject::Resource(addr.clone()), marks);
        Arc::make_mut(&mut ctx.resources).insert(addr, value);
    }
    Ok(())
}

type Instances = Vec<(InstanceKey, Value, Sensitivity)>;

/// Every decodable instance's value and marks, by resource.
fn instance_values<'a>(
    providers: &Providers,
    instances: impl Iterator<Item = (&'a crate::addrs::InstanceAddr, &'a state::InstanceState)>,
) -> BTreeMap<ResourceAddr, Instances> {
    let mut grouped: BTreeMap<ResourceAddr, Instances> = BTreeMap::new();
    for (addr, instance) in instances {
        let Some(schema) = providers
            .sources
            .iter()
            .find(|(_, source)| **source == instance.provider)
            .and_then(|(local, _)| providers.schemas.get(local))
            .and_then(|schema| match addr.resource.mode {
                crate::addrs::ResourceMode::Managed => {
                    schema.resources.get(&addr.resource.type_name)
                }
                crate::addrs::ResourceMode::Data => {
                    schema.data_sources.get(&addr.resource.type_name)
                }
            })
        else {
            continue;
        };
        let Ok(value) = instance.attributes.decode(&schema.block.implied_type()) else {
            continue;
        };
        let paths = state::sensitive::decode_stored(&instance.sensitive_attributes);
        let marks = Sensitivity::from_paths(&paths).fitted(&value);
        grouped
            .entry(addr.resource.clone())
            .or_default()
            .push((addr.key.clone(), value, marks));
    }
    grouped
}

/// A resource's value from its instances: the object of a single instance, a tuple by
/// index, or an object by key.
fn shape(mut instances: Instances) -> (Value, Sensitivity) {
    if let [(InstanceKey::None, _, _)] = instances.as_slice() {
        let (_, value, marks) = instances.remove(0);
        return (value, marks);
    }
    if instances
        .iter()
        .all(|(key, _, _)| matches!(key, InstanceKey::Int(_)))
    {
        instances.sort_by_key(|(key, _, _)| match key {
            InstanceKey::Int(i) => *i,
            _ => 0,
        });
        let (values, marks): (Vec<Value>, Vec<Sensitivity>) =
            instances.into_iter().map(|(_, v, m)| (v, m)).unzip();
        return (Value::Tuple(values), Sensitivity::elements(marks));
    }
    let mut values = BTreeMap::new();
    let mut marks = BTreeMap::new();
    for (key, value, mark) in instances {
        let name = match key {
            InstanceKey::Str(s) => s,
            InstanceKey::Int(i) => i.to_string(),
            InstanceKey::None => String::new(),
        };
        values.insert(name.clone(), value);
        marks.insert(name, mark);
    }
    (Value::Object(values), Sensitivity::attributes(marks))
}

#[cfg(test)]
mod tests;
