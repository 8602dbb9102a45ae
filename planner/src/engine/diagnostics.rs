//! Provider answers as user-facing diagnostics: each one names the object it is about and
//! carries the range of the configuration block it came from.

use tenantform_proto::value::AttributePath;

use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::providers::{ProviderDiagnostic, ProviderError};

/// The provider's diagnostics about `subject` (an address), attached to `range`.
pub(crate) fn provider_diagnostics(
    subject: &str,
    diags: Vec<ProviderDiagnostic>,
    range: Option<SourceRange>,
) -> Diagnostics {
    Diagnostics(
        diags
            .into_iter()
            .map(|d| Diagnostic {
                severity: d.severity,
                summary: d.summary,
                detail: with_subject(&d.detail, subject, d.attribute.as_ref()),
                range: range.clone(),
            })
            .collect(),
    )
}

/// A provider that could not answer at all.
pub(crate) fn provider_failure(
    subject: &str,
    error: &ProviderError,
    range: Option<SourceRange>,
) -> Diagnostic {
    Diagnostic::error(format!("Provider failure for {subject}"), error.to_string())
        .with_range(range)
}

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
