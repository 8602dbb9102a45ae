//! Tests of the DOT output: the resources-only graph with module clusters, and the
//! transitively reduced operation graph.

use super::*;
use crate::graph::tests::BASE;

fn graph(source: &str) -> ConfigGraph {
    crate::graph::tests::graph(source).unwrap_or_else(|d| panic!("{d}"))
}

/// The shared base with a resource reaching `fake_thing.a` directly and through
/// `fake_child.b`, and an output.
fn source() -> String {
    format!(
        "{BASE}{}",
        r#"resource "fake_child" "c" {
  parent_id = fake_child.b.id
  other     = fake_thing.a.id
}

output "c" {
  value = fake_child.c.id
}
"#
    )
}

#[test]
fn resources_graph_has_one_node_per_resource_and_edges_to_the_nearest_resources() {
    let text = resources_dot(&graph(&source()));
    assert_eq!(
        text,
        "digraph G {\n  rankdir = \"RL\";\n  node [shape = rect, fontname = \"sans-serif\"];\n  \
         \"fake_child.b\" [label=\"fake_child.b\"];\n  \
         \"fake_child.c\" [label=\"fake_child.c\"];\n  \
         \"fake_thing.a\" [label=\"fake_thing.a\"];\n  \
         \"fake_child.b\" -> \"fake_thing.a\";\n  \
         \"fake_child.c\" -> \"fake_child.b\";\n}\n",
        "fake_child.c reaches fake_thing.a through fake_child.b"
    );
}

#[test]
fn plan_graph_is_transitively_reduced_and_closes_providers() {
    let text = plan_dot(&graph(&source()), &|local| {
        format!("registry.terraform.io/hashicorp/{local}")
    });
    let provider = "[root] provider[\\\"registry.terraform.io/hashicorp/fake\\\"]";
    assert!(text.starts_with("digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n"));
    assert!(text.contains("\t\t\"[root] var.tier\" [label = \"var.tier\", shape = \"note\"]\n"));
    assert!(text.contains(&format!(
        "\t\t\"[root] fake_thing.a (expand)\" -> \"{provider}\"\n"
    )));
    assert!(
        text.contains("\t\t\"[root] fake_child.c (expand)\" -> \"[root] fake_child.b (expand)\"\n")
    );
    // fake_child.c reaches fake_thing.a through fake_child.b: the direct edge is redundant.
    assert!(!text.contains("\"[root] fake_child.c (expand)\" -> \"[root] fake_thing.a (expand)\""));
    assert!(text.contains(&format!(
        "\t\t\"{provider} (close)\" -> \"[root] fake_child.c (expand)\"\n"
    )));
    assert!(text.contains("\t\t\"[root] root\" -> \"[root] output.c (expand)\"\n"));
}

#[test]
fn transitive_reduction_drops_edges_implied_by_longer_paths() {
    let mut edges = BTreeMap::new();
    edges.insert(
        "a".to_string(),
        ["b".to_string(), "c".to_string()].into_iter().collect(),
    );
    edges.insert("b".to_string(), ["c".to_string()].into_iter().collect());
    let reduced = transitive_reduction(&edges);
    assert_eq!(reduced["a"].iter().collect::<Vec<_>>(), vec!["b"]);
    assert_eq!(reduced["b"].iter().collect::<Vec<_>>(), vec!["c"]);
    assert_eq!(quote("provider[\"x\"]"), "\"provider[\\\"x\\\"]\"");
}
