//! The `local` backend's workspaces, as Terraform keeps them: `default` in the state file
//! (`terraform.tfstate`, or the block's `path`), every other workspace NAME in
//! `<workspace_dir>/NAME/terraform.tfstate` (`workspace_dir` defaults to
//! `terraform.tfstate.d`); a workspace exists when its folder does.

use std::path::{Path, PathBuf};

use super::{DEFAULT_STATE_FILE, DEFAULT_WORKSPACE, LocalStore, StateError};

/// Where the local backend keeps the workspaces other than `default` by default.
pub(crate) const DEFAULT_WORKSPACE_DIR: &str = "terraform.tfstate.d";

/// The workspaces of a `local` backend rooted in a working directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalWorkspaces {
    /// The `default` workspace's state file.
    pub default_path: PathBuf,
    /// The folder of the other workspaces' folders.
    pub workspace_dir: PathBuf,
}

impl LocalWorkspaces {
    /// The workspaces of `dir` with the backend block's `path` and `workspace_dir`.
    pub(crate) fn new(
        dir: &Path,
        path: Option<&str>,
        workspace_dir: Option<&str>,
    ) -> LocalWorkspaces {
        LocalWorkspaces {
            default_path: dir.join(path.unwrap_or(DEFAULT_STATE_FILE)),
            workspace_dir: dir.join(workspace_dir.unwrap_or(DEFAULT_WORKSPACE_DIR)),
        }
    }

    /// The state file of `workspace`.
    pub(crate) fn state_path(&self, workspace: &str) -> PathBuf {
        if workspace == DEFAULT_WORKSPACE {
            return self.default_path.clone();
        }
        self.workspace_dir.join(workspace).join(DEFAULT_STATE_FILE)
    }

    /// The store of `workspace`, creating its folder as Terraform does on first use.
    pub(crate) fn store(&self, workspace: &str) -> Result<LocalStore, StateError> {
        self.create(workspace)?;
        Ok(LocalStore::at_path(self.state_path(workspace)))
    }

    /// Creates `workspace`'s folder (nothing for `default`).
    pub(crate) fn create(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Ok(());
        }
        let folder = self.workspace_dir.join(workspace);
        std::fs::create_dir_all(&folder).map_err(|err| StateError::io("create", &folder, err))
    }

    /// `default` first, then every folder of the workspace folder, sorted by name.
    pub(crate) fn list(&self) -> Result<Vec<String>, StateError> {
        let mut names = vec![DEFAULT_WORKSPACE.to_string()];
        let entries = match std::fs::read_dir(&self.workspace_dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(names),
            Err(err) => return Err(StateError::io("read", &self.workspace_dir, err)),
        };
        let mut listed = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|err| StateError::io("read", &self.workspace_dir, err))?;
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                listed.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        listed.sort();
        names.extend(listed);
        Ok(names)
    }

    /// Removes `workspace`'s folder with its state (never the `default` workspace).
    pub(crate) fn delete(&self, workspace: &str) -> Result<(), StateError> {
        let folder = self.workspace_dir.join(workspace);
        if workspace == DEFAULT_WORKSPACE || workspace.is_empty() {
            return Err(StateError::Backend {
                action: "delete the workspace",
                detail: "cannot delete default state".into(),
            });
        }
        match std::fs::remove_dir_all(&folder) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(StateError::io("delete", &folder, err))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keeps_the_path_and_others_live_in_the_workspace_dir() {
        let spaces = LocalWorkspaces::new(Path::new("/w"), None, None);
        assert_eq!(
            spaces.state_path("default"),
            Path::new("/w/terraform.tfstate")
        );
        assert_eq!(
            spaces.state_path("dev"),
            Path::new("/w/terraform.tfstate.d/dev/terraform.tfstate")
        );
        let custom = LocalWorkspaces::new(Path::new("/w"), Some("s/main.tfstate"), Some("envs"));
        assert_eq!(custom.state_path("default"), Path::new("/w/s/main.tfstate"));
        assert_eq!(
            custom.state_path("dev"),
            Path::new("/w/envs/dev/terraform.tfstate")
        );
    }

    #[test]
    fn workspaces_are_listed_default_first_then_sorted_and_deleted_with_their_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spaces = LocalWorkspaces::new(dir.path(), None, None);
        assert_eq!(spaces.list().expect("list"), ["default"]);
        spaces.create("prod").expect("create prod");
        spaces.store("dev").expect("create dev");
        std::fs::write(dir.path().join("terraform.tfstate.d/stray-file"), "x").expect("file");
        assert_eq!(spaces.list().expect("list"), ["default", "dev", "prod"]);
        spaces.delete("dev").expect("delete dev");
        assert_eq!(spaces.list().expect("list"), ["default", "prod"]);
        assert!(spaces.delete("default").is_err());
    }
}
