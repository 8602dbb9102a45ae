//! Provider answers as user-facing diagnostics: each one names the object it is about and
//! carries the range of the configuration block it came from.

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
            .map(|d| Diagnostic::from_provider(d, subject, range.clone()))
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
