//! Loading policies: every `*.rego` file under the given directories (recursively, in name
//! order) into one Rego engine, and optionally the directories' JSON files as `data`, each
//! at the path of its directory as `opa test` mounts them. The loaded policies are checked
//! for calls to functions the engine lacks before anything is evaluated.

use std::path::{Path, PathBuf};

use regorus::unstable::{Module, Ref};
use regorus::{Engine, Value};

use super::PolicyError;

/// How deep directories are followed, which also stops symbolic-link cycles.
const MAX_DEPTH: usize = 32;

/// Loaded and checked policies, ready to evaluate.
pub(crate) struct Policies {
    engine: Engine,
}

/// The files found under one directory: Rego sources and JSON data, with the directory
/// path (relative to the root) of each data file.
#[derive(Default)]
struct Found {
    rego: Vec<PathBuf>,
    data: Vec<(Vec<String>, PathBuf)>,
}

impl Policies {
    /// Loads every `*.rego` file under `dirs` (each a directory or one `.rego` file), and
    /// with `with_data` every `*.json` file as data. A directory without any policy is an
    /// error, so a mistyped path never passes.
    pub(crate) fn load(dirs: &[String], with_data: bool) -> Result<Policies, PolicyError> {
        let mut sources = Vec::new();
        let mut data = Vec::new();
        for dir in dirs {
            let mut found = Found::default();
            let path = Path::new(dir);
            if path.is_file() && dir.ends_with(".rego") {
                found.rego.push(path.to_path_buf());
            } else {
                collect(path, &[], 0, &mut found)?;
            }
            if found.rego.is_empty() {
                return Err(PolicyError::NoPolicies(dir.clone()));
            }
            for path in found.rego {
                sources.push((path.display().to_string(), read(&path)?));
            }
            data.extend(found.data);
        }
        let mut policies = Policies::from_sources(&sources)?;
        if with_data {
            for (at, path) in data {
                policies.add_data(&at, &path)?;
            }
        }
        Ok(policies)
    }

    /// Parses `(file name, Rego text)` pairs and checks the functions they call.
    pub(crate) fn from_sources(sources: &[(String, String)]) -> Result<Policies, PolicyError> {
        let mut engine = Engine::new();
        engine.set_gather_prints(true);
        for (name, text) in sources {
            super::nesting::check(name, text)?;
            engine
                .add_policy(name.clone(), text.clone())
                .map_err(|e| PolicyError::Parse(format!("{e:#}")))?;
        }
        super::functions::check_calls(engine.get_modules())?;
        Ok(Policies { engine })
    }

    /// Sets the input document, given as JSON text.
    pub(crate) fn set_input_json(&mut self, json: &str) -> Result<(), PolicyError> {
        let input = Value::from_json_str(json)
            .map_err(|e| PolicyError::Evaluation(format!("invalid input document: {e:#}")))?;
        self.engine.set_input(input);
        Ok(())
    }

    /// The loaded modules (their packages and rules).
    pub(crate) fn modules(&mut self) -> Vec<Ref<Module>> {
        self.engine.get_modules().clone()
    }

    /// Evaluates the rule at `path` (`data.main.deny`); `Undefined` when no body holds.
    pub(crate) fn eval_rule(&mut self, path: &str) -> Result<Value, PolicyError> {
        self.engine
            .eval_rule(path.to_string())
            .map_err(|e| PolicyError::Evaluation(format!("{e:#}")))
    }

    /// The lines `print` wrote since the last call (`FILE:LINE: message`): gathered
    /// rather than written to standard error, so that the caller decides where they go.
    pub(crate) fn take_prints(&mut self) -> Vec<String> {
        self.engine.take_prints().unwrap_or_default()
    }

    /// Adds the JSON document in `path` to `data` under the keys `at`.
    fn add_data(&mut self, at: &[String], path: &Path) -> Result<(), PolicyError> {
        let text = read(path)?;
        let mut value = Value::from_json_str(&text).map_err(|e| PolicyError::Read {
            path: path.display().to_string(),
            reason: format!("{e:#}"),
        })?;
        for key in at.iter().rev() {
            let mut object = Value::new_object();
            if let Ok(fields) = object.as_object_mut() {
                fields.insert(Value::from(key.as_str()), value);
            }
            value = object;
        }
        self.engine.add_data(value).map_err(|e| PolicyError::Read {
            path: path.display().to_string(),
            reason: format!("{e:#}"),
        })
    }
}

/// The policy and data files under `dir`, which lies at `at` below the root.
fn collect(dir: &Path, at: &[String], depth: usize, found: &mut Found) -> Result<(), PolicyError> {
    let failed = |e: std::io::Error| PolicyError::Read {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(failed)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(failed)?;
    entries.sort();
    for path in entries {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if path.is_dir() {
            if depth < MAX_DEPTH && !name.starts_with('.') {
                let mut below = at.to_vec();
                below.push(name);
                collect(&path, &below, depth + 1, found)?;
            }
        } else if name.ends_with(".rego") {
            found.rego.push(path);
        } else if name.ends_with(".json") {
            found.data.push((at.to_vec(), path));
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, PolicyError> {
    std::fs::read_to_string(path).map_err(|e| PolicyError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
