//! Conversion of the provider's diagnostics to the protocol's `Diagnostic` messages.

use tenantform_proto::dynamic::path_to_wire;
use tenantform_proto::tfplugin6 as wire;

use crate::diagnostics::{Diagnostics, Severity};

pub fn diagnostics_to_wire(diagnostics: &Diagnostics) -> Vec<wire::Diagnostic> {
    diagnostics
        .iter()
        .map(|diagnostic| wire::Diagnostic {
            severity: match diagnostic.severity {
                Severity::Error => wire::diagnostic::Severity::Error,
                Severity::Warning => wire::diagnostic::Severity::Warning,
            } as i32,
            summary: diagnostic.summary.clone(),
            detail: diagnostic.detail.clone(),
            attribute: diagnostic.attribute.as_ref().map(path_to_wire),
        })
        .collect()
}
