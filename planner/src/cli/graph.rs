//! `tenantform graph [-type=plan]`: the configuration's dependency graph in the DOT
//! language; by default the resources only, as Terraform 1.7+ prints it.

use super::args::Flag;
use super::{CommandResult, Ui, common};
use crate::cli::commands::Command;
use crate::cli::flag_defs;
use crate::graph::{ConfigGraph, dot};
use crate::providers;

pub(super) static COMMAND: Command = Command {
    name: "graph",
    arguments: "[options]",
    about: "  Produces a representation of the dependency graph between different
  objects in the current configuration and state.

  By default the graph shows a summary only of the relationships between
  resources in the configuration, since those are the main objects that
  have side-effects whose ordering is significant. You can generate more
  detailed graphs reflecting tenantform's actual evaluation strategy
  by specifying the -type=TYPE option to select an operation type.

  The graph is presented in the DOT language. The typical program that can
  read this format is GraphViz, but many web services are also available
  to read this format.",
    flags: &[
        Flag::value(
            "type",
            "=TYPE",
            "Type of operation graph to output. Can be: plan, plan-refresh-only, plan-destroy, or apply. By default tenantform just summarizes the relationships between the resources in your configuration, without any particular operation in mind.",
        ),
        Flag::bool(
            "draw-cycles",
            "Highlight any cycles in the graph with colored edges. tenantform reports a cycle as an error instead, so there is never one to draw.",
        ),
        Flag::value(
            "module-depth",
            "=n",
            "(deprecated) No longer has any effect, as in Terraform.",
        ),
        flag_defs::NO_COLOR,
    ],
    refused: &["plan", "format", "verbose", "var", "var-file"],
};

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse_at_most(args, 0, "Expected no positional arguments.")?;
    let detailed = match parsed.last("type").unwrap_or("") {
        "" => false,
        "plan" | "plan-refresh-only" | "plan-destroy" | "apply" => true,
        other => {
            return Err(COMMAND.usage_error(format!("Graph type no longer available: {other}")));
        }
    };
    let config = common::load_config()?;
    let graph =
        ConfigGraph::build(&config).map_err(|diags| common::with_sources(diags, &config))?;
    let text = if detailed {
        let sources = providers::required_providers(&config);
        let source_of = |local: &str| {
            let source = sources
                .iter()
                .find(|(name, _)| name == local)
                .map(|(_, source)| source.clone())
                .unwrap_or_else(|| format!("hashicorp/{local}"));
            qualified_source(&source)
        };
        dot::plan_dot(&graph, &source_of)
    } else {
        dot::resources_dot(&graph)
    };
    ui.out(&text);
    Ok(0)
}

/// A provider source with its registry host (`registry.terraform.io/` when omitted).
fn qualified_source(source: &str) -> String {
    if source.split('/').count() >= 3 {
        source.to_string()
    } else {
        format!("registry.terraform.io/{source}")
    }
}
