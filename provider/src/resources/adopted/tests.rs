//! Tests of the adopted tenant a database or user registers with itself.

use super::*;

#[test]
fn the_tenant_is_found_by_the_slug_its_objects_names_hold() {
    let id = stable_id("tenant", "acme");
    let tenant = adopted_tenant_of(&id, &["acme_prod", "acme_prod", "acme_app"]);
    let tenant = tenant.expect("acme is part of acme_prod");
    assert_eq!(tenant.slug, "acme");
    assert_eq!(tenant.id, id);
    assert_eq!(tenant.tier, "standard");
    assert_eq!(tenant.display_name, "acme");
    let by_email = adopted_tenant_of(&id, &["acme_ro@acme.adopted.invalid", "acme_ro"]);
    assert_eq!(by_email.map(|tenant| tenant.slug), Some("acme".to_string()));
}

#[test]
fn no_tenant_when_no_slug_gives_the_id() {
    let id = stable_id("tenant", "globex");
    assert_eq!(adopted_tenant_of(&id, &["acme_prod", "acme_app"]), None);
    assert_eq!(adopted_tenant_of("not-a-uuid", &["globex_prod"]), None);
    assert_eq!(adopted_tenant_of(&id, &["", "é", "gl"]), None);
}

#[test]
fn slug_candidates_are_the_valid_slugs_inside_a_name() {
    let candidates: Vec<&str> = slug_candidates("ab1_x").collect();
    assert_eq!(candidates, vec!["ab1"]);
    assert!(slug_candidates("café_prod").any(|slug| slug == "prod"));
}
