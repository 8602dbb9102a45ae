//! The command line beside the plugin: `terraform-provider-tenant audit list|verify`, run
//! instead of the plugin handshake when the first argument names a command.
//!
//! The backend is chosen as in the provider block: `--backend embedded|postgres`, `--path DIR`,
//! `--dsn DSN`, `--archive-dir DIR`, `--storage-root DIR`, each falling back to its `TENANT_*`
//! environment variable.

mod args;
mod audit;

use std::process::ExitCode;

/// The exit code of a usage error.
const USAGE_ERROR: u8 = 2;

const USAGE: &str = "\
usage: terraform-provider-tenant audit list [--json] [BACKEND FLAGS]
       terraform-provider-tenant audit verify [BACKEND FLAGS]

backend flags (each defaults to its TENANT_* environment variable):
  --backend embedded|postgres   which backend holds the audit log (default embedded)
  --path DIR                    the embedded backend's folder (default .tenants)
  --dsn DSN                     the PostgreSQL connection string
  --archive-dir DIR             the archive directory
  --storage-root DIR            the storage root

audit list     prints one line per entry: seq, at, actor, action, resource, resource_id
               (tab-separated); --json prints each entry as one JSON object per line
audit verify   recomputes the hash chain; exits 0 when intact, 1 when broken";

/// Whether `arguments` (without the program name) ask for a command rather than the plugin.
pub(crate) fn is_command(arguments: &[String]) -> bool {
    matches!(arguments.first().map(String::as_str), Some("audit"))
}

/// Runs the command and returns the process exit code.
pub(crate) fn run(arguments: &[String]) -> ExitCode {
    let parsed = match args::parse(arguments) {
        Ok(parsed) => parsed,
        Err(args::ParseError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(args::ParseError::Invalid(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    audit::run(&parsed)
}
