use super::*;

fn tenant(display_name: &'static str) -> TenantSpec {
    TenantSpec {
        display_name,
        tier: "free",
        users: BTreeMap::from([("ada", "admin")]),
        api_keys: BTreeSet::from(["ci"]),
    }
}

#[test]
fn edits_pick_modulo_and_skip_what_they_cannot_do() {
    let mut fleet = Fleet::new();
    apply_edit(&mut fleet, &Edit::RemoveTenant { pick: 3 });
    assert!(fleet.is_empty());
    apply_edit(&mut fleet, &Edit::AddTenant("acme", tenant("Alpha")));
    apply_edit(&mut fleet, &Edit::AddTenant("globex", tenant("Beta")));
    apply_edit(
        &mut fleet,
        &Edit::RenameTenant {
            pick: 2,
            to: "globex",
        },
    );
    assert_eq!(
        fleet.keys().copied().collect::<Vec<_>>(),
        ["acme", "globex"]
    );
    apply_edit(
        &mut fleet,
        &Edit::RenameTenant {
            pick: 2,
            to: "hooli",
        },
    );
    assert_eq!(
        fleet.keys().copied().collect::<Vec<_>>(),
        ["globex", "hooli"]
    );
    assert_eq!(fleet["hooli"].display_name, "Alpha");
    apply_edit(
        &mut fleet,
        &Edit::SetUser {
            pick: 1,
            user: "ada",
            role: "viewer",
        },
    );
    apply_edit(
        &mut fleet,
        &Edit::RemoveApiKey {
            pick: 0,
            key_pick: 5,
        },
    );
    assert_eq!(fleet["hooli"].users["ada"], "viewer");
    assert!(fleet["globex"].api_keys.is_empty());
}

#[test]
fn the_configuration_and_the_expectations_follow_the_fleet() {
    let fleet = Fleet::from([("acme", tenant("Alpha"))]);
    let config = fleet_config(&fleet);
    assert!(config.contains("\"acme\" = { display_name = \"Alpha\", tier = \"free\" }"));
    assert!(config.contains(
        "\"acme/ada\" = { tenant = \"acme\", email = \"ada@acme.example\", role = \"admin\" }"
    ));
    assert!(config.contains("\"acme/ci\" = { tenant = \"acme\", name = \"ci\" }"));
    assert_eq!(
        expected_addresses(&fleet),
        [
            "tenant.fleet[\"acme\"]",
            "tenant_api_key.fleet[\"acme/ci\"]",
            "tenant_user.fleet[\"acme/ada\"]"
        ]
    );
    assert_eq!(
        expected_catalog(&fleet),
        [
            "tenant acme Alpha",
            "tenant_api_key acme/ci",
            "tenant_user acme/ada@acme.example admin"
        ]
    );
}
