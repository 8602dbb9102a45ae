//! Generates configurations with many tenants, for the crash and interruption tests.

/// A configuration with `count` tenants (`tenant.t000`, ...), each with a database when
/// `with_databases` is set, on the embedded backend at its default path.
pub fn tenants_config(count: usize, with_databases: bool) -> String {
    let mut config = String::from(
        "terraform {\n  required_providers {\n    tenant = {\n      source = \"tenantform/tenant\"\n    }\n  }\n}\n\nprovider \"tenant\" {\n  backend = \"embedded\"\n}\n",
    );
    for index in 0..count {
        let name = tenant_name(index);
        config.push_str(&format!(
            "\nresource \"tenant\" \"{name}\" {{\n  slug                = \"{slug}\"\n  display_name        = \"Tenant {index}\"\n  tier                = \"standard\"\n  region              = \"eu-west-1\"\n  deletion_protection = false\n}}\n",
            slug = name.replace('_', "-"),
        ));
        if with_databases {
            config.push_str(&format!(
                "\nresource \"tenant_database\" \"{name}\" {{\n  tenant_id = tenant.{name}.id\n  name      = \"main\"\n}}\n"
            ));
        }
    }
    config
}

/// The resource name of the `index`th generated tenant (also its slug).
pub fn tenant_name(index: usize) -> String {
    format!("t{index:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_one_block_per_resource() {
        let config = tenants_config(3, true);
        assert_eq!(config.matches("resource \"tenant\" ").count(), 3);
        assert_eq!(config.matches("resource \"tenant_database\" ").count(), 3);
        assert!(config.contains("tenant_id = tenant.t002.id"));
    }
}
