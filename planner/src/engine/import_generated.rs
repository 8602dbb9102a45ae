//! `plan -generate-config-out`: the import blocks of the root module whose target has no
//! resource block. Each object is imported, its configuration generated from it (see
//! `generate_config`), and its change planned against the configuration the generated text
//! stands for, so the plan shows what applying with the written file will do.

use std::collections::BTreeMap;

use tenantform_proto::schema::Block;
use tenantform_proto::value::Value;

use crate::addrs::InstanceKey;
use crate::config::Import;
use crate::diags::Diagnostics;
use crate::plan::{Importing, PlanMode};

use super::generate_config::{as_written, config_from_state, for_each_blocks, resource_block};
use super::import_blocks::{ImportTarget, PendingImport, evaluate_import};
use super::instances::PriorObject;
use super::plan::{Planner, resource_schema};
use super::plan_instance::Subject;

impl Planner<'_> {
    /// Plans every import whose configuration is generated (only with
    /// `-generate-config-out`).
    pub(super) async fn plan_generated_imports(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let config = self.scope.config;
        if !self.options.generate_config || self.options.mode != PlanMode::Normal {
            return diags;
        }
        for import in &config.imports {
            let has_block = config.resource(&import.to.resource).is_some();
            if !import.to.modules.is_empty() || has_block {
                continue;
            }
            if let Err(errors) = self.plan_generated(import).await {
                diags.extend(errors);
            }
        }
        diags
    }

    async fn plan_generated(&self, import: &Import) -> Result<(), Diagnostics> {
        let local = import.to.resource.implied_provider().to_string();
        self.scope.configure_unlisted(&local).await?;
        let range = Some(import.to_range.clone());
        let client = self.scope.client(&local, range.clone())?;
        let type_name = &import.to.resource.type_name;
        let schema = resource_schema(self.scope.providers, &local, type_name, range.clone())?;
        let subject = |addr| Subject {
            addr,
            client,
            schema,
            local_name: local.clone(),
            range: range.clone(),
            dependencies: Vec::new(),
            lifecycle: None,
        };
        let mut imported = Vec::new();
        for target in evaluate_import(&self.scope, import)? {
            if self.state.instances.contains_key(&target.addr) {
                continue;
            }
            let subject = subject(target.addr.clone());
            let prior = self.import_prior(&subject, &pending(&target)).await?;
            let config = self.generated_config(&subject, &prior.value).await?;
            imported.push((subject, target.id, prior, config));
        }
        let Some(text) = generated_text(import, &schema.block, &imported) else {
            return Ok(());
        };
        for (subject, id, prior, config) in imported {
            let written = as_written(&schema.block, &config);
            let mut change = self
                .plan_update(&subject, Some(prior), written, None)
                .await?;
            change.importing = Some(Importing { id });
            change.generated_config = Some(text.clone());
            self.finish(&subject, change);
        }
        Ok(())
    }

    /// The configuration of an imported object: the provider's own (GenerateResourceConfig)
    /// when it declares the capability, as Terraform asks it, or else Terraform's fallback,
    /// derived from the state.
    async fn generated_config(
        &self,
        subject: &Subject<'_>,
        state: &Value,
    ) -> Result<Value, Diagnostics> {
        if !subject.client.generates_resource_config() {
            return Ok(config_from_state(&subject.schema.block, state));
        }
        let (config, diagnostics) = subject
            .client
            .generate_resource_config(&subject.addr.resource.type_name, state)
            .await
            .map_err(|e| self.failure(subject, &e))?;
        self.scope.check(super::diagnostics::provider_diagnostics(
            &subject.addr.to_string(),
            diagnostics,
            subject.range.clone(),
        ))?;
        Ok(config)
    }
}

/// An imported object with its subject, import id and derived configuration.
type Generated<'s> = (Subject<'s>, String, PriorObject, Value);

fn pending(target: &ImportTarget) -> PendingImport {
    PendingImport {
        id: target.id.clone(),
        range: target.range.clone(),
    }
}

/// The configuration text of an import block's objects: one resource block, or for a
/// `for_each` import one `for_each` resource and its `locals` map; `None` for no object.
fn generated_text(import: &Import, block: &Block, imported: &[Generated<'_>]) -> Option<String> {
    let (_, _, _, first) = imported.first()?;
    if import.for_each.is_none() {
        return Some(resource_block(&import.to.resource, block, first));
    }
    let configs: BTreeMap<String, Value> = imported
        .iter()
        .map(|(subject, _, _, config)| (key_text(&subject.addr.key), config.clone()))
        .collect();
    Some(for_each_blocks(&import.to.resource, block, &configs))
}

/// The text of an instance key, as the generated `locals` map is keyed.
fn key_text(key: &InstanceKey) -> String {
    match key {
        InstanceKey::Str(s) => s.clone(),
        InstanceKey::Int(i) => i.to_string(),
        InstanceKey::None => String::new(),
    }
}
