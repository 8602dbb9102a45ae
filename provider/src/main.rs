//! `terraform-provider-tenant`: started by Terraform or tenantform, it performs the go-plugin
//! handshake on stdout and serves the provider over mTLS gRPC until told to stop. Run by hand
//! as `terraform-provider-tenant audit list|verify`, it reads the audit log instead (see `cli`).
//!
//! A panic on any thread prints Terraform's crash banner naming this program and exits with
//! status 11 (`tenantform_proto::crash`).
//!
//! Logs go to stderr only (stdout is the handshake channel). The level comes from
//! `TENANT_LOG`, else `TF_LOG_PROVIDER`, else `TF_LOG` (`trace`, `debug`, `info`, `warn`,
//! `error`; Terraform's `JSON` means `trace`), and defaults to `warn`.

mod cli;

use std::process::ExitCode;

use anyhow::Context;
use terraform_provider_tenant::TenantProvider;
use tracing_subscriber::EnvFilter;

/// The allocator: every call decodes, copies and encodes many small values, which mimalloc
/// serves faster than the system allocator (the core uses it for the same reason).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_LOG_LEVEL: &str = "warn";

fn log_filter() -> EnvFilter {
    let level = ["TENANT_LOG", "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        })
        .map(|value| match value.trim().to_ascii_lowercase().as_str() {
            "json" => "trace".to_string(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| DEFAULT_LOG_LEVEL.to_string());
    EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_LEVEL))
}

fn main() -> anyhow::Result<ExitCode> {
    tenantform_proto::crash::install_crash_handler(env!("CARGO_PKG_NAME"));
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if cli::is_command(&arguments) {
        return Ok(cli::run(&arguments));
    }
    if arguments
        .iter()
        .any(|a| a == "--version" || a == "-version" || a == "version")
    {
        println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
        return Ok(ExitCode::SUCCESS);
    }

    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    // One async worker: the calls of a plan are short and arrive pipelined on one connection,
    // and a second worker only adds thread wake-ups between the two (measured in
    // docs/PERFORMANCE.md). Slow backend work still runs on the blocking pool.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime
        .block_on(tenantform_proto::handshake::serve(TenantProvider::new()))
        .context("serving the provider")?;
    Ok(ExitCode::SUCCESS)
}
