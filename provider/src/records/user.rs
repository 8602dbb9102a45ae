//! The tenant user record.

use serde::Serialize;

use super::{Dependent, Record};

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

impl Record for UserRecord {
    const KIND: &'static str = "tenant user";
    const RESOURCE: &'static str = "tenant_user";
    const DEPENDENTS: &'static [Dependent] = &[Dependent {
        table: "grants",
        column: "user_id",
        label: "grant(s)",
        live_only: "",
    }];
    /// The tenant's id and the email.
    type Key<'a> = (&'a str, &'a str);
    /// The tenant's id.
    type Scope<'a> = &'a str;

    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> (&str, &str) {
        (&self.tenant_id, &self.email)
    }
    fn key_label(&self) -> String {
        format!("{:?}", self.email)
    }
}
