use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tenantform_proto::value::Value;

use super::*;
use crate::config::load_sources;
use crate::providers::fake::fake_schema;

fn load(source: &str) -> Config {
    let files = BTreeMap::from([("main.tf".to_string(), source.to_string())]);
    match load_sources(Path::new("."), files) {
        Ok(config) => config,
        Err(diags) => panic!("configuration does not load:\n{diags}"),
    }
}

/// A root configuration with one called module `t` (source `./t`) whose text is `child`.
fn with_child(root: &str, child: &str) -> Config {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir(dir.path().join("t")).expect("module directory");
    std::fs::write(dir.path().join("main.tf"), root).expect("root module");
    std::fs::write(dir.path().join("t/main.tf"), child).expect("child module");
    match crate::config::load_dir(dir.path()) {
        Ok(config) => config,
        Err(diags) => panic!("configuration does not load:\n{diags}"),
    }
}

fn schemas() -> Schemas {
    BTreeMap::from([("fake".to_string(), Arc::new(fake_schema()))])
}

fn change(addr: &str, action: Action) -> ResourceChange {
    ResourceChange {
        provider: "registry.terraform.io/test/fake".into(),
        provider_local_name: "fake".into(),
        ..crate::test_support::resource_change(addr, action, Value::Null, Value::Null)
    }
}

fn output(name: &str, action: Action) -> OutputChange {
    OutputChange {
        name: name.into(),
        action,
        before: Value::Null,
        after: Value::Null,
        sensitive: false,
    }
}

fn relevant(
    config: &Config,
    resources: &[ResourceChange],
    outputs: &[OutputChange],
) -> Vec<RelevantAttribute> {
    let changed = Changed {
        resources,
        outputs,
        module_outputs: &[],
    };
    relevant_attributes(config, &schemas(), &changed)
}

/// The relevant attributes as `resource.path` strings.
fn shown(attributes: Vec<RelevantAttribute>) -> Vec<String> {
    attributes
        .into_iter()
        .map(|r| {
            let path: Vec<String> = r
                .attribute
                .0
                .iter()
                .map(|step| match step {
                    PathStep::Attribute(name) => format!(".{name}"),
                    PathStep::StringKey(key) => format!("[{key:?}]"),
                    PathStep::IntKey(index) => format!("[{index}]"),
                })
                .collect();
            format!("{}{}", r.resource, path.concat())
        })
        .collect()
}

const ROOT: &str = r#"
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" { name = "b-${fake_thing.a.size}" }
locals {
  joined = "${fake_thing.a.zone}-${fake_thing.b.name}"
}
resource "fake_child" "c" {
  parent_id = fake_thing.a.id
  label     = local.joined
}
output "o" { value = fake_thing.b.zone }
"#;

#[test]
fn a_changing_resource_reads_what_it_refers_to_through_locals_and_resources() {
    let config = load(ROOT);
    let changes = [
        change("fake_thing.a", Action::NoOp),
        change("fake_thing.b", Action::NoOp),
        change("fake_child.c", Action::Update),
    ];
    let found = relevant(&config, &changes, &[]);
    // fake_thing.b.name leads on to fake_thing.a.size through b's `name` expression.
    assert_eq!(
        shown(found),
        [
            "fake_thing.a.id",
            "fake_thing.a.size",
            "fake_thing.a.zone",
            "fake_thing.b.name"
        ]
    );
}

#[test]
fn no_op_changes_contribute_nothing_and_changing_outputs_do() {
    let config = load(ROOT);
    let changes = [change("fake_child.c", Action::NoOp)];
    let nothing = relevant(&config, &changes, &[output("o", Action::NoOp)]);
    assert!(nothing.is_empty());
    let outputs = [output("o", Action::Create)];
    let found = relevant(&config, &changes, &outputs);
    assert_eq!(shown(found), ["fake_thing.b.zone"]);
}

#[test]
fn paths_stop_where_the_schema_ends_and_keys_select_instances() {
    let config = load(
        r#"
resource "fake_thing" "a" {
  count = 2
  name  = "a"
}
resource "fake_child" "c" {
  parent_id = fake_thing.a[1].id
  label     = "${fake_thing.a[0].nonexistent}${fake_thing.a[count.index].zone}${fake_thing.a.0.name.x}"
}
"#,
    );
    let changes = [change("fake_child.c", Action::Create)];
    let found = relevant(&config, &changes, &[]);
    // An unknown attribute reads the whole object; a dynamic index cuts the traversal at
    // the resource; a primitive attribute has no parts.
    assert_eq!(
        shown(found),
        [
            "fake_thing.a",
            "fake_thing.a[0]",
            "fake_thing.a[0].name",
            "fake_thing.a[1].id"
        ]
    );
}

#[test]
fn count_and_for_each_are_followed_from_count_index_and_each() {
    let config = load(
        r#"
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" { name = "b" }
resource "fake_child" "c" {
  count     = length(fake_thing.a.zone)
  parent_id = "p${count.index}"
}
resource "fake_child" "d" {
  for_each  = toset([fake_thing.b.size])
  parent_id = "p"
}
"#,
    );
    let changes = [
        change("fake_child.c[0]", Action::Create),
        change("fake_child.d[\"x\"]", Action::Create),
    ];
    let found = relevant(&config, &changes, &[]);
    // d's body does not use each, so its for_each expression is not followed.
    assert_eq!(shown(found), ["fake_thing.a.zone"]);
}

#[test]
fn module_outputs_and_input_variables_are_followed_across_modules() {
    let config = with_child(
        r#"
resource "fake_thing" "a" { name = "a" }
module "t" {
  source = "./t"
  in     = fake_thing.a.zone
}
resource "fake_child" "c" { parent_id = module.t.out }
output "all" { value = module.t }
"#,
        r#"
variable "in" {}
resource "fake_thing" "inner" { name = var.in }
output "out" { value = fake_thing.inner.id }
output "other" { value = fake_thing.inner.size }
"#,
    );
    let changes = [change("fake_child.c", Action::Update)];
    let found = relevant(&config, &changes, &[]);
    assert_eq!(shown(found), ["module.t.fake_thing.inner.id"]);

    let outputs = [output("all", Action::Update)];
    let found = relevant(&config, &[], &outputs);
    assert_eq!(
        shown(found),
        [
            "module.t.fake_thing.inner.id",
            "module.t.fake_thing.inner.size"
        ]
    );

    // Module outputs are never stored, so plans record them as created: they count too.
    let module_outputs = [(
        vec![ModuleStep {
            name: "t".into(),
            key: InstanceKey::None,
        }],
        "other".to_string(),
    )];
    let changed = Changed {
        resources: &[],
        outputs: &[],
        module_outputs: &module_outputs,
    };
    let found = relevant_attributes(&config, &schemas(), &changed);
    assert_eq!(shown(found), ["module.t.fake_thing.inner.size"]);

    // A change inside the module reaches the caller's argument for its variable.
    let changes = [change("module.t.fake_thing.inner", Action::Update)];
    let found = relevant(&config, &changes, &[]);
    assert_eq!(shown(found), ["fake_thing.a.zone"]);
}

#[test]
fn references_name_their_targets_as_terraform_parses_them() {
    let traversal = |root: &str, steps: Vec<PathStep>| ReferenceTraversal {
        root: root.into(),
        steps,
    };
    let a = |name: &str| PathStep::Attribute(name.into());
    let keyed = traversal(
        "module",
        vec![a("t"), PathStep::StringKey("x".into()), a("out")],
    );
    assert_eq!(
        target(&keyed),
        Target::ModuleOutputs {
            call: "t",
            key: InstanceKey::Str("x".into()),
            output: Some("out")
        }
    );
    let data = traversal("data", vec![a("fake_lookup"), a("l"), a("id")]);
    assert_eq!(
        target(&data),
        Target::Resource {
            addr: ResourceAddr::data("fake_lookup", "l"),
            key: InstanceKey::None,
            rest: &[a("id")],
        }
    );
    assert_eq!(target(&traversal("path", vec![a("module")])), Target::Other);
    assert_eq!(
        target(&traversal("count", vec![a("index")])),
        Target::Repetition
    );
    assert_eq!(target(&traversal("each", vec![a("nope")])), Target::Other);
}
