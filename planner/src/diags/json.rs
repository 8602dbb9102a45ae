//! Terraform's machine-readable diagnostics: the objects of `validate -json` and of the
//! `-json` streams (`severity`, `summary`, `detail`, `range`, `snippet`), and the report
//! `validate -json` prints around them.

use serde_json::{Value as Json, json};

use super::{Diagnostic, Diagnostics, Severity, Snippet, Sources};

/// One diagnostic as Terraform's JSON: `range` and `snippet` appear when the diagnostic has a
/// source range (the snippet when its file is known); `snippet.context` is the enclosing
/// top-level block header or null; highlight offsets are bytes into `code`.
pub(crate) fn diagnostic_json(diag: &Diagnostic, sources: &Sources) -> Json {
    let mut entry = json!({
        "severity": diag.severity,
        "summary": diag.summary,
        "detail": diag.detail,
    });
    if let Some(range) = &diag.range {
        entry["range"] = json!({
            "filename": range.filename,
            "start": range.start,
            "end": range.end,
        });
        if let Some(snippet) = Snippet::of(range, sources) {
            entry["snippet"] = json!({
                "context": snippet.context,
                "code": snippet.code,
                "start_line": snippet.start_line,
                "highlight_start_offset": snippet.highlight_start,
                "highlight_end_offset": snippet.highlight_end,
                "values": [],
            });
        }
    }
    entry
}

/// The document `validate -json` prints: format version 1.0, validity, counts and every
/// diagnostic.
pub(crate) fn validate_report(diags: &Diagnostics, sources: &Sources) -> Json {
    let count = |severity: Severity| diags.iter().filter(|d| d.severity == severity).count();
    json!({
        "format_version": "1.0",
        "valid": !diags.has_errors(),
        "error_count": count(Severity::Error),
        "warning_count": count(Severity::Warning),
        "diagnostics": diags.iter().map(|d| diagnostic_json(d, sources)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_json_shape() {
        let sources = Sources::of_file("main.tf", "resource \"tenant\" \"a\" {\n  slug = 1\n}\n");
        let range = sources.range("main.tf", 33..34);
        let diags: Diagnostics = Diagnostic::error("Bad", "Very bad.")
            .with_range(Some(range))
            .into();
        let report = validate_report(&diags, &sources);
        assert_eq!(
            report,
            json!({
                "format_version": "1.0",
                "valid": false,
                "error_count": 1,
                "warning_count": 0,
                "diagnostics": [{
                    "severity": "error",
                    "summary": "Bad",
                    "detail": "Very bad.",
                    "range": {
                        "filename": "main.tf",
                        "start": {"line": 2, "column": 10, "byte": 33},
                        "end": {"line": 2, "column": 11, "byte": 34},
                    },
                    "snippet": {
                        "context": "resource \"tenant\" \"a\"",
                        "code": "  slug = 1",
                        "start_line": 2,
                        "highlight_start_offset": 9,
                        "highlight_end_offset": 10,
                        "values": [],
                    },
                }],
            })
        );
    }

    #[test]
    fn diagnostics_without_range_have_no_snippet() {
        let diag = Diagnostic::warning("Careful", "");
        let entry = diagnostic_json(&diag, &Sources::default());
        assert_eq!(
            entry,
            json!({"severity": "warning", "summary": "Careful", "detail": ""})
        );
    }
}
