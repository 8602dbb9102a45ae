//! The tenant storage record.

use serde::Serialize;

use super::Record;

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

impl Record for StorageRecord {
    const KIND: &'static str = "tenant storage";
    const RESOURCE: &'static str = "tenant_storage";
    /// The tenant's id: one storage per tenant.
    type Key<'a> = &'a str;
    /// The tenant's id.
    type Scope<'a> = &'a str;

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> &str {
        &self.tenant_id
    }
    fn key_label(&self) -> String {
        format!("of tenant {:?}", self.tenant_id)
    }
}
