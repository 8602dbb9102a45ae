//! The human-readable output of `plan` made comparable between tenantform and Terraform:
//! Terraform's development-overrides warning (the harness runs Terraform under
//! `dev_overrides`) and horizontal rules are dropped, progress lines (`Refreshing state...`,
//! `Reading...`, `Read complete`, whose order depends on timing) are dropped, each program's
//! name is written as tenantform's, paragraphs of prose are unwrapped (the names differ in
//! length), and every quoted UUID or RFC 3339 timestamp (the values each side's own apply
//! generated) is masked.

/// The first and last line of Terraform's warning about `dev_overrides`.
const OVERRIDES_WARNING: (&str, &str) = (
    "Warning: Provider development overrides are in effect",
    "releases.",
);

/// `text` normalised for comparison.
pub fn normalized(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut in_warning = false;
    for line in text.lines() {
        // A diagnostic is printed after a blank line of its own.
        if line == OVERRIDES_WARNING.0 {
            in_warning = true;
            if lines.last().is_some_and(String::is_empty) {
                lines.pop();
            }
            continue;
        }
        if in_warning {
            in_warning = line != OVERRIDES_WARNING.1;
            continue;
        }
        if is_rule(line) || is_progress(line) {
            continue;
        }
        let line = mask_generated(&renamed(line));
        // Prose is wrapped at the terminal width, and the two names differ in length: a
        // paragraph is compared as one line.
        match lines.last_mut() {
            Some(previous) if is_prose(previous) && is_prose(&line) && !previous.ends_with(':') => {
                previous.push(' ');
                previous.push_str(&line);
            }
            _ => lines.push(line),
        }
    }
    lines.join("\n")
}

/// A line of a paragraph of prose: it starts with a letter (plan bodies are indented).
fn is_prose(line: &str) -> bool {
    line.starts_with(|c: char| c.is_ascii_alphabetic()) && !line.starts_with("Plan: ")
}

fn is_rule(line: &str) -> bool {
    !line.is_empty() && line.chars().all(|c| c == '─')
}

fn is_progress(line: &str) -> bool {
    [
        ": Refreshing state...",
        ": Reading...",
        ": Read complete after",
    ]
    .iter()
    .any(|marker| line.contains(marker))
}

/// Terraform's name for itself, in prose and in the commands it suggests, as tenantform's.
fn renamed(line: &str) -> String {
    line.replace("Terraform ", "tenantform ")
        .replace("terraform apply", "tenantform apply")
        .replace("terraform plan", "tenantform plan")
}

/// `text` with every quoted UUID and RFC 3339 timestamp replaced by `"<generated>"`.
pub fn mask_generated(text: &str) -> String {
    let mut masked = String::new();
    let mut parts = text.split('"');
    if let Some(first) = parts.next() {
        masked.push_str(first);
    }
    for (index, part) in parts.enumerate() {
        masked.push('"');
        let quoted = index % 2 == 0;
        masked.push_str(if quoted && is_generated(part) {
            "<generated>"
        } else {
            part
        });
    }
    masked
}

fn is_generated(value: &str) -> bool {
    let bytes = value.as_bytes();
    let uuid = value.len() == 36 && [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-');
    let timestamp = value.len() >= 20
        && value.is_char_boundary(4)
        && value[..4].bytes().all(|b| b.is_ascii_digit())
        && bytes[4] == b'-'
        && bytes[10] == b'T';
    uuid || timestamp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overrides_warning_progress_and_rules_go_and_names_are_aligned() {
        let terraform = "\nWarning: Provider development overrides are in effect\n\nThe following \
            provider development overrides are set in the CLI\nconfiguration:\n - x in /p\n\n\
            applying changes may cause the state to become incompatible with published\n\
            releases.\ntenant.a: Refreshing state... [id=1]\n\nTerraform will perform the \
            following actions:\n  id = \"0f8fad5b-d9cb-469f-a165-70867728950e\"\n\u{2500}\u{2500}\n\
            run: terraform apply \"tfplan\"";
        assert_eq!(
            normalized(terraform),
            "\ntenantform will perform the following actions:\n  id = \"<generated>\"\n\
             run: tenantform apply \"tfplan\""
        );
    }

    #[test]
    fn paragraphs_are_compared_unwrapped() {
        let terraform = "Terraform has compared your real infrastructure against your configuration\n\
                         and found no differences, so no changes are needed.";
        let ours = "tenantform has compared your real infrastructure against your configuration and\n\
                    found no differences, so no changes are needed.";
        assert_eq!(normalized(terraform), normalized(ours));
    }

    #[test]
    fn only_uuids_and_timestamps_are_masked() {
        assert_eq!(
            mask_generated(r#"a = "2026-12-07T10:00:00Z", b = "acme", c = "x""#),
            r#"a = "<generated>", b = "acme", c = "x""#
        );
    }
}
