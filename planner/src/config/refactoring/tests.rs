//! Unit tests of `moved` and `removed` block decoding.

use std::collections::BTreeMap;
use std::path::Path;

use super::{MoveEndpoint, MoveKind, RemoveTarget};
use crate::config::{Config, load_sources};
use crate::diags::Diagnostics;

fn load(text: &str) -> Result<Config, Diagnostics> {
    let files = BTreeMap::from([("main.tf".to_string(), text.to_string())]);
    load_sources(Path::new("."), files)
}

fn summaries(text: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.0.iter().map(|d| d.summary.clone()).collect(),
    }
}

#[test]
fn moved_sides_unify_as_terraform_does() {
    let config = load(
        r#"
moved {
  from = tenant.a
  to   = tenant.b
}
moved {
  from = tenant.a
  to   = module.t["acme"].tenant.this[0]
}
moved {
  from = module.a
  to   = module.b
}
moved {
  from = module.a
  to   = module.b["x"]
}
"#,
    )
    .unwrap();
    let kinds: Vec<MoveKind> = config.moved.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MoveKind::Resource,
            MoveKind::ResourceInstance,
            MoveKind::ModuleCall,
            MoveKind::ModuleInstance
        ]
    );
    assert_eq!(
        config.moved[1].to.to_string(),
        "module.t[\"acme\"].tenant.this[0]"
    );
    assert!(matches!(&config.moved[3].from, MoveEndpoint::Module(steps) if steps.len() == 1));
}

#[test]
fn moved_between_a_module_and_a_resource_is_an_error() {
    assert_eq!(
        summaries("moved {\n  from = tenant.a\n  to = module.b\n}\n"),
        ["Invalid \"moved\" addresses"]
    );
}

#[test]
fn moved_addresses_must_be_static_references() {
    assert_eq!(
        summaries("moved {\n  from = \"tenant.a\"\n  to = tenant.b\n}\n"),
        ["Invalid expression"]
    );
    assert_eq!(
        summaries("moved {\n  from = tenant.a\n  to = tenant.q.r\n}\n"),
        ["Invalid address"]
    );
    assert_eq!(
        summaries("moved {\n  from = tenant.a\n}\n"),
        ["Missing required argument"]
    );
}

#[test]
fn removed_blocks_name_resources_or_module_calls() {
    let config = load(
        r"
removed {
  from = module.fleet.tenant.a
  lifecycle {
    destroy = false
  }
}
removed {
  from = module.old
}
",
    )
    .unwrap();
    assert_eq!(config.removed.len(), 2);
    assert!(!config.removed[0].destroy);
    assert!(matches!(
        &config.removed[0].from,
        RemoveTarget::Resource { module, .. } if module == &["fleet".to_string()]
    ));
    assert!(config.removed[1].destroy);
    assert_eq!(config.removed[1].from.to_string(), "module.old");
}

#[test]
fn removed_refuses_instances_data_sources_and_provisioners() {
    assert_eq!(
        summaries("removed {\n  from = tenant.a[0]\n}\n"),
        ["Resource instance keys not allowed"]
    );
    assert_eq!(
        summaries("removed {\n  from = module.a[\"k\"]\n}\n"),
        ["Module instance keys not allowed"]
    );
    assert_eq!(
        summaries("removed {\n  from = data.tenants.z\n}\n"),
        ["Data source address not allowed"]
    );
}

#[test]
fn removed_blocks_take_only_destroy_time_provisioners_of_resources() {
    let config = load(
        "removed {\n  from = tenant.a\n  provisioner \"local-exec\" {\n    when    = destroy\n    command = \"echo bye\"\n  }\n}\n",
    )
    .unwrap();
    assert_eq!(config.removed[0].provisioners.len(), 1);
    assert_eq!(
        summaries(
            "removed {\n  from = tenant.a\n  provisioner \"local-exec\" {\n    command = \"echo hi\"\n  }\n}\n"
        ),
        ["Invalid provisioner block"]
    );
    assert_eq!(
        summaries(
            "removed {\n  from = module.m\n  provisioner \"local-exec\" {\n    when    = destroy\n    command = \"echo bye\"\n  }\n}\n"
        ),
        ["Invalid provisioner block"]
    );
    assert_eq!(
        summaries("removed {\n  from = tenant.a\n  connection {\n  }\n}\n"),
        ["Unsupported block type"]
    );
}
