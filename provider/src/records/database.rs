//! The tenant database record.

use serde::Serialize;

use super::{Dependent, Record};

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

impl Record for DatabaseRecord {
    const KIND: &'static str = "tenant database";
    const RESOURCE: &'static str = "tenant_database";
    const DEPENDENTS: &'static [Dependent] = &[Dependent {
        table: "grants",
        column: "database_id",
        label: "grant(s)",
        live_only: "",
    }];
    /// The tenant's id and the name.
    type Key<'a> = (&'a str, &'a str);
    /// The tenant's id.
    type Scope<'a> = &'a str;

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> (&str, &str) {
        (&self.tenant_id, &self.name)
    }
    fn key_label(&self) -> String {
        format!("{:?}", self.name)
    }
}
