//! The `tenantform` program: sets up logging (`TF_LOG` / `TENANTFORM_LOG`, off by default,
//! to stderr), runs the command line on a tokio runtime and exits with its code.

use tracing_subscriber::EnvFilter;

fn init_logging() {
    let level = std::env::var("TENANTFORM_LOG")
        .or_else(|_| std::env::var("TF_LOG"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let level = match level.as_str() {
        "" | "off" => return,
        "json" => "trace".to_string(),
        other => other.to_string(),
    };
    let filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("trace"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() {
    init_logging();
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let code = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(tenantform::cli::run(args)),
        Err(err) => {
            eprintln!("Error: failed to start the runtime: {err}");
            1
        }
    };
    std::process::exit(code);
}
