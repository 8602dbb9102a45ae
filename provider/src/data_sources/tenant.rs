//! The `tenant` data source: one live tenant, looked up by `slug`, with every attribute the
//! `tenant` resource has.

use tenantform_proto::schema::{Attribute, Schema};
use tenantform_proto::value::{Type, Value};

use super::{DataSource, read_failure, require_known, tenant_attributes, with_attributes};
use crate::backend::Backend;
use crate::naming::is_valid_slug;
use crate::resources::tenant_record_to_value;
use crate::schemas::block_schema;
use crate::values::{Field, string_field};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The `tenant` data source type.
pub struct TenantDataSource;

impl DataSource for TenantDataSource {
    fn type_name(&self) -> &'static str {
        "tenant"
    }

    fn schema(&self) -> Schema {
        let mut attributes = tenant_attributes();
        attributes.insert(
            "slug".to_string(),
            Attribute::required(Type::String).describe("The slug of the tenant to read."),
        );
        block_schema("One existing tenant, by slug.", attributes)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Field::Known(slug) = string_field(config, "slug")
            && !is_valid_slug(&slug)
        {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid value for slug",
                    format!(
                        "{slug:?} is not valid: a slug matches ^[a-z][a-z0-9-]{{1,38}}[a-z0-9]$."
                    ),
                )
                .at("slug"),
            );
        }
        diagnostics
    }

    fn read(&self, config: &Value, backend: &dyn Backend) -> Result<Value, Diagnostics> {
        require_known(config, self.type_name())?;
        let slug = string_field(config, "slug").known().unwrap_or_default();
        let what = format!("tenant {slug:?}");
        let record = backend
            .tenants()
            .find(&slug)
            .map_err(|error| read_failure(&what, &error))?
            .ok_or_else(|| {
                Diagnostics::from(
                    Diagnostic::error(
                        "Tenant not found",
                        format!("No tenant with slug {slug:?} exists."),
                    )
                    .at("slug"),
                )
            })?;
        let Value::Object(attributes) = tenant_record_to_value(&record) else {
            return Ok(config.clone());
        };
        Ok(with_attributes(config, attributes))
    }
}
