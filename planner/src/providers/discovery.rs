//! Finding a provider's plugin binary without any network access.
//!
//! For the provider `tenantform/tenant` the binary is `terraform-provider-tenant` (optionally
//! with a version suffix, `terraform-provider-tenant_v1.2.0`). It is searched, in order:
//! beside the running program, in each plugin directory given on the command line, in
//! `.terraform/providers` and `terraform.d/plugins` under the working directory (flat, or in
//! Terraform's `HOST/NAMESPACE/TYPE/VERSION/OS_ARCH` layout), and finally on `PATH`.

use std::path::{Path, PathBuf};

use crate::diags::{Diagnostic, Diagnostics};

/// Where a provider's binary was looked for, in order.
pub(crate) fn search_locations(search_dirs: &[PathBuf], cwd: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(beside) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        dirs.push(beside);
    }
    dirs.extend(search_dirs.iter().map(|dir| {
        if dir.is_absolute() {
            dir.clone()
        } else {
            cwd.join(dir)
        }
    }));
    dirs.push(cwd.join(".terraform").join("providers"));
    dirs.push(cwd.join("terraform.d").join("plugins"));
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs
}

/// The binary of the provider with source address `source`
/// (`registry.terraform.io/tenantform/tenant`), or a diagnostic naming where it looked.
pub(crate) fn find_provider(
    source: &str,
    search_dirs: &[PathBuf],
    cwd: &Path,
) -> Result<PathBuf, Diagnostics> {
    let parts: Vec<&str> = source.split('/').collect();
    let type_name = parts.last().copied().unwrap_or(source);
    let locations = search_locations(search_dirs, cwd);
    for dir in &locations {
        if let Some(found) = find_in(dir, type_name) {
            return Ok(found);
        }
        if parts.len() == 3 {
            let nested = dir.join(parts[0]).join(parts[1]).join(parts[2]);
            if let Some(found) = find_in_layout(&nested, type_name) {
                return Ok(found);
            }
        }
    }
    let short = source
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(source);
    let listing: Vec<String> = locations
        .iter()
        .map(|d| format!("  - {}", d.display()))
        .collect();
    Err(Diagnostics::from(Diagnostic::error(
        format!("Failed to find provider {short:?}"),
        format!(
            "No plugin binary named terraform-provider-{type_name} was found. Looked in:\n{}\n\n\
             Place the binary beside tenantform, in one of these directories, or pass \
             -plugin-dir.",
            listing.join("\n")
        ),
    )))
}

/// `terraform-provider-NAME` (or a versioned variant) directly in `dir`.
fn find_in(dir: &Path, type_name: &str) -> Option<PathBuf> {
    let exact = dir.join(binary_name(type_name));
    if is_executable(&exact) {
        return Some(exact);
    }
    let prefix = format!("terraform-provider-{type_name}_");
    let mut versioned: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
                && is_executable(path)
        })
        .collect();
    versioned.sort();
    versioned.pop()
}

/// The Terraform layout under `HOST/NAMESPACE/TYPE`: `VERSION/OS_ARCH/terraform-provider-*`,
/// preferring the highest version directory for this platform.
fn find_in_layout(type_dir: &Path, type_name: &str) -> Option<PathBuf> {
    let platform = format!("{}_{}", go_os(), go_arch());
    let mut versions: Vec<PathBuf> = std::fs::read_dir(type_dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    versions.sort_by_key(|path| version_key(path));
    versions
        .iter()
        .rev()
        .find_map(|version| find_in(&version.join(&platform), type_name))
}

fn version_key(path: &Path) -> Vec<u64> {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .split(['.', '-'])
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn binary_name(type_name: &str) -> String {
    format!(
        "terraform-provider-{type_name}{}",
        std::env::consts::EXE_SUFFIX
    )
}

fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[test]
    fn finds_a_binary_in_a_plugin_dir() {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        executable(&plugins.join("terraform-provider-zzfake_v1.0.0"));
        let found = find_provider(
            "registry.terraform.io/test/zzfake",
            std::slice::from_ref(&plugins),
            dir.path(),
        );
        assert_eq!(
            found.unwrap(),
            plugins.join("terraform-provider-zzfake_v1.0.0")
        );
    }

    #[test]
    fn finds_a_binary_in_the_terraform_layout() {
        let dir = tempfile::tempdir().unwrap();
        let platform = format!("{}_{}", go_os(), go_arch());
        let base = dir
            .path()
            .join(".terraform/providers/registry.terraform.io/test/zzfake");
        executable(
            &base
                .join("0.9.0")
                .join(&platform)
                .join("terraform-provider-zzfake"),
        );
        executable(
            &base
                .join("0.10.0")
                .join(&platform)
                .join("terraform-provider-zzfake"),
        );
        let found = find_provider("registry.terraform.io/test/zzfake", &[], dir.path()).unwrap();
        assert!(
            found.to_string_lossy().contains("0.10.0"),
            "{}",
            found.display()
        );
    }

    #[test]
    fn a_missing_binary_lists_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let error =
            find_provider("registry.terraform.io/test/zzmissing", &[], dir.path()).unwrap_err();
        let error = &error.0[0];
        assert_eq!(error.summary, "Failed to find provider \"test/zzmissing\"");
        assert!(error.detail.contains(".terraform"), "{}", error.detail);
        assert!(error.detail.contains("terraform.d"), "{}", error.detail);
    }
}
