//! A configuration in a temporary directory, with the commands that run on it: `tenantform`
//! and Terraform, each with a clean environment of its own, and readers for the state file
//! and the provider's catalog that the runs leave behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

use crate::binaries::{Binaries, workspace_root};
use crate::catalog::{Catalog, DEFAULT_BACKEND_DIR, RESOURCE_TYPES};
use crate::process::{CommandSpec, DEFAULT_TIMEOUT, Output};
use crate::state::State;
use crate::terraform::{Terraform, dev_overrides_config};

pub const STATE_FILE: &str = "terraform.tfstate";
const SEARCH_PATH: &str = "/usr/local/bin:/usr/bin:/bin";
/// Files an example may have accumulated from manual runs; never copied.
const LEFTOVERS: [&str; 5] = [
    ".tenants",
    ".terraform",
    ".terraform.lock.hcl",
    "terraform.tfstate",
    "terraform.tfstate.backup",
];

/// A working directory for one test.
pub struct Project {
    root: TempDir,
    binaries: Binaries,
    tenantform: PathBuf,
}

impl Project {
    /// A copy of `examples/<name>` in a new temporary directory.
    pub fn from_example(name: &str) -> Project {
        let project = Project::empty();
        let source = workspace_root().join("examples").join(name);
        assert!(
            source.is_dir(),
            "example {} does not exist",
            source.display()
        );
        copy_dir(&source, &project.work_dir());
        project
    }

    /// A project whose only file is `main.tf` with `config`.
    pub fn from_config(config: &str) -> Project {
        let project = Project::empty();
        project.write_file("main.tf", config);
        project
    }

    fn empty() -> Project {
        let binaries = Binaries::locate();
        let root = tempfile::Builder::new()
            .prefix("tenantform-acceptance-")
            .tempdir()
            .expect("create a temporary directory");
        for dir in ["work", "home"] {
            std::fs::create_dir_all(root.path().join(dir)).expect("create a directory");
        }
        // tenantform gets a CLI configuration of its own that overrides nothing.
        std::fs::write(
            root.path().join("tenantform.tfrc"),
            "# no overrides: the provider is found beside tenantform\n",
        )
        .expect("write a CLI configuration");
        std::fs::write(
            root.path().join("terraform.tfrc"),
            dev_overrides_config(binaries.provider_dir()),
        )
        .expect("write a CLI configuration");
        Project {
            tenantform: binaries.tenantform.clone(),
            binaries,
            root,
        }
    }

    /// The directory the commands run in.
    pub fn work_dir(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// A scratch directory outside the working directory.
    pub fn scratch_dir(&self, name: &str) -> PathBuf {
        let dir = self.root.path().join(name);
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        dir
    }

    pub fn binaries(&self) -> &Binaries {
        &self.binaries
    }

    /// Runs `tenantform` from `executable` instead of the built one (e.g. a lone copy).
    pub fn use_tenantform(&mut self, executable: PathBuf) {
        self.tenantform = executable;
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.work_dir().join(relative)
    }

    pub fn write_file(&self, relative: &str, content: &str) {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&path, content)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    }

    pub fn read_file(&self, relative: &str) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
    }

    /// Appends `text` to a file of the working directory.
    pub fn append_to_file(&self, relative: &str, text: &str) {
        let original = self.read_file(relative);
        self.write_file(relative, &format!("{original}{text}"));
    }

    /// Replaces the single occurrence of `from` in a file, panicking when it is not there once.
    pub fn replace_in_file(&self, relative: &str, from: &str, to: &str) {
        let text = self.read_file(relative);
        assert_eq!(
            text.matches(from).count(),
            1,
            "{relative} should contain {from:?} exactly once"
        );
        self.write_file(relative, &text.replacen(from, to, 1));
    }

    fn base_env(&self, cli_config: &str) -> Vec<(String, String)> {
        let mut env = vec![
            ("PATH".to_string(), SEARCH_PATH.to_string()),
            (
                "HOME".to_string(),
                self.root.path().join("home").display().to_string(),
            ),
            ("LANG".to_string(), "C.UTF-8".to_string()),
            (
                "TF_CLI_CONFIG_FILE".to_string(),
                self.root.path().join(cli_config).display().to_string(),
            ),
            ("TF_IN_AUTOMATION".to_string(), "1".to_string()),
            ("CHECKPOINT_DISABLE".to_string(), "1".to_string()),
            ("RUST_BACKTRACE".to_string(), "1".to_string()),
        ];
        if let Ok(tmp) = std::env::var("TMPDIR") {
            env.push(("TMPDIR".to_string(), tmp));
        }
        env
    }

    /// The command line `tenantform ARGS` in the working directory.
    pub fn tenantform_command(&self, args: &[&str]) -> CommandSpec {
        CommandSpec {
            program: self.tenantform.clone(),
            args: args.iter().map(std::string::ToString::to_string).collect(),
            cwd: self.work_dir(),
            env: self.base_env("tenantform.tfrc"),
        }
    }

    /// `tenantform plan -detailed-exitcode -input=false -no-color`.
    pub fn plan_detailed(&self) -> Output {
        self.tenantform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
    }

    /// [`Self::plan_detailed`], saving the plan to `plan_file`.
    pub fn plan_detailed_to(&self, plan_file: &str) -> Output {
        self.tenantform(&[
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-out",
            plan_file,
        ])
    }

    /// `tenantform init -input=false`, which must succeed.
    pub fn init(&self) {
        self.tenantform(&["init", "-input=false"]).expect_success();
    }

    pub fn tenantform(&self, args: &[&str]) -> Output {
        self.tenantform_command(args).run(DEFAULT_TIMEOUT)
    }

    pub fn tenantform_with_timeout(&self, args: &[&str], timeout: Duration) -> Output {
        self.tenantform_command(args).run(timeout)
    }

    /// The command line `terraform ARGS`, using our provider through dev_overrides.
    pub fn terraform_command(&self, terraform: &Terraform, args: &[&str]) -> CommandSpec {
        CommandSpec {
            program: terraform.executable.clone(),
            args: args.iter().map(std::string::ToString::to_string).collect(),
            cwd: self.work_dir(),
            env: self.base_env("terraform.tfrc"),
        }
    }

    pub fn terraform(&self, terraform: &Terraform, args: &[&str]) -> Output {
        self.terraform_command(terraform, args).run(DEFAULT_TIMEOUT)
    }

    pub fn state_path(&self) -> PathBuf {
        self.path(STATE_FILE)
    }

    /// The parsed state file; panics when it is missing or invalid.
    pub fn state(&self) -> State {
        State::read(&self.state_path())
    }

    /// The parsed state file, or an empty state when there is none yet.
    pub fn state_or_empty(&self) -> State {
        if self.state_path().exists() {
            self.state()
        } else {
            State::parse(r#"{"version":4,"resources":[]}"#).expect("an empty state parses")
        }
    }

    /// The provider's embedded backend at its default path in the working directory.
    pub fn catalog(&self) -> Catalog {
        Catalog::read(&self.path(DEFAULT_BACKEND_DIR))
    }

    /// Asserts that a destroy left nothing: an empty state, and no live catalog object,
    /// database file or storage directory (tombstones may remain).
    pub fn assert_nothing_left(&self) {
        let state = self.state();
        assert!(
            state.instances.is_empty(),
            "state after destroy: {:?}",
            state.addresses()
        );
        let catalog = self.catalog();
        assert!(
            catalog.is_empty(),
            "catalog after destroy: {}",
            catalog.summary()
        );
    }

    /// Asserts that the catalog holds exactly the objects of the state, type by type, and that
    /// no object appears twice in the state.
    pub fn assert_catalog_matches_state(&self) {
        let catalog = self.catalog();
        let state = self.state_or_empty();
        for resource_type in RESOURCE_TYPES {
            let in_state = state.ids_of_type(resource_type);
            let mut unique = in_state.clone();
            unique.dedup();
            assert_eq!(
                unique, in_state,
                "the state holds a {resource_type} twice: {in_state:?}"
            );
            assert_eq!(
                catalog.ids(resource_type),
                in_state,
                "catalog and state disagree on {resource_type} (left: catalog, right: state); \
                 catalog: {}",
                catalog.summary()
            );
        }
    }
}

fn copy_dir(source: &Path, target: &Path) {
    copy_tree(source, target, &LEFTOVERS);
}

/// Copies the files and folders of `source` into `target` (created when missing), leaving
/// out the top-level entries named in `skip`.
pub fn copy_tree(source: &Path, target: &Path, skip: &[&str]) {
    std::fs::create_dir_all(target).expect("create a directory");
    for entry in std::fs::read_dir(source).expect("read a directory to copy") {
        let entry = entry.expect("read a directory entry");
        let name = entry.file_name();
        if skip.iter().any(|skipped| name == *skipped) {
            continue;
        }
        let path = entry.path();
        let destination = target.join(&name);
        if path.is_dir() {
            copy_tree(&path, &destination, &[]);
        } else {
            std::fs::copy(&path, &destination)
                .unwrap_or_else(|error| panic!("cannot copy {}: {error}", path.display()));
        }
    }
}
