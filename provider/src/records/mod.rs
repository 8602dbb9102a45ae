//! The plain records the backends store, one module per kind, and the [`Record`] trait that
//! describes each kind once: its name in messages and in the audit log, its id, its natural
//! key, the scope it is listed in and the kinds that depend on it.

#[macro_use]
mod kind;

mod api_key;
mod database;
mod grant;
mod policy;
mod storage;
mod tenant;
mod user;

use serde::Serialize;

use crate::backend::BackendError;

pub use api_key::ApiKeyRecord;
pub use database::DatabaseRecord;
pub use grant::GrantRecord;
pub use policy::PolicyRecord;
pub use storage::StorageRecord;
pub use tenant::{Contact, SUSPENDED_STATUS, TenantFilter, TenantRecord};
pub use user::UserRecord;

/// A kind of object that must be gone before an object it references can be deleted.
#[derive(Clone, Copy, Debug)]
pub struct Dependent {
    /// The catalog table holding the dependents.
    pub table: &'static str,
    /// The column of that table naming the referenced object.
    pub column: &'static str,
    /// How a count of them reads in messages, e.g. `grant(s)`.
    pub label: &'static str,
    /// Extra condition a row must meet to count (e.g. a key not revoked); empty for none.
    pub live_only: &'static str,
}

/// A natural key or a listing scope: its parts in order, as query parameters take them.
pub trait KeyParts<'a>: Copy {
    fn parts(self) -> Vec<&'a str>;
    /// The key made of `parts`, when they are as many as the key has.
    fn from_parts(parts: &[&'a str]) -> Option<Self>;
}

impl<'a> KeyParts<'a> for () {
    fn parts(self) -> Vec<&'a str> {
        Vec::new()
    }
    fn from_parts(parts: &[&'a str]) -> Option<Self> {
        parts.is_empty().then_some(())
    }
}

impl<'a> KeyParts<'a> for &'a str {
    fn parts(self) -> Vec<&'a str> {
        vec![self]
    }
    fn from_parts(parts: &[&'a str]) -> Option<Self> {
        match parts {
            [only] => Some(only),
            _ => None,
        }
    }
}

impl<'a> KeyParts<'a> for (&'a str, &'a str) {
    fn parts(self) -> Vec<&'a str> {
        vec![self.0, self.1]
    }
    fn from_parts(parts: &[&'a str]) -> Option<Self> {
        match parts {
            [first, second] => Some((first, second)),
            _ => None,
        }
    }
}

impl Dependent {
    /// Rows of `table` whose `column` names the record, counted as `label`.
    pub const fn referencing(
        table: &'static str,
        column: &'static str,
        label: &'static str,
    ) -> Dependent {
        Dependent {
            table,
            column,
            label,
            live_only: "",
        }
    }
}

/// One kind of record.
pub trait Record: Clone + std::fmt::Debug + Serialize + Send + Sync + 'static {
    /// The kind in messages, e.g. `tenant database`; every backend's errors use it.
    const KIND: &'static str;
    /// The resource type the audit log names, e.g. `tenant_database`.
    const RESOURCE: &'static str;
    /// What references records of this kind and blocks their deletion.
    const DEPENDENTS: &'static [Dependent] = &[];

    /// The natural key: what names the record among its live siblings.
    type Key<'a>: KeyParts<'a>;
    /// What a listing is scoped by: nothing for tenants, else the parent's id.
    type Scope<'a>: KeyParts<'a>;

    fn id(&self) -> &str;
    fn key(&self) -> Self::Key<'_>;
    /// The natural key's distinguishing part as messages show it, e.g. `"main"`.
    fn key_label(&self) -> String;

    /// The error for a record `id` that does not exist.
    fn not_found(id: &str) -> BackendError {
        BackendError::NotFound {
            kind: Self::KIND,
            id: id.to_string(),
        }
    }

    /// The error for creating a record whose natural key is taken.
    fn already_exists(&self) -> BackendError {
        BackendError::AlreadyExists {
            kind: Self::KIND,
            key: self.key_label(),
        }
    }

    /// The error for deleting a record that still has `counts[i]` of `DEPENDENTS[i]`;
    /// `None` when every count is zero.
    fn dependents_error(&self, counts: &[i64]) -> Option<BackendError> {
        let mut found: Vec<String> = Self::DEPENDENTS
            .iter()
            .zip(counts)
            .filter(|(_, count)| **count > 0)
            .map(|(dependent, count)| format!("{count} {}", dependent.label))
            .collect();
        let last = found.pop()?;
        let dependents = if found.is_empty() {
            last
        } else {
            format!("{} and {last}", found.join(", "))
        };
        Some(BackendError::HasDependents {
            kind: Self::KIND,
            key: self.key_label(),
            dependents,
        })
    }
}
