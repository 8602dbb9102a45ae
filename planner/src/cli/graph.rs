//! `tenantform graph [-type=plan]`: the configuration's dependency graph in the DOT
//! language; by default the resources only, as Terraform 1.7+ prints it.

use super::args::{self, Flag};
use super::{CommandResult, Failure, Ui, common};
use crate::graph::{ConfigGraph, dot};
use crate::providers;

pub const USAGE: &str = "Usage: tenantform [global options] graph [options]

  Produces a representation of the dependency graph between different
  objects in the current configuration and state.

  By default the graph shows a summary only of the relationships between
  resources in the configuration, since those are the main objects that
  have side-effects whose ordering is significant. You can generate more
  detailed graphs reflecting tenantform's actual evaluation strategy
  by specifying the -type=TYPE option to select an operation type.

  The graph is presented in the DOT language. The typical program that can
  read this format is GraphViz, but many web services are also available
  to read this format.

Options:

  -type=TYPE          Type of operation graph to output. Can be: plan,
                      plan-refresh-only, plan-destroy, or apply. By default
                      tenantform just summarizes the relationships between the
                      resources in your configuration, without any particular
                      operation in mind.

  -draw-cycles        Accepted for compatibility; cycles are reported as errors.

  -var 'foo=bar'      Set a value for one of the input variables in the root
                      module of the configuration.

  -var-file=filename  Load variable values from the given file.
";

pub async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = args::parse(
        args,
        &[
            Flag::value("type"),
            Flag::bool("draw-cycles"),
            Flag::value("module-depth"),
            Flag::bool("no-color"),
            Flag::repeated("var"),
            Flag::repeated("var-file"),
        ],
    )
    .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    parsed
        .at_most(0, "Expected no positional arguments.")
        .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    let detailed = match parsed.last("type").unwrap_or("") {
        "" => false,
        "plan" | "plan-refresh-only" | "plan-destroy" | "apply" => true,
        other => {
            return Err(Failure::Usage(
                format!("Graph type no longer available: {other}"),
                USAGE,
            ));
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
