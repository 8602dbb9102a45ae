//! `tenantform validate [-json]`: checks the configuration against the providers' schemas,
//! without state or remote calls that change anything.

use serde_json::json;

use super::args::Flag;
use super::{CommandResult, Failure, Ui, common};
use crate::diags::{Diagnostics, Severity};
use crate::engine;

pub const USAGE: &str = "Usage: tenantform [global options] validate [options]

  Validate the configuration files in a directory.

Options:

  -json        Produce output in a machine-readable JSON format.
  -no-color    If specified, output won't contain any color.
";

fn json_report(diags: &Diagnostics) -> serde_json::Value {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let list: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let mut entry =
                json!({"severity": d.severity, "summary": d.summary, "detail": d.detail});
            if let Some(range) = &d.range {
                entry["range"] = serde_json::to_value(range).unwrap_or_default();
            }
            entry
        })
        .collect();
    json!({
        "format_version": "1.0",
        "valid": !diags.has_errors(),
        "error_count": count(Severity::Error),
        "warning_count": count(Severity::Warning),
        "diagnostics": list,
    })
}

pub async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = common::parse(args, &[Flag::bool("json")], USAGE)?;
    parsed
        .at_most(0, "")
        .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    let as_json = parsed.flag("json", false);
    let outcome = async {
        let config = common::load_config()?;
        let providers = common::start_providers(&config).await?;
        let diags = engine::validate(&config, &providers).await;
        common::close_providers(&providers).await;
        Ok::<_, Failure>((diags, config.sources))
    }
    .await;
    let (diags, sources) = match outcome {
        Ok(found) => found,
        Err(Failure::Diags(diags, sources)) => (diags, sources),
        Err(usage) => return Err(usage),
    };
    if as_json {
        let report = serde_json::to_string_pretty(&json_report(&diags)).unwrap_or_default();
        ui.out(&format!("{report}\n"));
        return Ok(i32::from(diags.has_errors()));
    }
    if diags.has_errors() {
        return Err(Failure::Diags(diags, sources));
    }
    ui.diags(&diags, &sources);
    ui.out(&format!(
        "{} The configuration is valid.\n",
        ui.green("Success!")
    ));
    Ok(0)
}
