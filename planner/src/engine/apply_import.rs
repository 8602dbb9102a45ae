//! Applying the import an `import` block planned: the imported object (the change's prior
//! object) is recorded in state, durably through the recorder like any other result, before
//! the change itself (none, or an update) is applied.

use crate::diags::Diagnostic;
use crate::plan::{Importing, ResourceChange};

use super::apply_instance::InstanceApplier;
use super::instances::{NewObject, encode_instance};
use super::plan::resource_schema;

impl InstanceApplier<'_> {
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
