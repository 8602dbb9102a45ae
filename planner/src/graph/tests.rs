//! Tests of graph construction: edges, order, looking through locals, and errors.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::config::load_sources;

/// The graph of a configuration of one file.
pub(super) fn graph(source: &str) -> Result<ConfigGraph, Diagnostics> {
    let files = BTreeMap::from([("main.tf".to_string(), source.to_string())]);
    let config = load_sources(Path::new("."), files).unwrap_or_else(|d| panic!("{d}"));
    ConfigGraph::build(&config)
}

/// A variable, a local and two resources, the second reaching the first through the local.
pub(super) const BASE: &str = r#"
variable "tier" {
  default = "free"
}

locals {
  parent = fake_thing.a.id
}

resource "fake_thing" "a" {
  name = var.tier
}

resource "fake_child" "b" {
  parent_id = local.parent
}

"#;

/// [`BASE`] and a resource depending on `fake_child.b`, and an output.
fn source() -> String {
    format!(
        "{BASE}{}",
        r#"resource "fake_child" "c" {
  parent_id  = "x"
  depends_on = [fake_child.b]
}

output "b" {
  value = fake_child.b.id
}
"#
    )
}

#[test]
fn orders_every_node_after_its_dependencies() {
    let graph = graph(&source()).unwrap();
    let position = |node: Node| {
        let id = graph.id(&node).unwrap();
        graph.order().iter().position(|&n| n == id).unwrap()
    };
    let a = position(Node::Resource(ResourceAddr::managed("fake_thing", "a")));
    let b = position(Node::Resource(ResourceAddr::managed("fake_child", "b")));
    let c = position(Node::Resource(ResourceAddr::managed("fake_child", "c")));
    assert!(position(Node::Variable("tier".into())) < a);
    assert!(position(Node::Provider("fake".into())) < a);
    assert!(a < position(Node::Local("parent".into())));
    assert!(position(Node::Local("parent".into())) < b);
    assert!(b < c);
    assert!(b < position(Node::Output("b".into())));
}

#[test]
fn resource_dependencies_look_through_locals() {
    let graph = graph(&source()).unwrap();
    let b = graph
        .id(&Node::Resource(ResourceAddr::managed("fake_child", "b")))
        .unwrap();
    let deps: Vec<String> = graph
        .resource_dependencies(b)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(deps, vec!["fake_thing.a"]);
}

#[test]
fn resource_dependencies_go_on_through_resources_as_terraform_records_them() {
    let graph = graph(&source()).unwrap();
    let c = graph
        .id(&Node::Resource(ResourceAddr::managed("fake_child", "c")))
        .unwrap();
    let deps: Vec<String> = graph
        .resource_dependencies(c)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(deps, vec!["fake_child.b", "fake_thing.a"]);
}

#[test]
fn a_self_reference_is_a_cycle() {
    let diags =
        graph("resource \"fake_thing\" \"a\" {\n  name = fake_thing.a.id\n}\n").unwrap_err();
    assert_eq!(diags.0[0].summary, "Cycle: fake_thing.a, fake_thing.a");
}

#[test]
fn a_cycle_through_a_local_names_every_step() {
    let source = "locals {\n  x = fake_thing.a.id\n}\nresource \"fake_thing\" \"a\" {\n  name = local.x\n}\n";
    let diags = graph(source).unwrap_err();
    let summary = &diags.0[0].summary;
    assert!(
        summary == "Cycle: local.x, fake_thing.a, local.x"
            || summary == "Cycle: fake_thing.a, local.x, fake_thing.a",
        "{summary}"
    );
}

#[test]
fn depends_on_an_undeclared_resource_is_an_error() {
    let source =
        "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  depends_on = [fake_thing.zz]\n}\n";
    let diags = graph(source).unwrap_err();
    assert_eq!(diags.0[0].summary, "Reference to undeclared resource");
    assert_eq!(diags.0[0].range.as_ref().unwrap().start.line, 3);
}
