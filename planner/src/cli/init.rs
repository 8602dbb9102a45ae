//! `tenantform init`: configures the state backend the configuration names (saving
//! `-backend-config` values and checking that the backend answers), resolves the
//! configuration's providers and checks that each one can be launched and answers with its
//! schema. Nothing is downloaded.

use super::args::Flag;
use super::backend::{self, SavedBackendConfig};
use super::common;
use super::{CommandResult, Failure, Ui};
use crate::state::StateStore;

pub const USAGE: &str = "Usage: tenantform [global options] init [options]

  Initialize a new or existing tenantform working directory: configure the
  state backend, find the provider plugins the configuration requires (beside
  the tenantform binary, in .tenantform/plugins, or on PATH) and check that
  each one starts.

Options:

  -backend-config=KEY=VALUE  Sets a backend setting, overriding the backend
                             block (repeatable; a file of KEY = \"VALUE\"
                             lines is accepted too).
  -reconfigure               Forget backend settings saved by an earlier init.
  -input=false               Disable interactive prompts.
  -no-color                  If specified, output won't contain any color.
";

pub async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let extra = [
        Flag::bool("upgrade"),
        Flag::bool("reconfigure"),
        Flag::repeated("backend-config"),
    ];
    let parsed = common::parse(args, &extra, USAGE)?;
    parsed
        .at_most(0, "")
        .map_err(|e| Failure::Usage(e.to_string(), USAGE))?;
    let config = common::load_config()?;
    if parsed.flag("reconfigure", false) {
        backend::forget_backend_config();
    }
    if let Some(configured) = &config.backend {
        ui.out(&format!("\n{}\n", ui.bold("Initializing the backend...")));
        let values = parsed.all("backend-config");
        if !values.is_empty() {
            let settings = backend::parse_backend_config(&configured.kind, values)?;
            backend::save_backend_config(&SavedBackendConfig {
                kind: configured.kind.clone(),
                settings,
            })?;
        }
        let store = backend::open_store(Some(configured))?;
        store
            .read()
            .map_err(|e| common::state_failure(e, "Failed to get existing workspaces"))?;
        ui.out(&format!(
            "\n{}\ntenantform will automatically use this backend unless the backend \
             configuration changes.\n",
            ui.green(&format!(
                "Successfully configured the backend \"{}\"!",
                configured.kind
            ))
        ));
    }
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
