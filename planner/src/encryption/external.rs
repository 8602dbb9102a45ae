//! The `external` key provider, OpenTofu's protocol: the configured command prints a header
//! line (`{"magic":"OpenTofu-External-Key-Provider","version":1}`), reads the stored
//! metadata on its standard input (`null` when only encrypting), and prints
//! `{"keys":{"encryption_key":B64,"decryption_key":B64},"meta":{"external_data":{...}}}`.
//! The `meta` it returns is stored in the envelope and handed back when decrypting.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::attributes::Attributes;
use super::pbkdf2::base64_field;

/// The header's magic string.
const HEADER_MAGIC: &str = "OpenTofu-External-Key-Provider";
/// How long the command may run, as in OpenTofu.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A configured `external` key provider.
#[derive(Clone, Debug)]
pub(crate) struct External {
    command: Vec<String>,
}

/// The metadata exchanged with the command and stored in the envelope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct ExternalMeta {
    #[serde(default)]
    pub external_data: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct Header {
    magic: String,
    version: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Output {
    keys: Keys,
    #[serde(default)]
    meta: ExternalMeta,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    #[serde(with = "base64_field")]
    encryption_key: Vec<u8>,
    #[serde(default, with = "base64_field")]
    decryption_key: Vec<u8>,
}

/// What the command answered.
pub(super) struct Provided {
    pub encryption_key: Vec<u8>,
    pub decryption_key: Option<Vec<u8>>,
    pub meta: ExternalMeta,
}

impl External {
    pub(super) fn from_attributes(attrs: &Attributes) -> Result<External, ConfigError> {
        attrs.only(&["command", "encrypted_metadata_alias"])?;
        match attrs.string_list("command")? {
            Some(command) if !command.is_empty() => Ok(External { command }),
            _ => Err(attrs.error("the command option is required")),
        }
    }

    /// Runs the command with the stored metadata (`None` when only encrypting).
    pub(super) fn provide(&self, meta: Option<&ExternalMeta>) -> Result<Provided, String> {
        let input = match meta.and_then(|m| m.external_data.as_ref()) {
            Some(_) => serde_json::to_vec(&meta).unwrap_or_default(),
            None => b"null".to_vec(),
        };
        let (status, stdout, stderr) = run(&self.command, &input)?;
        if !status.success() {
            return Err(format!(
                "the external command exited with a non-zero exit code ({status})\n\nStderr:\n\
                 -------\n{stderr}"
            ));
        }
        let text = String::from_utf8_lossy(&stdout);
        let Some((header_line, rest)) = text.split_once('\n') else {
            return Err("external key provider protocol failure: no header line".into());
        };
        let header: Header = serde_json::from_str(header_line)
            .map_err(|err| format!("failed to unmarshal header from external binary ({err})"))?;
        if header.magic != HEADER_MAGIC {
            return Err("invalid magic received from external key provider".into());
        }
        if header.version != 1 {
            return Err(format!(
                "invalid version number received from external key provider: {}",
                header.version
            ));
        }
        let output: Output = serde_json::from_str(rest).map_err(|err| {
            format!(
                "the external command returned an invalid JSON response ({err})\n\nStderr:\n\
                 -------\n{stderr}"
            )
        })?;
        Ok(Provided {
            encryption_key: output.keys.encryption_key,
            decryption_key: Some(output.keys.decryption_key).filter(|key| !key.is_empty()),
            meta: output.meta,
        })
    }
}

/// Runs `command` with `input` on its standard input, within [`TIMEOUT`].
fn run(
    command: &[String],
    input: &[u8],
) -> Result<(std::process::ExitStatus, Vec<u8>, String), String> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| "the command option is required".to_string())?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("could not start the external command {program:?}: {err}"))?;
    let stdin = child.stdin.take();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&input);
        }
    });
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the external command did not finish within a minute".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(err) => return Err(format!("could not wait for the external command: {err}")),
        }
    };
    let _ = writer.join();
    let collect = |handle: Option<std::thread::JoinHandle<Vec<u8>>>| {
        handle.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let stdout = collect(stdout);
    let stderr = String::from_utf8_lossy(&collect(stderr))
        .trim_end()
        .to_string();
    Ok((status, stdout, stderr))
}

/// Reads a pipe to its end on a thread of its own.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}
