//! The current workspace, as Terraform chooses it: the `TF_WORKSPACE` environment variable
//! when set, else the name `workspace select` or `workspace new` saved in
//! `.tenantform/environment` (Terraform's `.terraform/environment`), else `default`; and
//! Terraform's rule for valid workspace names.

use std::path::Path;

use crate::cli::Failure;
use crate::state::DEFAULT_WORKSPACE;

/// Where the selected workspace is saved.
pub(super) const ENVIRONMENT_FILE: &str = ".tenantform/environment";
/// The environment variable that overrides the selected workspace.
pub(super) const WORKSPACE_VARIABLE: &str = "TF_WORKSPACE";

/// The selected workspace and whether `TF_WORKSPACE` chose it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Selected {
    pub name: String,
    pub overridden: bool,
}

/// The selected workspace, without checking its name (Terraform's `WorkspaceOverridden`).
pub(super) fn selected() -> Selected {
    selected_from(
        std::env::var(WORKSPACE_VARIABLE).ok(),
        Path::new(ENVIRONMENT_FILE),
    )
}

fn selected_from(variable: Option<String>, file: &Path) -> Selected {
    if let Some(name) = variable.filter(|name| !name.is_empty()) {
        return Selected {
            name,
            overridden: true,
        };
    }
    let saved = std::fs::read_to_string(file).unwrap_or_default();
    let name = match saved.trim() {
        "" => DEFAULT_WORKSPACE.to_string(),
        name => name.to_string(),
    };
    Selected {
        name,
        overridden: false,
    }
}

/// The current workspace; an invalid name in `TF_WORKSPACE` is an error.
pub(crate) fn current() -> Result<String, Failure> {
    let selected = selected();
    if selected.overridden && !is_valid_name(&selected.name) {
        return Err(invalid_variable());
    }
    Ok(selected.name)
}

/// Terraform's error for an invalid `TF_WORKSPACE`.
pub(super) fn invalid_variable() -> Failure {
    Failure::error(
        format!("Invalid workspace name set using {WORKSPACE_VARIABLE}"),
        format!(
            "The workspace name in {WORKSPACE_VARIABLE} must contain only URL safe characters, \
             contain no path separators, and not be an empty string."
        ),
    )
}

/// Saves `name` as the selected workspace.
pub(super) fn save(name: &str) -> Result<(), std::io::Error> {
    let path = Path::new(ENVIRONMENT_FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, name)
}

/// Terraform's rule: not empty, and unchanged by URL path escaping (letters, digits and
/// `-._~$&+,:;=@` only).
pub(super) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~$&+,:;=@".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_when_url_path_escaping_leaves_them_unchanged() {
        for valid in ["default", "staging", "prod-eu_1.x", "a~b", "a@b", "x+y"] {
            assert!(is_valid_name(valid), "{valid}");
        }
        for invalid in ["", "a/b", "a b", "über", "a?b", "a%20", "a\\b", "#x"] {
            assert!(!is_valid_name(invalid), "{invalid}");
        }
    }

    #[test]
    fn the_variable_overrides_the_saved_name_which_defaults_to_default() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("environment");
        let default = selected_from(None, &file);
        assert_eq!(
            (default.name.as_str(), default.overridden),
            ("default", false)
        );
        std::fs::write(&file, "staging\n").expect("write");
        assert_eq!(selected_from(Some(String::new()), &file).name, "staging");
        let overridden = selected_from(Some("prod".into()), &file);
        assert_eq!(
            (overridden.name.as_str(), overridden.overridden),
            ("prod", true)
        );
    }
}
