//! The tenant user record.

use serde::Serialize;

use super::Dependent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub login: String,
    /// Sessions the user may hold at once; -1 for no limit.
    pub connection_limit: i64,
    /// A salted hash (see `secrets`), never the plaintext.
    #[serde(skip_serializing)]
    pub password_hash: String,
}

record_kind!(UserRecord {
    kind: "tenant user",
    resource: "tenant_user",
    named by email within tenant,
    dependents: [Dependent::referencing("grants", "user_id", "grant(s)")],
});
