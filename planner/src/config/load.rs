//! Reading and parsing configuration files, and the shared machinery of block decoding:
//! ranges, labels, names and constant arguments. Problems are collected across all files so
//! that one run reports every error.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use tenantform_proto::value::{Type, Value};

use super::Config;
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::{EvalContext, convert, evaluate};

/// Reads every `*.tf` file of `dir` in name order.
pub(super) fn read_dir(dir: &Path) -> Result<BTreeMap<String, String>, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Failed to read module directory",
            format!(
                "Module directory {} does not exist or cannot be read: {e}.",
                dir.display()
            ),
        ))
    })?;
    let mut files = BTreeMap::new();
    let mut diags = Diagnostics::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry
            .file_type()
            .is_ok_and(|t| t.is_file() || t.is_symlink());
        if !is_file || is_ignored_file(&name) {
            continue;
        }
        if let Some(refusal) = refused_file_kind(&name) {
            diags.push(refusal);
            continue;
        }
        if !name.ends_with(".tf") {
            continue;
        }
        match std::fs::read_to_string(entry.path()) {
            Ok(text) => {
                files.insert(name, text);
            }
            Err(e) => diags.push(Diagnostic::error(
                "Failed to read file",
                format!("The configuration file {name:?} could not be read: {e}."),
            )),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(files)
    }
}

/// Files Terraform skips: hidden files and editors' backup and lock files.
fn is_ignored_file(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// The refusal of a configuration file kind Terraform reads and tenantform does not:
/// JSON configuration (`*.tf.json`) and override files (`override.tf`, `*_override.tf`).
fn refused_file_kind(name: &str) -> Option<Diagnostic> {
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))?;
    if stem == "override" || stem.ends_with("_override") {
        return Some(Diagnostic::error(
            "Unsupported by tenantform: override files",
            format!(
                "Override files are not supported by tenantform: {name:?} would be merged \
                 into the configuration by Terraform. Merge its content into the other files."
            ),
        ));
    }
    if name.ends_with(".tf.json") {
        return Some(Diagnostic::error(
            "Unsupported by tenantform: JSON configuration files",
            format!(
                "JSON configuration files (*.tf.json) are not supported by tenantform: \
                 {name:?} cannot be read. Write the configuration in the native syntax (.tf)."
            ),
        ));
    }
    None
}

/// Parses and decodes every file; see [`crate::config::load_sources`].
pub(super) fn load_sources(
    dir: &Path,
    files: BTreeMap<String, String>,
) -> Result<Config, Diagnostics> {
    let mut tree = ModuleTree {
        root_dir: dir.to_path_buf(),
        given: files.clone(),
        all_files: files,
        diags: Diagnostics::new(),
    };
    let root_files: BTreeMap<String, String> = tree
        .given
        .iter()
        .filter(|(name, _)| !name.contains('/'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut config = tree.load_module(dir.to_path_buf(), "", root_files, Vec::new());
    if tree.diags.has_errors() {
        return Err(tree.diags);
    }
    let sources = Sources::new(tree.all_files);
    share_sources(&mut config, &sources);
    Ok(config)
}

/// Gives every module of the tree the same sources (every file of every module).
fn share_sources(config: &mut Config, sources: &Sources) {
    config.sources = sources.clone();
    for child in config.children.values_mut() {
        share_sources(child, sources);
    }
}

/// How deep module calls may nest (a module calling itself would never end).
const MAX_MODULE_DEPTH: usize = 32;

/// Loading a root module and the local modules it calls, recursively.
struct ModuleTree {
    root_dir: PathBuf,
    /// The files given by the caller; child module files found here are not read from disk.
    given: BTreeMap<String, String>,
    /// Every file of every module, keyed by path relative to the root module.
    all_files: BTreeMap<String, String>,
    diags: Diagnostics,
}

impl ModuleTree {
    /// Decodes one module whose files are `files` (keys relative to the root module) and
    /// loads the modules it calls.
    fn load_module(
        &mut self,
        dir: PathBuf,
        prefix: &str,
        files: BTreeMap<String, String>,
        path: Vec<String>,
    ) -> Config {
        let sources = Sources::new(files);
        let mut loader = Loader {
            file: String::new(),
            sources: sources.clone(),
            config: Config {
                dir,
                sources,
                path,
                ..Config::empty()
            },
            diags: Diagnostics::new(),
            required_providers_at: None,
        };
        let files: Vec<(String, String)> = loader
            .sources
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, text) in files {
            loader.file = name;
            match crate::lang::parse::parse_body(&text) {
                Ok(body) => loader.top_level(&body),
                Err(err) => {
                    let offset = err.offset;
                    let range = loader.sources.range(&loader.file, offset..offset + 1);
                    let range = clamp_to_line(range, &text);
                    loader.diags.push(
                        Diagnostic::error("Invalid HCL syntax", err.message)
                            .with_range(Some(range)),
                    );
                }
            }
        }
        loader.add_implied_providers();
        let Loader {
            mut config, diags, ..
        } = loader;
        self.diags.extend(diags);
        let calls: Vec<super::ModuleCall> = config.module_calls.values().cloned().collect();
        for call in calls {
            if let Some(child) = self.load_child(&config, prefix, &call) {
                config.children.insert(call.name.clone(), child);
            }
        }
        config
    }

    fn load_child(
        &mut self,
        parent: &Config,
        prefix: &str,
        call: &super::ModuleCall,
    ) -> Option<Config> {
        let fail = |tree: &mut ModuleTree, summary: &str, detail: String| {
            tree.diags.push(
                Diagnostic::error(summary, detail).with_range(Some(call.source_range.clone())),
            );
            None
        };
        if !(call.source.starts_with("./") || call.source.starts_with("../")) {
            return fail(
                self,
                "Unsupported by tenantform: remote module sources",
                format!(
                    "The module source {:?} is not a local path: registry, Git, HTTP and other \
                     remote module sources are not supported by tenantform. Only local modules \
                     (sources starting with \"./\" or \"../\") are supported.",
                    call.source
                ),
            );
        }
        if parent.path.len() >= MAX_MODULE_DEPTH {
            return fail(
                self,
                "Module calls nest too deeply",
                format!(
                    "Modules may nest at most {MAX_MODULE_DEPTH} levels deep; a module probably \
                     calls itself."
                ),
            );
        }
        let child_prefix = join_relative(prefix, &call.source);
        let under = format!("{child_prefix}/");
        let mut files: BTreeMap<String, String> = self
            .given
            .iter()
            .filter(|(name, _)| {
                name.strip_prefix(&under)
                    .is_some_and(|rest| !rest.contains('/'))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if files.is_empty() {
            match read_dir(&self.root_dir.join(&child_prefix)) {
                Ok(found) => {
                    for (name, text) in found {
                        files.insert(format!("{under}{name}"), text);
                    }
                }
                Err(_) => {
                    return fail(
                        self,
                        "Unreadable module directory",
                        format!(
                            "The directory {child_prefix} of module \"{}\" does not exist or \
                             cannot be read.",
                            call.name
                        ),
                    );
                }
            }
        }
        self.all_files
            .extend(files.iter().map(|(k, v)| (k.clone(), v.clone())));
        let is_dot = matches!(self.root_dir.to_str(), Some("" | "."));
        let dir = if is_dot {
            PathBuf::from(&child_prefix)
        } else {
            self.root_dir.join(&child_prefix)
        };
        let mut path = parent.path.clone();
        path.push(call.name.clone());
        Some(self.load_module(dir, &child_prefix, files, path))
    }
}

/// `prefix` joined with a relative `source`, with `.` and `..` steps resolved.
fn join_relative(prefix: &str, source: &str) -> String {
    let mut parts: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// A one-character range stays on its line (an error at a line end points at the line end).
fn clamp_to_line(mut range: SourceRange, text: &str) -> SourceRange {
    if text
        .as_bytes()
        .get(range.start.byte)
        .is_none_or(|b| *b == b'\n')
    {
        range.end = range.start;
    }
    range
}

/// Decoding state: the configuration so far, the problems found, the file being read.
pub(super) struct Loader {
    pub file: String,
    pub sources: Sources,
    pub config: Config,
    pub diags: Diagnostics,
    /// Where the first `required_providers` block was.
    pub required_providers_at: Option<SourceRange>,
}

/// How a second declaration of a name is reported: `{named} named "NAME" was already
/// {verb} at RANGE. {rule}`.
pub(super) struct Uniqueness {
    summary: &'static str,
    named: &'static str,
    verb: &'static str,
    rule: &'static str,
}

/// Names of `variables` are unique within a module.
pub(super) const VARIABLE_NAMES: Uniqueness = Uniqueness {
    summary: "Duplicate variable declaration",
    named: "A variable",
    verb: "declared",
    rule: "Variable names must be unique within a module.",
};

/// Names of `locals` are unique within a module.
pub(super) const LOCAL_NAMES: Uniqueness = Uniqueness {
    summary: "Duplicate local value definition",
    named: "A local value",
    verb: "defined",
    rule: "Local value names must be unique within a module.",
};

/// Names of `outputs` are unique within a module.
pub(super) const OUTPUT_NAMES: Uniqueness = Uniqueness {
    summary: "Duplicate output definition",
    named: "An output",
    verb: "defined",
    rule: "Output names must be unique within a module.",
};

/// Names of `module_calls` are unique within a module.
pub(super) const MODULE_CALL_NAMES: Uniqueness = Uniqueness {
    summary: "Duplicate module call",
    named: "A module call",
    verb: "defined",
    rule: "Module calls must have unique names within a module.",
};

/// Names of `checks` are unique within a module.
pub(super) const CHECK_NAMES: Uniqueness = Uniqueness {
    summary: "Duplicate check block",
    named: "A check block",
    verb: "defined",
    rule: "Check blocks must be unique within a module.",
};

impl Loader {
    fn top_level(&mut self, body: &Body) {
        for structure in body {
            match structure {
                Structure::Attribute(attr) => self.error(
                    "Unsupported argument",
                    format!(
                        "An argument named \"{}\" is not expected here.",
                        attr.key.value()
                    ),
                    attr.key.span(),
                ),
                Structure::Block(block) => match block.ident.value().as_str() {
                    "terraform" => self.terraform_block(block),
                    "provider" => self.provider_block(block),
                    "variable" => self.variable_block(block),
                    "locals" => self.locals_block(block),
                    "output" => self.output_block(block),
                    "resource" => self.resource_block(block, crate::addrs::ResourceMode::Managed),
                    "data" => self.resource_block(block, crate::addrs::ResourceMode::Data),
                    "module" => self.module_block(block),
                    "check" => self.check_block(block),
                    "moved" => self.moved_block(block),
                    "removed" => self.removed_block(block),
                    "import" => self.import_block(block),
                    _ if self.refused_top_level_block(block) => {}
                    other => self.error(
                        "Unsupported block type",
                        format!("Blocks of type \"{other}\" are not expected here."),
                        block.ident.span(),
                    ),
                },
            }
        }
    }

    /// Adds a requirement on `hashicorp/NAME` for every provider used without one, as
    /// Terraform implies them.
    fn add_implied_providers(&mut self) {
        let used: Vec<String> = self
            .config
            .resources
            .values()
            .chain(self.config.checks.values().flat_map(|c| c.data.iter()))
            .map(|r| r.provider.clone())
            .chain(self.config.providers.values().map(|p| p.name.clone()))
            .collect();
        for name in used {
            self.config
                .required_providers
                .entry(name.clone())
                .or_insert_with(|| super::ProviderRequirement {
                    source: default_source(&name),
                    version: None,
                });
        }
    }

    pub(super) fn range(&self, span: Option<Range<usize>>) -> Option<SourceRange> {
        span.map(|s| self.sources.range(&self.file, s))
    }

    /// A range that always exists: the span's, or the file's start.
    pub(super) fn range_or_start(&self, span: Option<Range<usize>>) -> SourceRange {
        self.range(span)
            .unwrap_or_else(|| self.sources.range(&self.file, 0..0))
    }

    pub(super) fn error(
        &mut self,
        summary: &str,
        detail: impl Into<String>,
        span: Option<Range<usize>>,
    ) {
        let range = self.range(span);
        self.diags
            .push(Diagnostic::error(summary, detail).with_range(range));
    }

    /// The span of a block's header: its type and labels.
    pub(super) fn header_span(block: &Block) -> Option<Range<usize>> {
        let start = block.ident.span()?;
        let end = block
            .labels
            .last()
            .and_then(hcl_edit::Span::span)
            .unwrap_or(start.clone());
        Some(start.start..end.end)
    }

    /// The labels of a block, when it has exactly the `expected` ones (named in messages).
    pub(super) fn labels(&mut self, block: &Block, expected: &[&str]) -> Option<Vec<String>> {
        let kind = block.ident.value().to_string();
        let names = expected.join(", ");
        let count = expected.len();
        if block.labels.len() > count {
            let only = format!("Only {count} labels ({names}) are expected for {kind} blocks.");
            let (summary, detail) = crate::lang::extraneous_label(&kind, count, only);
            self.error(&summary, detail, block.labels[count].span());
            return None;
        }
        if block.labels.len() < count {
            let missing = expected[block.labels.len()];
            self.error(
                &format!("Missing {missing} for {kind}"),
                format!("All {kind} blocks must have {count} labels ({names})."),
                Self::header_span(block),
            );
            return None;
        }
        Some(
            block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
        )
    }

    /// Checks a declared name; `what` is "resource", "variable", and so on.
    pub(super) fn valid_name(
        &mut self,
        name: &str,
        what: &str,
        block: &Block,
        label: usize,
    ) -> bool {
        if is_identifier(name) {
            return true;
        }
        self.error(
            &format!("Invalid {what} name"),
            "A name must start with a letter or underscore and may contain only letters, \
             digits, underscores, and dashes.",
            block.labels.get(label).and_then(hcl_edit::Span::span),
        );
        false
    }

    /// Evaluates an argument that may not refer to anything, converted to `ty`.
    pub(super) fn constant(&mut self, expr: &Expression, ty: &Type, name: &str) -> Option<Value> {
        let value = match evaluate(expr, &EvalContext::default(), &self.file, &self.sources) {
            Ok(value) => value,
            Err(diags) => {
                self.diags.extend(diags);
                return None;
            }
        };
        match convert(value, ty) {
            Ok(value) if value.is_wholly_known() => Some(value),
            Ok(_) => None,
            Err(message) => {
                self.error(
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute \"{name}\": {message}."),
                    expr.span(),
                );
                None
            }
        }
    }

    pub(super) fn constant_string(&mut self, expr: &Expression, name: &str) -> Option<String> {
        match self.constant(expr, &Type::String, name)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn constant_bool(&mut self, expr: &Expression, name: &str) -> Option<bool> {
        self.constant(expr, &Type::Bool, name)?.as_bool()
    }

    /// The one label of a block labelled by its name (`variable "NAME"`), when it is a valid
    /// name for a `kind` block.
    pub(super) fn block_name(&mut self, block: &Block, kind: &str) -> Option<String> {
        let labels = self.labels(block, &["name"])?;
        let name = labels[0].clone();
        self.valid_name(&name, kind, block, 0).then_some(name)
    }

    /// Reports `name` declared again at `span` when `previous` (where it was first declared)
    /// exists; true when it was.
    pub(super) fn redeclared(
        &mut self,
        uniqueness: &Uniqueness,
        name: &str,
        previous: Option<SourceRange>,
        span: Option<Range<usize>>,
    ) -> bool {
        let Some(previous) = previous else {
            return false;
        };
        let Uniqueness {
            summary,
            named,
            verb,
            rule,
        } = uniqueness;
        let at = previous.short();
        let detail = format!("{named} named \"{name}\" was already {verb} at {at}. {rule}");
        self.error(summary, detail, span);
        true
    }

    /// The argument `name` of `body`; when it is missing, reports that at `span`.
    pub(super) fn required_attribute<'b>(
        &mut self,
        body: &'b Body,
        name: &str,
        span: Option<Range<usize>>,
    ) -> Option<&'b Attribute> {
        let attribute = body.get_attribute(name);
        if attribute.is_none() {
            self.error(
                "Missing required argument",
                format!("The argument \"{name}\" is required, but no definition was found."),
                span,
            );
        }
        attribute
    }

    /// The name of a block labelled by it, when it is valid and no block of the module
    /// declared it before (`declared` says where the configuration declares a name).
    pub(super) fn unique_block_name(
        &mut self,
        block: &Block,
        kind: &str,
        uniqueness: &Uniqueness,
        declared: impl Fn(&Config, &str) -> Option<SourceRange>,
    ) -> Option<String> {
        let name = self.block_name(block, kind)?;
        let previous = declared(&self.config, &name);
        let header = Self::header_span(block);
        (!self.redeclared(uniqueness, &name, previous, header)).then_some(name)
    }

    /// The constant string argument `name` of `body`; empty when unset or not a string.
    pub(super) fn optional_string(&mut self, body: &Body, name: &str) -> String {
        match body.get_attribute(name) {
            Some(attr) => self.constant_string(&attr.value, name).unwrap_or_default(),
            None => String::new(),
        }
    }

    /// The constant bool argument `name` of `body`; `default` when unset or not a bool.
    pub(super) fn optional_bool(&mut self, body: &Body, name: &str, default: bool) -> bool {
        match body.get_attribute(name) {
            Some(attr) => self.constant_bool(&attr.value, name).unwrap_or(default),
            None => default,
        }
    }

    /// Reports every attribute of `body` not in `allowed` and every block not in `blocks`.
    pub(super) fn check_arguments(&mut self, body: &Body, allowed: &[&str], blocks: &[&str]) {
        self.check_blocks(body, blocks);
        for attr in body.attributes() {
            let name = attr.key.value().as_str();
            if !allowed.contains(&name) {
                self.error(
                    "Unsupported argument",
                    format!("An argument named \"{name}\" is not expected here."),
                    attr.key.span(),
                );
            }
        }
    }

    /// Reports every block of `body` whose type is not in `blocks`.
    pub(super) fn check_blocks(&mut self, body: &Body, blocks: &[&str]) {
        for block in body.blocks() {
            let name = block.ident.value().as_str();
            if !blocks.contains(&name) {
                self.error(
                    "Unsupported block type",
                    format!("Blocks of type \"{name}\" are not expected here."),
                    block.ident.span(),
                );
            }
        }
    }
}

pub(super) use crate::format::literal::is_identifier;

/// The source Terraform assumes for a provider without one: `hashicorp/NAME`, except for
/// `terraform`, Terraform's built-in provider.
pub(crate) fn default_source(name: &str) -> String {
    if name == "terraform" {
        return crate::providers::builtin::SOURCE.to_string();
    }
    format!("registry.terraform.io/hashicorp/{name}")
}

#[cfg(test)]
mod path_tests {
    #[test]
    fn relative_sources_resolve_against_the_calling_module() {
        assert_eq!(
            super::join_relative("", "./modules/tenant"),
            "modules/tenant"
        );
        assert_eq!(super::join_relative("modules/a", "../b"), "modules/b");
        assert_eq!(super::join_relative("", "../shared/x"), "../shared/x");
    }
}
