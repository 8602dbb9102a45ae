//! Reads the tenant inventory of `examples/saas-postgres` (`tenants.yaml`), line by line, for
//! what the tests expect to find: each tenant's slug, its users and its API keys. The file's
//! layout is fixed by the example: a tenant starts with `  <slug>:`, its sections with
//! `    <section>:` and list entries with `      - <field>: <value>`.

/// One tenant of the inventory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryTenant {
    pub slug: String,
    pub users: Vec<InventoryUser>,
    pub api_keys: Vec<String>,
}

/// One user of a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryUser {
    pub email: String,
    pub role: String,
}

/// The tenants of an inventory, in file order.
pub fn parse(text: &str) -> Vec<InventoryTenant> {
    let mut tenants: Vec<InventoryTenant> = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(slug) = tenant_header(line) {
            tenants.push(InventoryTenant {
                slug: slug.to_string(),
                users: Vec::new(),
                api_keys: Vec::new(),
            });
            section.clear();
            continue;
        }
        let Some(tenant) = tenants.last_mut() else {
            continue;
        };
        if let Some(name) = line
            .strip_prefix("    ")
            .and_then(|rest| rest.strip_suffix(':'))
            && !name.starts_with(' ')
        {
            section = name.to_string();
            continue;
        }
        let entry = line.trim_start();
        match section.as_str() {
            "users" => {
                if let Some(email) = entry.strip_prefix("- email: ") {
                    tenant.users.push(InventoryUser {
                        email: email.trim().to_string(),
                        role: String::new(),
                    });
                } else if let Some(role) = entry.strip_prefix("role: ")
                    && let Some(user) = tenant.users.last_mut()
                {
                    user.role = role.trim().to_string();
                }
            }
            "api_keys" => {
                if let Some(name) = entry.strip_prefix("- name: ") {
                    tenant.api_keys.push(name.trim().to_string());
                }
            }
            _ => {}
        }
    }
    tenants
}

/// The inventory cut down to its first `count` tenants (comments and header kept).
pub fn keep_first(text: &str, count: usize) -> String {
    let mut kept = String::new();
    let mut seen = 0;
    for line in text.lines() {
        if tenant_header(line).is_some() {
            seen += 1;
        }
        if seen > count {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// The inventory without the tenant `slug`.
pub fn without_tenant(text: &str, slug: &str) -> String {
    let mut kept = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if let Some(header) = tenant_header(line) {
            skipping = header == slug;
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// The inventory with `status: <status>` set on the tenant `slug`.
pub fn with_status(text: &str, slug: &str, status: &str) -> String {
    let mut edited = String::new();
    let mut current = None;
    for line in text.lines() {
        if let Some(header) = tenant_header(line) {
            current = Some(header.to_string());
            edited.push_str(line);
            edited.push('\n');
            if header == slug {
                edited.push_str(&format!("    status: {status}\n"));
            }
            continue;
        }
        if current.as_deref() == Some(slug) && line.starts_with("    status:") {
            continue;
        }
        edited.push_str(line);
        edited.push('\n');
    }
    edited
}

fn tenant_header(line: &str) -> Option<&str> {
    let name = line.strip_prefix("  ")?.strip_suffix(':')?;
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then_some(name)
}

#[cfg(test)]
mod tests;
