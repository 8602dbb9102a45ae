//! The provider's own diagnostics and every conversion of them: from the plugin protocol's
//! `Diagnostic` messages, and into the planner's user-facing [`Diagnostic`]s, which name the
//! object they are about and carry the range of the configuration block it came from.

use tenantform_proto::dynamic::path_from_wire;
use tenantform_proto::tfplugin6 as wire;
use tenantform_proto::value::AttributePath;

use crate::diags::{Diagnostic, Severity, SourceRange};

/// A diagnostic as a provider returns it: attached to an attribute path, not a source range.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderDiagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub attribute: Option<AttributePath>,
}

impl ProviderDiagnostic {
    /// An error about the whole object.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> ProviderDiagnostic {
        ProviderDiagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// A diagnostic the plugin protocol carried.
    pub fn from_wire(diagnostic: wire::Diagnostic) -> ProviderDiagnostic {
        ProviderDiagnostic {
            severity: if diagnostic.severity == wire::diagnostic::Severity::Warning as i32 {
                Severity::Warning
            } else {
                Severity::Error
            },
            summary: diagnostic.summary,
            detail: diagnostic.detail,
            attribute: diagnostic.attribute.as_ref().map(path_from_wire),
        }
    }

    /// The user-facing diagnostic: the detail says which object (`subject`, an address) and
    /// attribute it is about, at `range`.
    pub fn into_diagnostic(self, subject: &str, range: Option<SourceRange>) -> Diagnostic {
        Diagnostic {
            severity: self.severity,
            detail: with_subject(&self.detail, subject, self.attribute.as_ref()),
            summary: self.summary,
            range,
        }
    }
}

/// `detail` followed by the object and attribute it is about.
fn with_subject(detail: &str, subject: &str, attribute: Option<&AttributePath>) -> String {
    let about = match attribute {
        Some(path) if !path.0.is_empty() => format!("with {subject}, attribute {path}"),
        _ => format!("with {subject}"),
    };
    if detail.is_empty() {
        about
    } else {
        format!("{detail}\n\n{about}")
    }
}
