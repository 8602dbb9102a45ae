//! The grant record: privileges of a user on a database.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Record;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantRecord {
    pub id: String,
    pub user_id: String,
    pub database_id: String,
    pub privileges: BTreeSet<String>,
}

impl Record for GrantRecord {
    const KIND: &'static str = "tenant grant";
    const RESOURCE: &'static str = "tenant_grant";
    /// The user's id and the database's id.
    type Key<'a> = (&'a str, &'a str);
    /// The user's id.
    type Scope<'a> = &'a str;

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> (&str, &str) {
        (&self.user_id, &self.database_id)
    }
    fn key_label(&self) -> String {
        format!(
            "for user {:?} on database {:?}",
            self.user_id, self.database_id
        )
    }
}
