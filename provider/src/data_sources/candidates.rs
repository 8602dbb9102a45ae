//! The adoption candidates of the `tenants` data source: with `schema_pattern`, a regular
//! expression with a named group `slug`, the live schemas that match it and that no catalog
//! database names, each with the roles that own or use it and the import ids that adopt
//! them (see `resources::foreign`).
//!
//! Output shape:
//! - `candidates`: one object a schema, ordered by schema name: `slug`, `schema`, `owner`
//!   (its owner role), `roles` (the owner first, then the other roles holding privileges on
//!   it, by name; roles the catalog lists are left out) and `import_id`
//!   (`SLUG/schema:SCHEMA`, for both the `tenant` and the `tenant_database`);
//! - `candidate_roles`: one object per role of every candidate: `key` (`SLUG/ROLE`, unique,
//!   for `for_each`), `slug`, `schema`, `role`, `owner` (whether it owns the schema) and
//!   `import_id` (`SLUG/role:ROLE`, for a `tenant_user`).
//!
//! A schema whose `slug` group does not capture a valid slug is not a candidate.

use std::collections::BTreeMap;

use regex::Regex;
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};
use tenantform_proto::value::{Type, Value};

use crate::backend::Backend;
use crate::backend::foreign::UnregisteredSchema;
use crate::naming::is_valid_slug;
use crate::resources::foreign::{foreign_objects, role_import_id, schema_import_id};
use crate::values::object;

/// The argument holding the pattern.
pub(super) const PATTERN: &str = "schema_pattern";
/// The named group that captures the slug.
const SLUG_GROUP: &str = "slug";
/// Patterns longer than this are refused (the regex crate bounds its own size too).
const MAX_PATTERN_BYTES: usize = 1024;

/// Compiles `pattern`, requiring the `slug` group.
pub(super) fn compile(pattern: &str) -> Result<Regex, Diagnostic> {
    let invalid = |detail: String| {
        Diagnostic::error(format!("Invalid value for {PATTERN}"), detail).at(PATTERN)
    };
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(invalid(format!(
            "The pattern is longer than {MAX_PATTERN_BYTES} bytes."
        )));
    }
    let regex = Regex::new(pattern).map_err(|error| {
        invalid(format!(
            "{pattern:?} is not a valid regular expression: {error}"
        ))
    })?;
    if !regex.capture_names().any(|name| name == Some(SLUG_GROUP)) {
        return Err(invalid(format!(
            "{pattern:?} has no named group `slug`; write the part of the schema name that is \
             the tenant's slug as (?P<slug>...), e.g. \"^(?P<slug>[a-z0-9]+)_prod$\"."
        )));
    }
    Ok(regex)
}

/// The type of one `candidates` element.
pub(super) fn candidate_type() -> Type {
    Type::Object(BTreeMap::from([
        ("slug".to_string(), Type::String),
        ("schema".to_string(), Type::String),
        ("owner".to_string(), Type::String),
        ("roles".to_string(), Type::List(Box::new(Type::String))),
        ("import_id".to_string(), Type::String),
    ]))
}

/// The type of one `candidate_roles` element.
pub(super) fn candidate_role_type() -> Type {
    Type::Object(BTreeMap::from([
        ("key".to_string(), Type::String),
        ("slug".to_string(), Type::String),
        ("schema".to_string(), Type::String),
        ("role".to_string(), Type::String),
        ("owner".to_string(), Type::Bool),
        ("import_id".to_string(), Type::String),
    ]))
}

/// `candidates` and `candidate_roles` for `pattern` (both empty without one).
pub(super) fn read(
    pattern: Option<&str>,
    backend: &dyn Backend,
) -> Result<(Value, Value), Diagnostics> {
    let Some(pattern) = pattern else {
        return Ok((Value::List(Vec::new()), Value::List(Vec::new())));
    };
    let regex = compile(pattern).map_err(Diagnostics::from)?;
    let foreign = foreign_objects(backend, "schema_pattern")?;
    let schemas = foreign
        .unregistered_schemas()
        .map_err(|error| super::read_failure("adoption candidates", &error))?;
    let mut candidates = Vec::new();
    let mut roles = Vec::new();
    for schema in &schemas {
        let Some(slug) = slug_of(&regex, &schema.name) else {
            continue;
        };
        candidates.push(candidate_value(&slug, schema));
        roles.extend(role_values(&slug, schema));
    }
    Ok((Value::List(candidates), Value::List(roles)))
}

/// The slug `regex` captures from `schema`, when it matches and the slug is valid.
fn slug_of(regex: &Regex, schema: &str) -> Option<String> {
    let captures = regex.captures(schema)?;
    let slug = captures.name(SLUG_GROUP)?.as_str();
    is_valid_slug(slug).then(|| slug.to_string())
}

/// The roles of a candidate: its owner (unless the catalog lists it) first, then its users.
fn roles_of(schema: &UnregisteredSchema) -> Vec<(&str, bool)> {
    let owner = (!schema.owner_registered).then_some((schema.owner.as_str(), true));
    owner
        .into_iter()
        .chain(schema.users.iter().map(|user| (user.as_str(), false)))
        .collect()
}

fn candidate_value(slug: &str, schema: &UnregisteredSchema) -> Value {
    let roles = roles_of(schema)
        .into_iter()
        .map(|(role, _)| Value::string(role))
        .collect();
    object([
        ("slug", Value::string(slug)),
        ("schema", Value::string(&schema.name)),
        ("owner", Value::string(&schema.owner)),
        ("roles", Value::List(roles)),
        (
            "import_id",
            Value::string(schema_import_id(slug, &schema.name)),
        ),
    ])
}

fn role_values(slug: &str, schema: &UnregisteredSchema) -> Vec<Value> {
    roles_of(schema)
        .into_iter()
        .map(|(role, owner)| {
            object([
                ("key", Value::string(format!("{slug}/{role}"))),
                ("slug", Value::string(slug)),
                ("schema", Value::string(&schema.name)),
                ("role", Value::string(role)),
                ("owner", Value::Bool(owner)),
                ("import_id", Value::string(role_import_id(slug, role))),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests;
