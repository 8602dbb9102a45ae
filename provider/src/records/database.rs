//! The tenant database record.

use serde::Serialize;

use super::Dependent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatabaseRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub connection_limit: i64,
    pub schema: String,
    pub owner_role: String,
    /// Assigned by the backend on create.
    pub connection_uri: String,
}

record_kind!(DatabaseRecord {
    kind: "tenant database",
    resource: "tenant_database",
    named by name within tenant,
    dependents: [Dependent::referencing("grants", "database_id", "grant(s)")],
});
