//! Adoption of objects a platform without the catalog made, under their own names. Their
//! import ids name the tenant they are adopted into and the live object:
//! `SLUG/schema:NAME` (a `tenant` or `tenant_database`) and `SLUG/role:NAME` (a
//! `tenant_user`). Import only reads: the imported state says `registered = false`, which
//! plans an in-place update, and that apply writes the catalog row. Until then an object's
//! id is a stable name-based UUID, so references to it do not change when it is registered.

use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};
use tenantform_proto::value::Value;

use super::common::backend_failure;
use crate::backend::foreign::ForeignObjects;
use crate::backend::{Backend, BackendError};
use crate::naming::{MAX_IDENTIFIER_BYTES, is_valid_slug};
use crate::values::{Field, bool_field};

/// The computed attribute that says whether the catalog lists the object.
pub(crate) const REGISTERED: &str = "registered";

/// What a foreign import id names besides the tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ForeignKind {
    Schema,
    Role,
}

impl ForeignKind {
    fn prefix(self) -> &'static str {
        match self {
            ForeignKind::Schema => "schema:",
            ForeignKind::Role => "role:",
        }
    }
}

/// A parsed foreign import id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ForeignId<'a> {
    pub slug: &'a str,
    pub kind: ForeignKind,
    /// The live object's name.
    pub name: &'a str,
}

/// `SLUG/schema:NAME` or `SLUG/role:NAME`; `None` for any other id.
pub(crate) fn parse_foreign_id(id: &str) -> Option<ForeignId<'_>> {
    let (slug, object) = id.split_once('/')?;
    let (kind, name) = [ForeignKind::Schema, ForeignKind::Role]
        .into_iter()
        .find_map(|kind| object.strip_prefix(kind.prefix()).map(|name| (kind, name)))?;
    let plausible = !name.is_empty() && name.len() <= MAX_IDENTIFIER_BYTES && !name.contains('\0');
    (is_valid_slug(slug) && plausible).then_some(ForeignId { slug, kind, name })
}

/// The error of an id that names a live object without its tenant (`schema:NAME`,
/// `role:NAME`); `None` for any other id.
pub(crate) fn tenantless_id(id: &str, what: &str) -> Option<Diagnostics> {
    let kind = [ForeignKind::Schema, ForeignKind::Role]
        .into_iter()
        .find(|kind| id.starts_with(kind.prefix()))?;
    Some(
        Diagnostic::error(
            format!("Import id of {what} names no tenant"),
            format!(
                "{id:?} names a live object but not the tenant it is adopted into: write \
                 SLUG/{id} (the tenants data source's schema_pattern candidates give these ids \
                 as import_id). Ids of the form SLUG/{}NAME are taken.",
                kind.prefix()
            ),
        )
        .into(),
    )
}

/// The import id of a tenant or database adopted from schema `schema`.
pub(crate) fn schema_import_id(slug: &str, schema: &str) -> String {
    format!("{slug}/{}{schema}", ForeignKind::Schema.prefix())
}

/// The import id of a user adopted from role `role`.
pub(crate) fn role_import_id(slug: &str, role: &str) -> String {
    format!("{slug}/{}{role}", ForeignKind::Role.prefix())
}

/// The id an unregistered object keeps: a UUID derived from its resource type and name.
pub(crate) fn stable_id(resource_type: &str, name: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x8f0c_2b4e_5a1d_4c6b_9e7f_3d2a_1b0c_9e8d);
    uuid::Uuid::new_v5(&NAMESPACE, format!("{resource_type}:{name}").as_bytes()).to_string()
}

/// Whether `state` describes an imported object the catalog does not list yet.
pub(crate) fn is_unregistered(state: &Value) -> bool {
    bool_field(state, REGISTERED) == Field::Known(false)
}

/// The backend's live objects outside the catalog, or the refusal naming the backend.
pub(crate) fn foreign_objects<'b>(
    backend: &'b dyn Backend,
    what: &str,
) -> Result<&'b dyn ForeignObjects, Diagnostics> {
    backend
        .foreign()
        .ok_or_else(|| embedded_refusal(what).into())
}

/// The error of a foreign-naming feature on the embedded SQLite backend.
pub(crate) fn embedded_refusal(what: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{what} needs the postgres backend"),
        format!(
            "{what} adopts live schemas and roles that the catalog does not list. The embedded \
             SQLite backend keeps every object in its catalog and has no such objects; use \
             backend = \"postgres\"."
        ),
    )
}

/// The id of the tenant `slug`: the catalog's, or the stable id of a tenant adopted with it.
pub(crate) fn tenant_id_for(backend: &dyn Backend, slug: &str) -> Result<String, BackendError> {
    Ok(match backend.tenants().find(slug)? {
        Some(tenant) => tenant.id,
        None => stable_id("tenant", slug),
    })
}

/// The error of a foreign import whose live object does not exist.
pub(crate) fn missing(what: &str, id: &str, object: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Cannot import non-existent {what}"),
        format!("Import id {id:?} names {object}, which does not exist."),
    )
    .into()
}

/// A backend failure while importing `what`.
pub(crate) fn import_failure(what: &str, error: &BackendError) -> Diagnostics {
    backend_failure(format!("Failed to import {what}"), error).into()
}

#[cfg(test)]
mod tests;
