//! The tenant storage record.

use serde::Serialize;

/// A tenant's file storage: a directory under the storage root whose size is accounted
/// against `quota_gb`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StorageRecord {
    pub id: String,
    pub tenant_id: String,
    pub quota_gb: i64,
    /// Absolute path of the directory; assigned by the backend on create.
    pub path: String,
    /// Bytes in use, measured by the backend when the record is read.
    pub used_bytes: i64,
}

record_kind!(StorageRecord {
    kind: "tenant storage",
    resource: "tenant_storage",
    one per tenant,
    dependents: [],
});
