//! The `tenants` data source: the live tenants matching optional `tier`, `region` and
//! `labels` filters (every given label must match), as a list of tenant objects plus the
//! lists of their `ids` and `slugs`, ordered by slug; with `schema_pattern`, also the live
//! schemas a platform without the catalog made, as adoption candidates (see `candidates`).

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Schema};
use tenantform_proto::value::{Type, Value};

use super::candidates;
use super::{DataSource, read_failure, require_known, tenant_object_type, with_attributes};
use crate::backend::{Backend, TenantFilter};
use crate::resources::{Check, TIERS, run_checks, tenant_record_to_value};
use crate::schemas::{block_schema, named};
use crate::values::{attr, string_field, string_map};
use tenantform_proto::diagnostic::Diagnostics;

/// The `tenants` data source type.
pub struct TenantsDataSource;

fn string_list() -> Type {
    Type::List(Box::new(Type::String))
}

impl DataSource for TenantsDataSource {
    fn type_name(&self) -> &'static str {
        "tenants"
    }

    fn schema(&self) -> Schema {
        let attributes = named([
            (
                "tier",
                Attribute::optional(Type::String).describe("Only tenants of this tier."),
            ),
            (
                "region",
                Attribute::optional(Type::String).describe("Only tenants in this region."),
            ),
            (
                "labels",
                Attribute::optional(Type::Map(Box::new(Type::String)))
                    .describe("Only tenants that carry every one of these labels."),
            ),
            (
                "tenants",
                Attribute::computed(Type::List(Box::new(tenant_object_type())))
                    .describe("The matching tenants, ordered by slug."),
            ),
            (
                "ids",
                Attribute::computed(string_list()).describe("The ids of the matching tenants."),
            ),
            (
                "slugs",
                Attribute::computed(string_list()).describe("The slugs of the matching tenants."),
            ),
            (
                candidates::PATTERN,
                Attribute::optional(Type::String).describe(
                    "A regular expression with a named group `slug`, e.g. \
                     \"^(?P<slug>[a-z0-9]+)_prod$\": the live schemas that match it and that no \
                     catalog database names become adoption candidates (postgres backend only).",
                ),
            ),
            (
                "candidates",
                Attribute::computed(Type::List(Box::new(candidates::candidate_type()))).describe(
                    "The schemas schema_pattern finds, ordered by name: slug, schema, owner, \
                     roles (owner first) and import_id (SLUG/schema:SCHEMA, for the tenant and \
                     its tenant_database).",
                ),
            ),
            (
                "candidate_roles",
                Attribute::computed(Type::List(Box::new(candidates::candidate_role_type())))
                    .describe(
                        "One entry per role of every candidate: key (SLUG/ROLE), slug, schema, \
                         role, owner (bool) and import_id (SLUG/role:ROLE, for a tenant_user).",
                    ),
            ),
        ]);
        block_schema("The existing tenants that match a filter.", attributes)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = run_checks(config, &[Check::OneOf("tier", TIERS)]);
        if let Some(pattern) = string_field(config, candidates::PATTERN).known()
            && let Err(invalid) = candidates::compile(&pattern)
        {
            diagnostics.push(invalid);
        }
        diagnostics
    }

    fn read(&self, config: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        require_known(config, self.type_name())?;
        let filter = TenantFilter {
            tier: string_field(config, "tier").known(),
            region: string_field(config, "region").known(),
            labels: string_map(attr(config, "labels")).unwrap_or_default(),
        };
        let found = backend
            .tenants()
            .find_matching(&filter)
            .map_err(|error| read_failure("tenants", &error))?;
        let ids = found.iter().map(|t| Value::string(&t.id)).collect();
        let slugs = found.iter().map(|t| Value::string(&t.slug)).collect();
        let tenants = found.iter().map(tenant_record_to_value).collect();
        let pattern = string_field(config, candidates::PATTERN).known();
        let (candidates, candidate_roles) = candidates::read(pattern.as_deref(), backend)?;
        Ok(with_attributes(
            config,
            BTreeMap::from([
                ("tenants".to_string(), Value::List(tenants)),
                ("ids".to_string(), Value::List(ids)),
                ("slugs".to_string(), Value::List(slugs)),
                ("candidates".to_string(), candidates),
                ("candidate_roles".to_string(), candidate_roles),
            ]),
        ))
    }
}
