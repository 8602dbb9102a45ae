//! Terraform's machine-readable UI (`-json` on `plan`, `apply`, `destroy`, `refresh` and
//! `init`): one JSON object per line on stdout, each with `@level`, `@message`, `@module`
//! (`terraform.ui`), `@timestamp` (RFC 3339 with microseconds) and `type`, then the fields
//! of its message type. The payloads themselves are built in [`messages`].

pub(super) mod messages;

use std::io::Write;

use serde_json::{Map, Value as Json};

use crate::diags::{Diagnostics, Severity, Sources, diagnostic_json};

/// The version of the UI format, as Terraform 1.15 reports it in its `version` message.
pub(super) const UI_VERSION: &str = "1.3";

/// The `@module` every line carries.
const MODULE: &str = "terraform.ui";

/// The `@level` of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Writes the lines of the machine-readable UI to stdout.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct JsonView;

impl JsonView {
    /// A view that has written its first line, the `version` message.
    pub(super) fn start() -> JsonView {
        let view = JsonView;
        view.emit(
            Level::Info,
            &format!("tenantform {}", crate::state::PROGRAM_VERSION),
            "version",
            vec![
                (
                    "terraform",
                    Json::from(crate::plan::json::TERRAFORM_VERSION),
                ),
                ("ui", Json::from(UI_VERSION)),
            ],
        );
        view
    }

    /// Writes one line: the common fields, `type` and `fields`.
    pub(super) fn emit(&self, level: Level, message: &str, kind: &str, fields: Vec<(&str, Json)>) {
        let line = line(level, message, kind, fields, &timestamp());
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(line.as_bytes());
        let _ = stdout.flush();
    }

    /// A `log` message.
    pub(super) fn log(&self, message: &str) {
        self.emit(Level::Info, message, "log", Vec::new());
    }

    /// One `diagnostic` message per diagnostic.
    pub(super) fn diagnostics(&self, diags: &Diagnostics, sources: &Sources) {
        for diag in diags.iter() {
            let (level, prefix) = match diag.severity {
                Severity::Error => (Level::Error, "Error"),
                Severity::Warning => (Level::Warn, "Warning"),
            };
            self.emit(
                level,
                &format!("{prefix}: {}", diag.summary),
                "diagnostic",
                vec![("diagnostic", diagnostic_json(diag, sources))],
            );
        }
    }
}

/// One line of the stream, keys in the order Terraform's logger writes them (sorted).
pub(super) fn line(
    level: Level,
    message: &str,
    kind: &str,
    fields: Vec<(&str, Json)>,
    timestamp: &str,
) -> String {
    let mut entries: Vec<(String, Json)> = vec![
        ("@level".into(), Json::from(level.as_str())),
        ("@message".into(), Json::from(message)),
        ("@module".into(), Json::from(MODULE)),
        ("@timestamp".into(), Json::from(timestamp)),
        ("type".into(), Json::from(kind)),
    ];
    entries.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let object: Map<String, Json> = entries.into_iter().collect();
    let mut text = Json::Object(object).to_string();
    text.push('\n');
    text
}

/// Now, in UTC, as RFC 3339 with microseconds (`2026-01-02T03:04:05.123456Z`).
pub(super) fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests;
