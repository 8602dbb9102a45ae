//! The `tenant_storage` resource: a tenant's file storage, a directory under the storage root
//! with a quota. Reads report the bytes in use; destroying archives the directory (verified)
//! before removing it.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block, Schema};
use tenantform_proto::value::{Type, Value};

use super::common::{
    Adoption, apply_outcome, backend_failure, check_integer_at_least, destroy_by_id, new_id,
    plan_with_rules, planned_for_create, read_by_id,
};
use super::import::ImportSpec;
use super::plan::PlanRules;
use super::{ApplyInput, ApplyOutput, PlanInput, PlanOutput, ResourceType};
use crate::backend::{Backend, BackendError, StorageRecord};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::values::{Field, int_value, integer_field, object, required_string, string_field};

const RULES: PlanRules = PlanRules {
    defaults: &[],
    forces_replacement: &["tenant_id"],
};
const LABEL: &str = "tenant storage";
const IMPORT: ImportSpec = ImportSpec {
    what: LABEL,
    natural_key: "slug",
};

/// The `tenant_storage` resource type.
pub struct TenantStorage;

fn schema() -> Schema {
    let attributes = BTreeMap::from([
        (
            "id".to_string(),
            Attribute::computed(Type::String).describe("The storage's id."),
        ),
        (
            "tenant_id".to_string(),
            Attribute::required(Type::String)
                .describe("The owning tenant's id. Changing it replaces the storage."),
        ),
        (
            "quota_gb".to_string(),
            Attribute::required(Type::Number)
                .describe("The quota in GiB, a whole number of at least 1."),
        ),
        (
            "path".to_string(),
            Attribute::computed(Type::String).describe("The storage directory."),
        ),
        (
            "used_bytes".to_string(),
            Attribute::computed(Type::Number)
                .describe("Bytes in use, measured when the storage is read."),
        ),
    ]);
    Schema {
        version: 0,
        block: Block {
            attributes,
            description: "A tenant's file storage: a directory with a quota.".to_string(),
            ..Block::default()
        },
    }
}

/// The state value of a storage record.
pub fn record_to_value(record: &StorageRecord) -> Value {
    object([
        ("id", Value::string(&record.id)),
        ("tenant_id", Value::string(&record.tenant_id)),
        ("quota_gb", int_value(record.quota_gb)),
        ("path", Value::string(&record.path)),
        ("used_bytes", int_value(record.used_bytes)),
    ])
}

fn planned_quota(planned: &Value) -> Result<i64, Diagnostic> {
    integer_field(planned, "quota_gb")
        .known()
        .flatten()
        .ok_or_else(|| {
            Diagnostic::error(
                format!("Invalid planned {LABEL}"),
                "quota_gb is not a known whole number",
            )
        })
}

impl TenantStorage {
    fn create_or_adopt(
        &self,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<StorageRecord, Diagnostic> {
        let failure =
            |error: BackendError| backend_failure(format!("Failed to create {LABEL}"), &error);
        let quota_gb = planned_quota(planned)?;
        if let Some(id) = string_field(planned, "id").known()
            && let Some(existing) = backend.storage().get(&id).map_err(failure)?
        {
            return backend
                .storage()
                .update(&StorageRecord {
                    quota_gb,
                    ..existing
                })
                .map_err(failure);
        }
        let record = StorageRecord {
            id: new_id(),
            tenant_id: required_string(planned, "tenant_id")
                .map_err(|e| Diagnostic::error(format!("Invalid planned {LABEL}"), e))?,
            quota_gb,
            path: String::new(),
            used_bytes: 0,
        };
        backend.storage().create(&record).map_err(failure)
    }

    fn update(
        &self,
        prior: &Value,
        planned: &Value,
        backend: &dyn Backend,
    ) -> Result<StorageRecord, Diagnostic> {
        let failure =
            |error: BackendError| backend_failure(format!("Failed to update {LABEL}"), &error);
        let id = string_field(prior, "id").known().unwrap_or_default();
        let existing = backend
            .storage()
            .get(&id)
            .map_err(failure)?
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Failed to update {LABEL}"),
                    "The storage no longer exists; refresh and plan again to re-create it.",
                )
            })?;
        backend
            .storage()
            .update(&StorageRecord {
                quota_gb: planned_quota(planned)?,
                ..existing
            })
            .map_err(failure)
    }
}

impl ResourceType for TenantStorage {
    fn type_name(&self) -> &'static str {
        "tenant_storage"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        check_integer_at_least(config, "quota_gb", 1, &mut diagnostics);
        diagnostics
    }

    /// `used_bytes` changes outside the provider's control, so an update keeps the value last
    /// read rather than planning it unknown: only `quota_gb` makes a change.
    fn plan(&self, input: PlanInput<'_>, backend: Option<&dyn Backend>) -> PlanOutput {
        let validation = self.validate(input.config);
        plan_with_rules(&schema(), &RULES, input, validation, |planned| {
            let (Some(backend), Field::Known(tenant_id)) =
                (backend, string_field(planned, "tenant_id"))
            else {
                return Ok(None);
            };
            Ok(backend
                .storage()
                .find(&tenant_id)?
                .map(|existing| Adoption {
                    id: existing.id,
                    label: LABEL.to_string(),
                }))
        })
    }

    fn apply(&self, input: ApplyInput<'_>, backend: &dyn Backend) -> ApplyOutput {
        if input.planned.is_null() {
            return destroy_by_id(input.prior, format!("Failed to delete {LABEL}"), |id| {
                backend.storage().delete(id)
            });
        }
        let result = if input.prior.is_null() {
            self.create_or_adopt(&planned_for_create(&input), backend)
        } else {
            self.update(input.prior, input.planned, backend)
        };
        // The planned `used_bytes` of an update is the prior reading; the new state must
        // conform to the plan, so the fresh measurement waits for the next read.
        let prior_used = integer_field(input.prior, "used_bytes").known().flatten();
        apply_outcome(input.prior, result, |record| {
            record_to_value(&StorageRecord {
                used_bytes: prior_used.unwrap_or(record.used_bytes),
                ..record.clone()
            })
        })
    }

    fn read(&self, state: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        read_by_id(
            state,
            format!("Failed to read {LABEL}"),
            |id| backend.storage().get(id),
            record_to_value,
        )
    }

    fn import(&self, id: &str, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        IMPORT.import(
            id,
            backend,
            |id| backend.storage().get(id),
            |tenant, _| backend.storage().find(&tenant.id),
            record_to_value,
        )
    }
}
