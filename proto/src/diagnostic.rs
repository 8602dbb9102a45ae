//! The diagnostic a provider returns over the wire: a severity, a summary, a detail and
//! optionally the attribute it is about. Providers build these and the planner receives
//! them; [`Diagnostic::to_wire`] and [`Diagnostic::from_wire`] are the only mapping to and
//! from the protocol's message.

use serde::Serialize;

use crate::dynamic::{path_from_wire, path_to_wire};
use crate::tfplugin6 as wire;
use crate::value::AttributePath;

/// How serious a diagnostic is. Terraform fails the operation on any error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem or notice, optionally pointing at an attribute of the resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// Points the diagnostic at a top-level attribute.
    #[must_use]
    pub fn at(self, attribute: &str) -> Diagnostic {
        self.at_path(AttributePath::attr(attribute))
    }

    /// Points the diagnostic at any attribute path.
    #[must_use]
    pub fn at_path(mut self, path: AttributePath) -> Diagnostic {
        self.attribute = Some(path);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The protocol message. An unset severity on the wire reads as an error.
    pub fn to_wire(&self) -> wire::Diagnostic {
        let severity = match self.severity {
            Severity::Error => wire::diagnostic::Severity::Error,
            Severity::Warning => wire::diagnostic::Severity::Warning,
        };
        wire::Diagnostic {
            severity: severity as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.attribute.as_ref().map(path_to_wire),
        }
    }

    /// The diagnostic a protocol message carries; anything but a warning is an error.
    pub fn from_wire(message: wire::Diagnostic) -> Diagnostic {
        let severity = if message.severity == wire::diagnostic::Severity::Warning as i32 {
            Severity::Warning
        } else {
            Severity::Error
        };
        Diagnostic {
            severity,
            summary: message.summary,
            detail: message.detail,
            attribute: message.attribute.as_ref().map(path_from_wire),
        }
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// The protocol messages, in order.
    pub fn to_wire(&self) -> Vec<wire::Diagnostic> {
        self.0.iter().map(Diagnostic::to_wire).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics(vec![diagnostic])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_round_trip_keeps_severity_text_and_attribute() {
        let warning = Diagnostic::warning("Deprecated", "Use x instead.").at("old_name");
        assert_eq!(Diagnostic::from_wire(warning.to_wire()), warning);
        let error = Diagnostic::error("Bad", "Why.");
        assert_eq!(Diagnostic::from_wire(error.to_wire()), error);
    }

    #[test]
    fn unset_wire_severity_is_an_error() {
        let message = wire::Diagnostic {
            severity: wire::diagnostic::Severity::Invalid as i32,
            summary: "s".into(),
            ..wire::Diagnostic::default()
        };
        assert!(Diagnostic::from_wire(message).is_error());
    }

    #[test]
    fn collection_reports_errors_only_when_one_is_present() {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(Diagnostic::warning("w", ""));
        assert!(!diagnostics.has_errors());
        diagnostics.extend(Diagnostic::error("e", "").into());
        assert!(diagnostics.has_errors());
        assert_eq!(diagnostics.to_wire().len(), 2);
    }
}
