//! Locates the `tenantform` and `terraform-provider-tenant` binaries built by
//! `cargo build --workspace --bins`, honouring `CARGO_TARGET_DIR`.

use std::path::{Path, PathBuf};

pub const TENANTFORM: &str = "tenantform";
pub const PROVIDER: &str = "terraform-provider-tenant";

/// The two binaries under test.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub tenantform: PathBuf,
    pub provider: PathBuf,
}

impl Binaries {
    /// Finds both binaries or panics with a message telling how to build them.
    pub fn locate() -> Binaries {
        let candidates = candidate_dirs();
        for dir in &candidates {
            let tenantform = dir.join(TENANTFORM);
            let provider = dir.join(PROVIDER);
            if tenantform.is_file() && provider.is_file() {
                return Binaries {
                    tenantform,
                    provider,
                };
            }
        }
        let searched: Vec<String> = candidates
            .iter()
            .map(|dir| format!("  {}", dir.display()))
            .collect();
        panic!(
            "the acceptance tests need the `{TENANTFORM}` and `{PROVIDER}` binaries, which they \
             do not build themselves; run `cargo build --workspace --bins` first (or \
             `scripts/test.sh`). Searched:\n{}",
            searched.join("\n")
        );
    }

    /// The directory holding the provider binary (what Terraform's dev_overrides point at).
    pub fn provider_dir(&self) -> &Path {
        self.provider
            .parent()
            .expect("the provider binary path has a parent directory")
    }
}

/// The workspace root: the parent of this package's directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("acceptance-tests lives inside the workspace")
        .to_path_buf()
}

/// Where the binaries may be, most specific first: the profile directory this test binary was
/// built into, then `$CARGO_TARGET_DIR/debug`, then the workspace's `target/debug`.
fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(test_binary) = std::env::current_exe() {
        // Test binaries live in `<target>/<profile>/deps/`.
        if let Some(deps) = test_binary.parent()
            && deps.file_name().is_some_and(|name| name == "deps")
            && let Some(profile_dir) = deps.parent()
        {
            dirs.push(profile_dir.to_path_buf());
        }
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        let target = PathBuf::from(target);
        let target = if target.is_absolute() {
            target
        } else {
            workspace_root().join(target)
        };
        dirs.push(target.join("debug"));
    }
    dirs.push(workspace_root().join("target").join("debug"));
    dirs.dedup();
    dirs
}
