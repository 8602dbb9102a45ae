//! Diagnostics on the wire: a problem or notice a provider reports (severity, summary,
//! detail and optionally the attribute it concerns), and its conversion to and from the
//! protocol's `Diagnostic` message. Every problem a user can act on travels back this way,
//! never as a gRPC error or a panic.

use crate::dynamic::{path_from_wire, path_to_wire};
use crate::tfplugin6 as wire;
use crate::value::AttributePath;

/// How serious a diagnostic is. Terraform fails the operation on any error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem or notice, optionally pointing at an attribute of the object it concerns.
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
    pub fn at(self, attribute: &str) -> Diagnostic {
        self.at_path(AttributePath::attr(attribute))
    }

    /// Points the diagnostic at any attribute path.
    pub fn at_path(mut self, path: AttributePath) -> Diagnostic {
        self.attribute = Some(path);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl From<&Diagnostic> for wire::Diagnostic {
    fn from(diagnostic: &Diagnostic) -> wire::Diagnostic {
        let severity = match diagnostic.severity {
            Severity::Error => wire::diagnostic::Severity::Error,
            Severity::Warning => wire::diagnostic::Severity::Warning,
        };
        wire::Diagnostic {
            severity: severity as i32,
            summary: diagnostic.summary.clone(),
            detail: diagnostic.detail.clone(),
            attribute: diagnostic.attribute.as_ref().map(path_to_wire),
        }
    }
}

/// A wire diagnostic of any severity but `WARNING` counts as an error.
impl From<&wire::Diagnostic> for Diagnostic {
    fn from(diagnostic: &wire::Diagnostic) -> Diagnostic {
        let warning = diagnostic.severity == wire::diagnostic::Severity::Warning as i32;
        Diagnostic {
            severity: if warning {
                Severity::Warning
            } else {
                Severity::Error
            },
            summary: diagnostic.summary.clone(),
            detail: diagnostic.detail.clone(),
            attribute: diagnostic.attribute.as_ref().map(path_from_wire),
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

    /// The protocol's messages, in order.
    pub fn to_wire(&self) -> Vec<wire::Diagnostic> {
        self.0.iter().map(wire::Diagnostic::from).collect()
    }

    /// The diagnostics of the protocol's messages, in order.
    pub fn from_wire(diagnostics: &[wire::Diagnostic]) -> Diagnostics {
        Diagnostics(diagnostics.iter().map(Diagnostic::from).collect())
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
    fn diagnostics_round_trip_through_the_wire() {
        let diagnostics = Diagnostics(vec![
            Diagnostic::error("Invalid value for tier", "expected one of: free.").at("tier"),
            Diagnostic::warning("Adopting existing tenant", "It will be updated in place."),
        ]);
        assert_eq!(Diagnostics::from_wire(&diagnostics.to_wire()), diagnostics);
    }
}
