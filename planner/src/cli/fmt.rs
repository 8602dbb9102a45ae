//! `tenantform fmt [options] [target...]`: rewrites configuration files (`*.tf`,
//! `*.tfvars`, `*.tftest.hcl`, `*.tfmock.hcl`) in the canonical style, as `terraform fmt`
//! does, with its options (`-list`, `-write`, `-diff`, `-check`, `-recursive`), its output
//! and its exit codes: 2 when a file has a syntax error, 3 when `-check` finds a file that
//! is not formatted. A single `-` target reads standard input and writes the result to
//! standard output.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::args::Flag;
use super::{CommandResult, Ui};
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::format::format_source;

pub(super) static COMMAND: Command = Command::new(
    "fmt",
    "[options] [target...]",
    "  Rewrites all configuration files to a canonical format. All configuration
  files (.tf), variables files (.tfvars), and testing files (.tftest.hcl) are
  updated. JSON files (.tf.json, .tfvars.json, or .tftest.json) are not
  modified.

  By default, fmt scans the current directory for configuration files. If you
  provide a directory for the target argument, then fmt will scan that
  directory instead. If you provide a file, then fmt will process just that
  file. If you provide a single dash (\"-\"), then fmt will read from standard
  input (STDIN).",
    &[
        Flag::bool(
            "list",
            "Don't list files whose formatting differs (always disabled if using STDIN).",
        )
        .shown_as("=false"),
        Flag::bool(
            "write",
            "Don't write to source files (always disabled if using STDIN or -check).",
        )
        .shown_as("=false"),
        Flag::bool("diff", "Display diffs of formatting changes."),
        Flag::bool(
            "check",
            "Check if the input is formatted. Exit status will be 0 if all input is properly formatted and 3 otherwise.",
        ),
        flag_defs::NO_COLOR,
        Flag::bool(
            "recursive",
            "Also process files in subdirectories. By default, only the given directory (or current directory) is processed.",
        ),
    ],
);

/// The file name endings fmt processes.
const EXTENSIONS: &[&str] = &[".tf", ".tfvars", ".tftest.hcl", ".tfmock.hcl"];

/// What to do with each file, after the command line's options are reconciled.
struct Options {
    list: bool,
    write: bool,
    diff: bool,
    recursive: bool,
}

/// The run's state: the options, what was printed, and the problems found.
struct Formatter {
    options: Options,
    /// Output goes here instead of stdout when `-check` decides from it.
    buffer: Option<String>,
    diags: Diagnostics,
    sources: Sources,
    working_dir: PathBuf,
}

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let check = parsed.flag("check", false);
    let mut options = Options {
        list: parsed.flag("list", true),
        write: parsed.flag("write", true),
        diff: parsed.flag("diff", false),
        recursive: parsed.flag("recursive", false),
    };
    let from_stdin = parsed.positional.first().is_some_and(|p| p == "-");
    if from_stdin {
        options.list = false;
        options.write = false;
    }
    let show_list = options.list;
    if check {
        options.list = true;
        options.write = false;
    }
    let mut formatter = Formatter {
        options,
        buffer: check.then(String::new),
        diags: Diagnostics::new(),
        sources: Sources::default(),
        working_dir: std::env::current_dir().unwrap_or_default(),
    };
    if from_stdin {
        formatter.stdin(ui);
    } else if parsed.positional.is_empty() {
        formatter.target(ui, ".");
    } else {
        for target in &parsed.positional {
            if !formatter.target(ui, target) {
                break;
            }
        }
    }
    let Formatter {
        buffer,
        diags,
        sources,
        ..
    } = formatter;
    ui.diags(&diags, &sources);
    if diags.has_errors() {
        return Ok(2);
    }
    match buffer {
        Some(listed) if show_list => {
            ui.out(&listed);
            Ok(if listed.is_empty() { 0 } else { 3 })
        }
        Some(listed) => Ok(if listed.is_empty() { 0 } else { 3 }),
        None => Ok(0),
    }
}

impl Formatter {
    /// Prints as Terraform's terminal writer does: every write ends with a newline.
    fn print(&mut self, ui: &Ui, text: &str) {
        let mut text = text.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        match &mut self.buffer {
            Some(buffer) => buffer.push_str(&text),
            None => ui.out(&text),
        }
    }

    fn error(&mut self, summary: String) {
        self.diags.push(Diagnostic::error(summary, ""));
    }

    fn stdin(&mut self, ui: &Ui) {
        let mut bytes = Vec::new();
        if std::io::stdin().read_to_end(&mut bytes).is_err() {
            self.error("Failed to read <stdin>".into());
            return;
        }
        self.file(ui, "<stdin>", bytes, None);
    }

    /// A file or directory named on the command line; false stops the run.
    fn target(&mut self, ui: &Ui, target: &str) -> bool {
        let path = Path::new(target);
        let shown = self.display_path(path);
        let Ok(metadata) = std::fs::metadata(path) else {
            self.error(format!("No file or directory at {shown}"));
            return false;
        };
        if metadata.is_dir() {
            self.directory(ui, path);
        } else if has_supported_extension(target) {
            match std::fs::read(path) {
                Ok(bytes) => self.file(ui, &shown, bytes, Some(path)),
                Err(_) => self.error(format!("Failed to read file {shown}")),
            }
        } else {
            self.error(
                "Only .tf, .tfvars, and .tftest.hcl files can be processed with tenantform fmt"
                    .into(),
            );
        }
        true
    }

    fn directory(&mut self, ui: &Ui, dir: &Path) {
        let shown = self.display_path(dir);
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                self.error(format!("There is no configuration directory at {shown}"));
                return;
            }
            Err(_) => {
                self.error(format!("Cannot read directory {shown}"));
                return;
            }
        };
        let mut entries: Vec<(String, bool)> = entries
            .filter_map(Result::ok)
            .map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                (name, is_dir)
            })
            .collect();
        entries.sort();
        for (name, is_dir) in entries {
            if is_ignored(&name) {
                continue;
            }
            let path = dir.join(&name);
            if is_dir {
                if self.options.recursive {
                    self.directory(ui, &path);
                }
                continue;
            }
            if has_supported_extension(&name) {
                let shown = self.display_path(&path);
                match std::fs::read(&path) {
                    Ok(bytes) => self.file(ui, &shown, bytes, Some(&path)),
                    Err(_) => self.error(format!("Failed to read file {shown}")),
                }
            }
        }
    }

    /// Formats one file's content; `path` is where to write it back (none for stdin).
    fn file(&mut self, ui: &Ui, shown: &str, bytes: Vec<u8>, path: Option<&Path>) {
        let Ok(src) = String::from_utf8(bytes) else {
            self.error(format!("Invalid UTF-8 in {shown}"));
            return;
        };
        let formatted = match format_source(&src) {
            Ok(formatted) => formatted,
            Err(err) => {
                let end = (err.offset + 1).min(src.len()).max(err.offset);
                self.sources.files.insert(shown.to_string(), src);
                let range = self.sources.range(shown, err.offset..end);
                self.diags
                    .push(Diagnostic::error(err.summary, err.detail).with_range(Some(range)));
                return;
            }
        };
        if formatted != src {
            if self.options.list {
                self.print(ui, shown);
            }
            if self.options.write
                && let Some(path) = path
                && std::fs::write(path, &formatted).is_err()
            {
                self.error(format!("Failed to write {shown}"));
                return;
            }
            if self.options.diff {
                let diff = unified_diff(&src, &formatted, shown);
                self.print(ui, &diff);
            }
        }
        if !self.options.list && !self.options.write && !self.options.diff {
            self.print(ui, &formatted);
        }
    }

    /// A path as fmt shows it: relative to the working directory when possible.
    fn display_path(&self, path: &Path) -> String {
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.working_dir.join(path)
        };
        relative_path(&self.working_dir, &absolute)
            .to_string_lossy()
            .into_owned()
    }
}

/// The unified diff fmt shows, with `old/PATH` and `new/PATH` headers and three lines of
/// context, as GNU `diff -u` writes it.
pub(crate) fn unified_diff(old: &str, new: &str, shown: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("old/{shown}"), &format!("new/{shown}"))
        .to_string()
}

fn has_supported_extension(name: &str) -> bool {
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

/// Hidden files and editor backups, which Terraform ignores.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// `path`'s components with `.` and `..` resolved lexically.
fn lexical_components(path: &Path) -> Vec<Component<'_>> {
    let mut parts: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(parts.last(), Some(Component::Normal(_))) {
                    parts.pop();
                }
            }
            other => parts.push(other),
        }
    }
    parts
}

/// `target` relative to `base`, both absolute.
fn relative_path(base: &Path, target: &Path) -> PathBuf {
    let base = lexical_components(base);
    let target = lexical_components(target);
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..base.len() {
        relative.push("..");
    }
    for part in &target[common..] {
        relative.push(part.as_os_str());
    }
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_relative_to_the_working_directory() {
        let base = Path::new("/work/project");
        let cases = [
            ("/work/project/main.tf", "main.tf"),
            ("/work/project/./sub/../sub/a.tf", "sub/a.tf"),
            ("/work/other/b.tf", "../other/b.tf"),
            ("/work/project", "."),
        ];
        for (target, shown) in cases {
            assert_eq!(relative_path(base, Path::new(target)), Path::new(shown));
        }
    }

    #[test]
    fn diffs_have_terraform_headers_and_hunks() {
        let diff = unified_diff("a=1\nb = 2\n", "a = 1\nb = 2\n", "main.tf");
        assert_eq!(
            diff,
            "--- old/main.tf\n+++ new/main.tf\n@@ -1,2 +1,2 @@\n-a=1\n+a = 1\n b = 2\n"
        );
        let diff = unified_diff("i=9", "i = 9", "x.tf");
        assert!(diff.ends_with(
            "-i=9\n\\ No newline at end of file\n+i = 9\n\\ No newline at end of file\n"
        ));
    }

    #[test]
    fn ignores_hidden_and_backup_files() {
        assert!(is_ignored(".terraform"));
        assert!(is_ignored("main.tf~"));
        assert!(is_ignored("#main.tf#"));
        assert!(!is_ignored("main.tf"));
    }
}
