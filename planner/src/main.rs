//! The `tenantform` program: sets up logging (`TF_LOG` / `TENANTFORM_LOG`, off by default,
//! to stderr), runs the command line on a tokio runtime and exits with its code. A panic on
//! any thread prints Terraform's crash banner and exits with status 11 (`crash`).

use tenantform::EVALUATION_STACK;
use tracing_subscriber::EnvFilter;

/// The allocator: planning a fleet allocates and frees millions of small values, which
/// mimalloc serves in about two thirds of the system allocator's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    tenantform_proto::crash::install_crash_handler("tenantform");
    init_logging();
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let main = std::thread::Builder::new()
        .name("main".into())
        .stack_size(EVALUATION_STACK)
        .spawn(move || run(args));
    let code = match main.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => 101,
        Err(err) => {
            eprintln!("Error: failed to start the main thread: {err}");
            1
        }
    };
    std::process::exit(code);
}

fn run(args: Vec<String>) -> i32 {
    // One thread runs the evaluation and the provider connections: a plan's work is a long
    // chain of short steps (evaluate, call, evaluate), and handing each call to a worker
    // thread and its answer back cost more CPU than the calls themselves (measured in
    // docs/PERFORMANCE.md). Blocking work (provisioners, file reads of remote state) still
    // goes to the blocking pool.
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_stack_size(EVALUATION_STACK)
        .build()
    {
        Ok(runtime) => runtime.block_on(tenantform::run(args)),
        Err(err) => {
            eprintln!("Error: failed to start the runtime: {err}");
            1
        }
    }
}
