//! The `tenant_storage` resource: a tenant's file storage, a directory under the storage root
//! with a quota. Reads report the bytes in use; destroying archives the directory (verified)
//! before removing it.

use tenantform_proto::value::Value;

use super::checks::Check;
use super::common::new_id;
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::PlanRules;
use crate::backend::{Backend, StorageRecord, Store};
use crate::values::{integer_field, required_string};
use tenantform_proto::diagnostic::Diagnostic;

const LABEL: &str = "tenant storage";

/// The `tenant_storage` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct StorageKind;

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

/// `used_bytes` changes outside the provider's control, so an update keeps the value last
/// read rather than planning it unknown: only `quota_gb` makes a change.
impl Kind for StorageKind {
    type Record = StorageRecord;
    const IMPORT: ImportSpec = ImportSpec::new(LABEL, "slug");
    const RULES: PlanRules = PlanRules {
        defaults: &[],
        forces_replacement: &["tenant_id"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = None;
    const KEY_ATTRIBUTES: &'static [&'static str] = &["tenant_id"];
    const NOUN: Option<&'static str> = Some("storage");

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant_storage.json");

    const CHECKS: &'static [Check] = &[Check::AtLeast("quota_gb", 1)];

    fn store(backend: &dyn Backend) -> &dyn Store<StorageRecord> {
        backend.storage()
    }

    fn new_record(planned: &Value, _backend: &dyn Backend) -> Result<StorageRecord, Diagnostic> {
        let quota_gb = planned_quota(planned)?;
        Ok(StorageRecord {
            id: new_id(),
            tenant_id: required_string(planned, "tenant_id")
                .map_err(|e| Diagnostic::error(format!("Invalid planned {LABEL}"), e))?,
            quota_gb,
            path: String::new(),
            used_bytes: 0,
        })
    }

    fn updated(existing: StorageRecord, planned: &Value) -> Result<StorageRecord, Diagnostic> {
        Ok(StorageRecord {
            quota_gb: planned_quota(planned)?,
            ..existing
        })
    }

    /// The planned `used_bytes` of an update is the prior reading; the new state must conform
    /// to the plan, so the fresh measurement waits for the next read.
    fn applied(record: StorageRecord, prior: &Value) -> StorageRecord {
        let prior_used = integer_field(prior, "used_bytes").known().flatten();
        StorageRecord {
            used_bytes: prior_used.unwrap_or(record.used_bytes),
            ..record
        }
    }
}
