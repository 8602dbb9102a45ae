//! Applying the import an `import` block planned: the imported object (the change's prior
//! object) is recorded in state, durably through the recorder like any other result, before
//! the change itself (none, or an update) is applied. Imports whose configuration was
//! generated into a file the saved plan does not hold are recorded after the walk.

use crate::config::Config;
use crate::diags::Diagnostic;
use crate::plan::{Action, Importing, Plan, ResourceChange};

use super::applier::InstanceApplier;
use super::instances::{NewObject, encode_instance};
use super::plan::{in_config, resource_schema};

impl InstanceApplier<'_> {
    /// Records the imports of a saved plan whose configuration was generated: their resource
    /// has no block in the plan's configuration, and the object does not change (as Terraform
    /// applies them).
    pub(super) fn record_unconfigured_imports(&self, config: &Config, plan: &Plan) {
        for change in &plan.changes {
            let Some(importing) = &change.importing else {
                continue;
            };
            if change.action != Action::NoOp || in_config(config, &change.addr) {
                continue;
            }
            if self.stopping() {
                self.skip();
                continue;
            }
            self.record_import(change, importing);
        }
    }

    /// Records the imported object of `change`; false when it could not be (reported).
    pub(super) fn record_import(&self, change: &ResourceChange, importing: &Importing) -> bool {
        self.hooks.importing(&change.addr, &importing.id);
        let schema = match resource_schema(
            self.scope.providers,
            &change.provider_local_name,
            &change.addr.resource.type_name,
            None,
        ) {
            Ok(schema) => schema,
            Err(diags) => {
                self.scope.report(diags);
                return false;
            }
        };
        let instance = encode_instance(NewObject {
            provider: &change.provider,
            schema,
            value: &change.prior,
            also_sensitive: &change.sensitive_paths,
            private: change.prior_private.clone(),
            dependencies: change.dependencies.clone(),
            create_before_destroy: false,
            tainted: false,
        });
        let instance = match instance {
            Ok(instance) => instance,
            Err(e) => {
                self.scope.report_one(Diagnostic::error(
                    "Cannot store the imported object",
                    format!(
                        "The object imported for {} cannot be stored: {e}",
                        change.addr
                    ),
                ));
                return false;
            }
        };
        if !self.record(&change.addr, Some(instance)) {
            return false;
        }
        self.hooks.imported(&change.addr, &importing.id);
        true
    }
}
