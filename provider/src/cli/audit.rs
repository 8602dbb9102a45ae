//! `audit list` and `audit verify`: read the backend's audit log, print it, recompute its hash
//! chain. The backend is opened exactly as the provider opens it.

use std::io::Write;
use std::process::ExitCode;

use terraform_provider_tenant::backend::embedded::CATALOG_FILE;
use terraform_provider_tenant::backend::{AuditEntry, AuditVerification, Backend};
use terraform_provider_tenant::provider_config::{BackendKind, open_backend, parse};

use super::args::{Arguments, AuditCommand};

/// The exit code of a broken chain or a failure to read the log.
const FAILURE: u8 = 1;

/// One tab-separated line of `audit list`.
pub(super) fn entry_line(entry: &AuditEntry) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        entry.seq, entry.at, entry.actor, entry.action, entry.resource, entry.resource_id
    )
}

/// The line `audit verify` prints for an outcome.
pub(super) fn verification_line(outcome: &AuditVerification) -> String {
    match outcome {
        AuditVerification::Intact { entries } => format!("audit log intact: {entries} entries"),
        AuditVerification::Broken { seq, reason } => {
            format!("audit log broken at entry {seq}: {reason}")
        }
    }
}

fn open(arguments: &Arguments) -> Result<std::sync::Arc<dyn Backend>, String> {
    let config = parse(&arguments.provider_block).map_err(|diagnostics| {
        diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    // Reading the log must not create an empty catalog where none was.
    let catalog = config.path.join(CATALOG_FILE);
    if config.backend == BackendKind::Embedded && !catalog.is_file() {
        return Err(format!(
            "no tenant catalog at {}; pass --path or set TENANT_PATH",
            catalog.display()
        ));
    }
    open_backend(&config).map_err(|d| format!("{}: {}", d.summary, d.detail))
}

fn list(backend: &dyn Backend, json: bool) -> Result<(), String> {
    let entries = backend.audit_entries().map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for entry in &entries {
        let line = if json {
            serde_json::to_string(entry).map_err(|e| e.to_string())?
        } else {
            entry_line(entry)
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Runs an audit command.
pub(super) fn run(arguments: &Arguments) -> ExitCode {
    let backend = match open(arguments) {
        Ok(backend) => backend,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(FAILURE);
        }
    };
    match arguments.command {
        AuditCommand::List { json } => match list(backend.as_ref(), json) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: reading the audit log: {message}");
                ExitCode::from(FAILURE)
            }
        },
        AuditCommand::Verify => match backend.verify_audit() {
            Ok(outcome) => {
                println!("{}", verification_line(&outcome));
                match outcome {
                    AuditVerification::Intact { .. } => ExitCode::SUCCESS,
                    AuditVerification::Broken { .. } => ExitCode::from(FAILURE),
                }
            }
            Err(error) => {
                eprintln!("error: reading the audit log: {error}");
                ExitCode::from(FAILURE)
            }
        },
    }
}
