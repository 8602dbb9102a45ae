//! The grant record: privileges of a user on a database.

use std::collections::BTreeSet;

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantRecord {
    pub id: String,
    pub user_id: String,
    pub database_id: String,
    pub privileges: BTreeSet<String>,
}

record_kind!(GrantRecord {
    kind: "tenant grant",
    resource: "tenant_grant",
    key: (user_id, database_id): (&'a str, &'a str),
    scope: &'a str,
    label: |record| format!(
        "for user {:?} on database {:?}",
        record.user_id, record.database_id
    ),
    dependents: [],
});
