//! Runs child processes with a chosen environment and a timeout, captures their output while
//! they run (so a test can wait for a prompt), and finds their children through `/proc`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a single command may run unless a test says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// What a finished command produced.
#[derive(Clone, Debug)]
pub struct Output {
    pub command: String,
    /// `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout followed by stderr, for assertions that do not care where a message went.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics, showing everything the command printed, unless it exited with `expected`.
    pub fn expect_code(&self, expected: i32) -> &Output {
        assert_eq!(
            self.code,
            Some(expected),
            "`{}` exited with {:?}, expected {expected}\n{}",
            self.command,
            self.code,
            self.describe()
        );
        self
    }

    pub fn expect_success(&self) -> &Output {
        self.expect_code(0)
    }

    /// Panics unless the command exited with a non-zero code (not a signal).
    pub fn expect_failure(&self) -> &Output {
        assert!(
            matches!(self.code, Some(code) if code != 0),
            "`{}` was expected to fail but exited with {:?}\n{}",
            self.command,
            self.code,
            self.describe()
        );
        self
    }

    /// Panics, showing everything the command printed, unless its stdout contains `text`.
    #[track_caller]
    pub fn expect_stdout_has(&self, text: &str) -> &Output {
        assert!(self.stdout.contains(text), "{}", self.describe());
        self
    }

    /// Panics, showing everything the command printed, unless its stderr contains `text`.
    #[track_caller]
    pub fn expect_stderr_has(&self, text: &str) -> &Output {
        assert!(self.stderr.contains(text), "{}", self.describe());
        self
    }

    /// The command line with its output, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "--- command: {}\n--- exit: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

/// A command line with its working directory and complete environment.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
}

impl CommandSpec {
    pub fn display(&self) -> String {
        let name = self
            .program
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::iter::once(name)
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The same command with `name=value` added to its environment.
    pub fn with_env_var(mut self, name: &str, value: &str) -> CommandSpec {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.cwd)
            .env_clear()
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs to completion with no standard input, panicking after `timeout`.
    pub fn run(&self, timeout: Duration) -> Output {
        self.spawn(false).wait(timeout)
    }

    /// Starts the command; with `keep_stdin` the test holds its standard input open.
    pub fn spawn(&self, keep_stdin: bool) -> RunningProcess {
        let mut command = self.command();
        command.stdin(if keep_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start `{}`: {error}", self.display()));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(child.stdout.take().expect("stdout is piped"), &stdout),
            collect(child.stderr.take().expect("stderr is piped"), &stderr),
        ];
        RunningProcess {
            command: self.display(),
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            readers,
        }
    }
}

fn collect(mut source: impl Read + Send + 'static, sink: &Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    let sink = Arc::clone(sink);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        loop {
            match source.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => sink
                    .lock()
                    .expect("output buffer lock")
                    .extend_from_slice(&buffer[..read]),
            }
        }
    })
}

/// A started command whose output is collected in the background.
pub struct RunningProcess {
    command: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

impl RunningProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the process printed so far, stdout then stderr.
    pub fn output_so_far(&self) -> String {
        let stdout = self.stdout.lock().expect("output buffer lock");
        let stderr = self.stderr.lock().expect("output buffer lock");
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        )
    }

    /// Whether the process has exited (without reaping its output).
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits until the output contains `needle`; panics on timeout or early exit.
    pub fn wait_for_output(&mut self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.output_so_far().contains(needle) {
                return;
            }
            let exited = self.has_exited();
            if exited || Instant::now() >= deadline {
                std::thread::sleep(POLL_INTERVAL);
                panic!(
                    "`{}` did not print {needle:?} (exited: {exited}):\n{}",
                    self.command,
                    self.output_so_far()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Writes to the process's standard input (when it was kept open).
    pub fn write_stdin(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("standard input was kept open");
        stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush())
            .expect("write to standard input");
    }

    /// Closes the process's standard input, so that it reads end-of-file.
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Sends SIGKILL to the process itself (not its children).
    pub fn kill_hard(&mut self) {
        // `Child::kill` sends SIGKILL on Unix.
        let _ = self.child.kill();
    }

    /// Waits for the exit, panicking (after killing the process) when `timeout` passes.
    pub fn wait(mut self, timeout: Duration) -> Output {
        let deadline = Instant::now() + timeout;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL_INTERVAL),
                Ok(None) => {
                    let children = child_pids(self.pid());
                    self.kill_hard();
                    for pid in children {
                        kill_pid(pid);
                    }
                    let _ = self.child.wait();
                    panic!(
                        "`{}` did not finish within {timeout:?}; output so far:\n{}",
                        self.command,
                        self.output_so_far()
                    );
                }
                Err(error) => panic!("cannot wait for `{}`: {error}", self.command),
            }
        };
        self.finish(status)
    }

    fn finish(mut self, status: ExitStatus) -> Output {
        drop(self.stdin.take());
        // A grandchild that inherited the pipes may keep them open; do not wait forever.
        let deadline = Instant::now() + Duration::from_secs(5);
        for reader in std::mem::take(&mut self.readers) {
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(POLL_INTERVAL);
            }
            if reader.is_finished() {
                let _ = reader.join();
            }
        }
        let stdout = String::from_utf8_lossy(&self.stdout.lock().expect("lock")).into_owned();
        let stderr = String::from_utf8_lossy(&self.stderr.lock().expect("lock")).into_owned();
        Output {
            command: self.command.clone(),
            code: status.code(),
            stdout,
            stderr,
        }
    }
}

impl Drop for RunningProcess {
    /// A test that fails while a command still runs must not leave it (or its provider)
    /// running: kill both.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let children = child_pids(self.pid());
            self.kill_hard();
            for pid in children {
                kill_pid(pid);
            }
            let _ = self.child.wait();
        }
    }
}

/// Process ids whose parent is `parent`, read from `/proc/<pid>/stat`.
pub fn child_pids(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_pid(pid) == Some(parent))
        .collect()
}

fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`; comm may contain spaces, so split after the last ')'.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

/// The executable of a running process (`/proc/<pid>/exe`).
pub fn executable_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// Whether a process exists and is not a zombie.
pub fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after_comm = stat[stat.rfind(')')? + 1..].to_string();
            after_comm.split_whitespace().next().map(str::to_string)
        })
        .is_some_and(|state| state != "Z" && state != "X")
}

/// Sends SIGKILL to any process by id.
pub fn kill_pid(pid: u32) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) has no memory-safety preconditions; errors (no such process) are fine.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

/// Children of `parent` whose executable is `binary` (compared by file name).
pub fn children_running(parent: u32, binary: &Path) -> Vec<u32> {
    let wanted = binary.file_name();
    child_pids(parent)
        .into_iter()
        .filter(|&pid| executable_of(pid).is_some_and(|exe| exe.file_name() == wanted))
        .collect()
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}
