use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::addrs::InstanceAddr;

fn config(files: &[(&str, &str)]) -> Config {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    crate::config::load_sources(Path::new("."), files).unwrap()
}

const ROOT: &str = r#"
module "tenant" {
  source   = "./tenant"
  for_each = toset(["a", "b"])
}
module "counted" {
  source = "./tenant"
  count  = 2
}
module "single" {
  source = "./tenant"
}
"#;

const TENANT: &str = r#"
module "inner" {
  source   = "./inner"
  for_each = toset(["x"])
}
"#;

fn fleet() -> Config {
    config(&[
        ("main.tf", ROOT),
        ("tenant/main.tf", TENANT),
        ("tenant/inner/main.tf", "locals {\n  x = 1\n}\n"),
    ])
}

#[test]
fn a_module_call_address_parses_and_anything_else_is_refused() {
    assert_eq!(
        Partition::parse("module.tenant").unwrap().calls(),
        ["tenant"]
    );
    assert_eq!(
        Partition::parse("module.a.module.b").unwrap().calls(),
        ["a", "b"]
    );
    assert_eq!(
        Partition::parse("module.a.module.b").unwrap().to_string(),
        "module.a.module.b"
    );
    for bad in [
        "",
        "tenant",
        "module",
        "module.",
        "module.tenant.x",
        "tenant.x",
        "module.9x",
        "module.a.module",
    ] {
        let message = Partition::parse(bad).unwrap_err();
        assert!(
            message.contains("module call address"),
            "{bad:?}: {message}"
        );
    }
    let keyed = Partition::parse("module.tenant[\"a\"]").unwrap_err();
    assert!(keyed.contains("without instance keys"), "{keyed}");
}

#[test]
fn the_partition_must_be_a_declared_module_call_with_for_each() {
    let config = fleet();
    assert_eq!(
        Partition::parse("module.tenant").unwrap().check(&config),
        Ok(())
    );
    assert_eq!(
        Partition::parse("module.tenant.module.inner")
            .unwrap()
            .check(&config),
        Ok(())
    );
    for (name, why) in [
        ("module.nope", "the root module has no module call \"nope\""),
        ("module.counted", "it uses count"),
        ("module.single", "it has a single instance"),
        (
            "module.tenant.module.nope",
            "module.tenant has no module call \"nope\"",
        ),
    ] {
        let message = Partition::parse(name).unwrap().check(&config).unwrap_err();
        assert!(message.contains(name), "{message}");
        assert!(message.contains(why), "{name}: {message}");
    }
}

#[test]
fn a_module_instance_belongs_to_the_partition_its_path_starts_with() {
    let module = |text: &str| {
        format!("{text}.x.y")
            .parse::<InstanceAddr>()
            .unwrap()
            .module
    };
    let tenant = Partition::parse("module.tenant").unwrap();
    let inside = module("module.tenant[\"a\"].module.inner[\"x\"]");
    assert_eq!(
        tenant.key_of(&inside),
        Some(&module("module.tenant[\"a\"]")[..])
    );
    assert_eq!(tenant.key_of(&module("module.other[\"a\"]")), None);
    assert_eq!(tenant.key_of(&[]), None);
    let nested = Partition::parse("module.tenant.module.inner").unwrap();
    assert_eq!(nested.key_of(&inside), Some(&inside[..]));
    assert_eq!(nested.key_of(&module("module.tenant[\"a\"]")), None);
}
