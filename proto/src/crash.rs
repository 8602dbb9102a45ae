//! The crash handler both programs install first thing: a panic on any thread prints
//! Terraform's crash banner (adapted to name the program), the panic message and the stack on
//! stderr, and exits with Terraform's crash status 11. It takes none of the program's locks
//! and touches no state: other threads may hold locks, and every finished change is already
//! durable. (Writing to stderr waits only for a write in progress on another thread.)

use std::backtrace::Backtrace;
use std::io::Write;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit status after a crash, Terraform's: out of the way of `plan -detailed-exitcode`'s
/// 0, 1 and 2, and the number of SIGSEGV.
pub const CRASH_EXIT_CODE: i32 = 11;

/// Set by the first panicking thread; later ones wait for it to end the process.
static CRASHING: AtomicBool = AtomicBool::new(false);

/// Installs the crash handler for `program` (its command name, e.g. `tenantform`).
pub fn install_crash_handler(program: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        if CRASHING.swap(true, Ordering::SeqCst) {
            // Another thread is printing its report and will end the process.
            loop {
                std::thread::park();
            }
        }
        let report = crash_report(
            program,
            &panic_message(info),
            &panic_place(info),
            &Backtrace::force_capture().to_string(),
        );
        // The raw stderr file descriptor is unbuffered; a failed write cannot be reported.
        let _ = std::io::stderr().write_all(report.as_bytes());
        std::process::exit(CRASH_EXIT_CODE);
    }));
}

/// The whole report: the banner, `panic: MESSAGE`, where and on which thread, and the stack.
pub fn crash_report(program: &str, message: &str, place: &str, stack: &str) -> String {
    let marker = format!(
        "!!!!!!!!!!!!!!!!!!!!!!!!!!! {} CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        program.to_uppercase()
    );
    format!(
        "\n{marker}\n\n\
         {program} crashed! This is always indicative of a bug within {program}.\n\
         Please report the crash with the output below so that we can fix this.\n\n\
         When reporting bugs, please include your {program} version, the stack trace\n\
         shown below, and any additional information which may help replicate the issue.\n\n\
         {marker}\n\n\
         panic: {message}\n\
         {place}\n\n\
         {stack}\n"
    )
}

/// The panic's payload as text (`panic!` with a literal or with format arguments).
fn panic_message(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

/// `thread 'NAME' panicked at FILE:LINE:COLUMN`, as Rust's own report says it.
fn panic_place(info: &PanicHookInfo<'_>) -> String {
    let current = std::thread::current();
    let thread = current.name().unwrap_or("<unnamed>");
    match info.location() {
        Some(location) => format!("thread '{thread}' panicked at {location}"),
        None => format!("thread '{thread}' panicked"),
    }
}

#[cfg(test)]
mod tests;
