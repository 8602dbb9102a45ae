//! The applier's side of change-scoped planning: the digest of each created, updated or
//! replaced instance's configuration as evaluated while applying (every value known then),
//! handed to the recorder for the instance record the apply leaves.

use tenantform_proto::schema::Schema;

use crate::graph::NodeId;
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
