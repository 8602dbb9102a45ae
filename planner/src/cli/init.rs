//! `tenantform init`: resolves the configuration's providers and checks that each one can be
//! launched and answers with its schema. Nothing is downloaded.

use super::common;
use super::{CommandResult, Ui};

pub const USAGE: &str = "Usage: tenantform [global options] init [options]

  Initialize a new or existing tenantform working directory: find the provider
  plugins the configuration requires (beside the tenantform binary, in
  .tenantform/plugins, or on PATH) and check that each one starts.

Options:

  -input=false   Disable interactive prompts.
  -no-color      If specified, output won't contain any color.
";

pub async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = common::parse(args, &[super::args::Flag::bool("upgrade")], USAGE)?;
    parsed
        .at_most(0, "")
        .map_err(|e| super::Failure::Usage(e.to_string(), USAGE))?;
    let config = common::load_config()?;
    ui.out(&format!(
        "\n{}\n",
        ui.bold("Initializing provider plugins...")
    ));
    let providers = common::start_providers(&config).await?;
    for (name, source) in &providers.sources {
        ui.out(&format!("- Using {source} ({name})\n"));
    }
    common::close_providers(&providers).await;
    ui.out(&format!(
        "\n{}\n\nYou may now begin working with tenantform. Try running \"tenantform plan\" to see\n\
         any changes that are required for your infrastructure. All tenantform commands\n\
         should now work.\n",
        ui.green("tenantform has been successfully initialized!")
    ));
    Ok(0)
}
