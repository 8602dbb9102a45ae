//! The applier's side of change-scoped planning: the digest of each created, updated or
//! replaced instance's configuration as evaluated while applying (every value known then),
//! and the outputs of each root module call instance, handed to the recorder for the
//! instance record the apply leaves.

use std::collections::BTreeMap;

use tenantform_proto::schema::Schema;

use crate::graph::{Node, NodeId};
use crate::lang::{self, EvalContext};
use crate::plan::ResourceChange;

use super::applier::InstanceApplier;
use super::scope_digest::{DigestInputs, instance_digest};

impl InstanceApplier<'_> {
    /// Hands the recorder the digest of `change`'s configuration evaluated in `ctx`, when it
    /// evaluates and is wholly known (otherwise the record leaves the instance out, and the
    /// next change-scoped plan plans it).
    pub(super) fn note_applied_digest(
        &self,
        id: NodeId,
        change: &ResourceChange,
        ctx: &EvalContext,
        schema: &Schema,
    ) {
        let config = self.scope.module_config(id);
        let Some(resource) = config.resource(&change.addr.resource) else {
            return;
        };
        let Ok(marked) = lang::decode_body_marked(
            &resource.body,
            &schema.block,
            ctx,
            &resource.file,
            &config.sources,
        ) else {
            return;
        };
        let (config_value, marks) = marked.into_parts();
        if !config_value.is_wholly_known() {
            return;
        }
        let mut sensitive_paths = marks.fitted(&config_value).paths(&config_value);
        sensitive_paths.sort();
        let local = &change.provider_local_name;
        let provider_config = self.scope.provider_config(local);
        let providers = self.scope.providers;
        let digest = instance_digest(&DigestInputs {
            type_name: &change.addr.resource.type_name,
            provider_source: &change.provider,
            provider_version: providers.versions.get(local).map_or("", String::as_str),
            provider_config: provider_config.as_ref(),
            config: &config_value,
            sensitive_paths: &sensitive_paths,
            lifecycle: &resource.lifecycle_rules,
            schema_version: schema.version,
            dependencies: &change.dependencies,
        });
        self.recorder.applied_config_digest(&change.addr, digest);
    }
}

impl InstanceApplier<'_> {
    /// Hands the recorder the outputs of every instance of every root module call, as the
    /// walk evaluated them, where all of them are wholly known and none is sensitive (a
    /// change-scoped plan gives them to a module instance it leaves out whole).
    pub(super) fn note_module_outputs(&self) {
        let config = self.scope.config;
        for (call, child) in &config.children {
            let ids: Vec<(&String, Option<NodeId>)> = child
                .outputs
                .keys()
                .map(|name| {
                    let id = self
                        .scope
                        .graph
                        .id_in(&child.path, &Node::Output(name.clone()));
                    (name, id)
                })
                .collect();
            for instance in self.scope.instances_of(std::slice::from_ref(call)).iter() {
                let mut outputs = BTreeMap::new();
                for (name, id) in &ids {
                    let Some(id) = id else { break };
                    let marked = self.scope.get_marked_in(*id, instance);
                    if marked.marks.any() || !marked.value.is_wholly_known() {
                        break;
                    }
                    outputs.insert((*name).clone(), marked.value);
                }
                if outputs.len() == ids.len() {
                    let module = super::scoped::module_key(instance);
                    self.recorder.applied_module_outputs(&module, outputs);
                }
            }
        }
    }
}
