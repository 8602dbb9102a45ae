//! The provisioner seam: how the engine runs a `local-exec` provisioner's command. The
//! process runner is the real one; engine tests use an in-process fake. Like Terraform, the
//! command runs under `/bin/sh -c` unless an interpreter is given, with the program's
//! environment plus the provisioner's `environment`, and its standard output and error are
//! merged and handed over line by line.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// How much of a failed command's output its error message repeats (Terraform keeps 8 KiB).
const MAX_ERROR_OUTPUT: usize = 8 * 1024;

/// A `local-exec` provisioner's evaluated arguments.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LocalExec {
    pub command: String,
    /// The program and arguments the command is appended to; `/bin/sh -c` when empty.
    pub interpreter: Vec<String>,
    pub working_dir: Option<String>,
    pub environment: BTreeMap<String, String>,
    /// `quiet = true`: the command line is not shown.
    pub quiet: bool,
}

impl LocalExec {
    /// The full command line: the interpreter, then the command.
    pub(crate) fn argv(&self) -> Vec<String> {
        let mut argv = if self.interpreter.is_empty() {
            vec!["/bin/sh".to_string(), "-c".to_string()]
        } else {
            self.interpreter.clone()
        };
        argv.push(self.command.clone());
        argv
    }
}

/// Where a running command's output goes, one line at a time.
pub(crate) type LineSink<'a> = &'a (dyn for<'l> Fn(&'l str) + Send + Sync);

/// Runs provisioner commands. `output` receives each line the command prints.
#[async_trait::async_trait]
pub(crate) trait ProvisionerRunner: Send + Sync {
    /// Runs the command to its end; `Err` says why it failed (with the end of its output).
    async fn local_exec(&self, request: &LocalExec, output: LineSink<'_>) -> Result<(), String>;
}

/// Runs commands as child processes.
pub(crate) struct ProcessRunner;

#[async_trait::async_trait]
impl ProvisionerRunner for ProcessRunner {
    async fn local_exec(&self, request: &LocalExec, output: LineSink<'_>) -> Result<(), String> {
        let request = request.clone();
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
        let running = tokio::task::spawn_blocking(move || run(&request, &sender));
        while let Some(line) = receiver.recv().await {
            output(&line);
        }
        running.await.map_err(|e| e.to_string())?
    }
}

/// Runs the command with its output merged into one pipe, sending each line.
fn run(
    request: &LocalExec,
    lines: &tokio::sync::mpsc::UnboundedSender<String>,
) -> Result<(), String> {
    let argv = request.argv();
    let (reader, writer) =
        std::io::pipe().map_err(|e| format!("Failed to initialize pipe for output: {e}"))?;
    let error_writer = writer
        .try_clone()
        .map_err(|e| format!("Failed to initialize pipe for output: {e}"))?;
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .envs(&request.environment)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(error_writer);
    if let Some(dir) = request.working_dir.as_deref().filter(|d| !d.is_empty()) {
        command.current_dir(dir);
    }
    let spawned = command.spawn();
    // The command holds the pipe's write ends now; ours must go for the reader to end.
    drop(command);
    let mut child = spawned.map_err(|e| exit_error(request, &e.to_string(), &[]))?;
    let mut tail = Vec::new();
    read_lines(reader, lines, &mut tail);
    let status = child
        .wait()
        .map_err(|e| exit_error(request, &e.to_string(), &tail))?;
    if status.success() {
        return Ok(());
    }
    let reason = match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "signal: killed".to_string(),
    };
    Err(exit_error(request, &reason, &tail))
}

fn read_lines(
    reader: impl Read,
    lines: &tokio::sync::mpsc::UnboundedSender<String>,
    tail: &mut Vec<u8>,
) {
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
        tail.extend_from_slice(&line);
        if tail.len() > MAX_ERROR_OUTPUT {
            tail.drain(..tail.len() - MAX_ERROR_OUTPUT);
        }
        let text = String::from_utf8_lossy(&line);
        let _ = lines.send(text.trim_end_matches(['\n', '\r']).to_string());
        line.clear();
    }
}

/// Terraform's message for a failed command.
fn exit_error(request: &LocalExec, reason: &str, output: &[u8]) -> String {
    format!(
        "Error running command '{}': {reason}. Output: {}",
        request.command,
        String::from_utf8_lossy(output)
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn exec(command: &str) -> LocalExec {
        LocalExec {
            command: command.to_string(),
            interpreter: Vec::new(),
            working_dir: None,
            environment: BTreeMap::from([("GREETING".to_string(), "hello".to_string())]),
            quiet: false,
        }
    }

    #[tokio::test]
    async fn output_arrives_line_by_line_with_stderr_merged() {
        let seen = Mutex::new(Vec::new());
        let result = ProcessRunner
            .local_exec(&exec("echo $GREETING; echo oops >&2"), &|line| {
                seen.lock().unwrap().push(line.to_string());
            })
            .await;
        assert_eq!(result, Ok(()));
        assert_eq!(*seen.lock().unwrap(), vec!["hello", "oops"]);
    }

    #[tokio::test]
    async fn a_failing_command_names_its_exit_status_and_output() {
        let error = ProcessRunner
            .local_exec(&exec("echo partial; exit 3"), &|_| {})
            .await
            .unwrap_err();
        assert_eq!(
            error,
            "Error running command 'echo partial; exit 3': exit status 3. Output: partial\n"
        );
        let interpreter = LocalExec {
            interpreter: vec!["/nonexistent/interpreter".into()],
            ..exec("x")
        };
        let error = ProcessRunner
            .local_exec(&interpreter, &|_| {})
            .await
            .unwrap_err();
        assert!(error.starts_with("Error running command 'x': "), "{error}");
    }
}

/// An in-process runner for engine tests: records each request, prints the command as its
/// only output line, and fails the commands named `false`.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct RecordingRunner {
    pub requests: std::sync::Mutex<Vec<LocalExec>>,
}

#[cfg(test)]
#[async_trait::async_trait]
impl ProvisionerRunner for RecordingRunner {
    async fn local_exec(&self, request: &LocalExec, output: LineSink<'_>) -> Result<(), String> {
        crate::sync::locked(&self.requests).push(request.clone());
        output(&request.command);
        if request.command == "false" {
            return Err(exit_error(request, "exit status 1", &[]));
        }
        Ok(())
    }
}
