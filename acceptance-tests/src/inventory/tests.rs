//! Tests of the inventory reader and of the edits the tests make to an inventory.

use super::*;

const INVENTORY: &str = "# comment\ntenants:\n  acme:\n    name: Acme\n    users:\n      - email: ada@acme.example\n        role: admin\n      - email: bob@acme.example\n        role: viewer\n    api_keys:\n      - name: ci\n        scopes: [read]\n    contacts:\n      - name: Ada\n        email: ada@acme.example\n  pied-piper:\n    name: Pied Piper\n    status: active\n    users:\n      - email: richard@piedpiper.example\n        role: admin\n    api_keys:\n      - name: ci\n        scopes: [read]\n      - name: deploy\n        scopes: [write]\n";

#[test]
fn reads_slugs_users_and_keys() {
    let tenants = parse(INVENTORY);
    assert_eq!(tenants.len(), 2);
    assert_eq!(tenants[0].slug, "acme");
    assert_eq!(
        tenants[0].users,
        vec![
            InventoryUser {
                email: "ada@acme.example".into(),
                role: "admin".into()
            },
            InventoryUser {
                email: "bob@acme.example".into(),
                role: "viewer".into()
            }
        ]
    );
    assert_eq!(tenants[0].api_keys, vec!["ci"], "contacts are not keys");
    assert_eq!(tenants[1].slug, "pied-piper");
    assert_eq!(tenants[1].api_keys, vec!["ci", "deploy"]);
}

#[test]
fn cuts_removes_and_edits_tenants() {
    let first = keep_first(INVENTORY, 1);
    assert!(first.starts_with("# comment\ntenants:\n"));
    assert_eq!(parse(&first).len(), 1);

    let without = without_tenant(INVENTORY, "acme");
    let slugs: Vec<String> = parse(&without).into_iter().map(|t| t.slug).collect();
    assert_eq!(slugs, vec!["pied-piper"]);

    let suspended = with_status(INVENTORY, "pied-piper", "suspended");
    assert!(suspended.contains("  pied-piper:\n    status: suspended\n    name: Pied Piper\n"));
    assert!(!suspended.contains("status: active"));
    assert_eq!(parse(&suspended), parse(INVENTORY));
}
