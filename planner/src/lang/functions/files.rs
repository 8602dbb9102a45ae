//! File-system functions: `file`, `fileexists`, `fileset`, `filebase64`, the file hashes,
//! `templatefile`, and the path functions `abspath`, `dirname`, `basename`, `pathexpand`.
//! Relative paths are relative to the working directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hcl_edit::template::Template;
use tenantform_proto::value::Value;

use super::hashing::{Algorithm, Encoding, digest_functions, encoded_digest};
use super::{FunctionError, string_arg};
use crate::diags::Sources;
use crate::lang::EvalContext;
use crate::lang::eval::Evaluator;
use crate::lang::marks::Marked;

fn read_bytes(args: &[Value]) -> Result<Vec<u8>, FunctionError> {
    let path = string_arg(args, 0)?;
    let expanded = expand_home(&path);
    std::fs::read(&expanded).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
            )
        } else {
            format!("failed to read file: {e}")
        };
        FunctionError::arg(0, message)
    })
}

fn read_text(args: &[Value]) -> Result<String, FunctionError> {
    let path = string_arg(args, 0)?;
    String::from_utf8(read_bytes(args)?).map_err(|_| {
        FunctionError::arg(
            0,
            format!("contents of {path:?} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"),
        )
    })
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix('~'), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{}{rest}", Path::new(&home).display()))
        }
        _ => PathBuf::from(path),
    }
}

pub(super) fn file(args: Vec<Value>) -> Result<Value, FunctionError> {
    read_text(&args).map(Value::String)
}

pub(super) fn filebase64(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(STANDARD.encode(read_bytes(&args)?)))
}

pub(super) fn fileexists(args: Vec<Value>) -> Result<Value, FunctionError> {
    let path = string_arg(&args, 0)?;
    match std::fs::metadata(expand_home(&path)) {
        Ok(meta) if meta.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(FunctionError::Call(format!(
            "{path:?} is a directory, not a file"
        ))),
        Err(_) => Ok(Value::Bool(false)),
    }
}

digest_functions! { read_bytes:
    filemd5 => Md5, Hex;
    filesha1 => Sha1, Hex;
    filesha256 => Sha256, Hex;
    filesha512 => Sha512, Hex;
    filebase64sha256 => Sha256, Base64;
    filebase64sha512 => Sha512, Base64;
}

/// Whether `name` matches a glob `pattern` segment: `*`, `?`, `[...]` and `{a,b}`.
fn segment_matches(pattern: &str, name: &str) -> bool {
    let source = regex::escape(pattern)
        .replace("\\*", "[^/]*")
        .replace("\\?", "[^/]")
        .replace("\\[", "[")
        .replace("\\]", "]")
        .replace("\\{", "(?:")
        .replace("\\}", ")")
        .replace(',', "|");
    regex::Regex::new(&format!("^{source}$")).is_ok_and(|r| r.is_match(name))
}

fn path_matches(pattern: &[&str], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(&"**"), _) => {
            path_matches(&pattern[1..], path)
                || (!path.is_empty() && path_matches(pattern, &path[1..]))
        }
        (Some(p), Some(name)) => {
            segment_matches(p, name) && path_matches(&pattern[1..], &path[1..])
        }
        _ => false,
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&entry.path(), &relative, out),
            Ok(_) => out.push(relative),
            Err(_) => {}
        }
    }
}

/// `fileset(path, pattern)`: the files under `path` whose relative paths match.
pub(super) fn fileset(args: Vec<Value>) -> Result<Value, FunctionError> {
    let base = string_arg(&args, 0)?;
    let pattern = string_arg(&args, 1)?;
    let mut files = Vec::new();
    walk(Path::new(&base), "", &mut files);
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    let mut matched: Vec<Value> = files
        .into_iter()
        .filter(|f| path_matches(&pattern_parts, &f.split('/').collect::<Vec<_>>()))
        .map(Value::String)
        .collect();
    Value::normalize_set(&mut matched);
    Ok(Value::Set(matched))
}

/// `templatefile(path, vars)`: the file rendered as a template with `vars` in scope.
pub(super) fn templatefile(args: Vec<Value>) -> Result<Value, FunctionError> {
    let path = string_arg(&args, 0)?;
    let text = read_text(&args)?;
    let variables: BTreeMap<String, Value> = match &args[1] {
        Value::Map(entries) | Value::Object(entries) => entries.clone(),
        _ => return Err(FunctionError::arg(1, "invalid vars value: must be a map")),
    };
    if let Some(bad) = variables.keys().find(|k| !is_identifier(k)) {
        return Err(FunctionError::arg(
            1,
            format!(
                "invalid template variable name {bad:?}: must start with a letter, followed by zero or more letters, digits, and underscores"
            ),
        ));
    }
    let template: Template = text.parse().map_err(|e: hcl_edit::parser::Error| {
        FunctionError::arg(0, format!("failed to parse template: {}", e.message()))
    })?;
    let sources = Sources::of_file(path.clone(), text);
    let ctx = EvalContext::default();
    let mut evaluator = Evaluator::new(&ctx, &path, &sources);
    let bindings = variables
        .into_iter()
        .map(|(name, value)| (name, Marked::plain(value)))
        .collect();
    evaluator
        .with_bindings(bindings, |e| e.eval_template(&template))
        .map(|marked| marked.value)
        .map_err(|diags| {
            let message = diags.inline(": ");
            let missing_variable = diags.iter().any(|d| d.summary.contains("reference"));
            if missing_variable {
                FunctionError::arg(
                    1,
                    format!("vars map does not contain a key the template uses: {message}"),
                )
            } else {
                FunctionError::Call(message)
            }
        })
}

use crate::format::literal::is_identifier;

pub(super) fn abspath(args: Vec<Value>) -> Result<Value, FunctionError> {
    let path = string_arg(&args, 0)?;
    let joined = std::env::current_dir()
        .map(|d| d.join(&path))
        .map_err(|e| FunctionError::Call(e.to_string()))?;
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(Value::String(clean.display().to_string()))
}

/// Go's `filepath.Dir`: everything before the last separator, cleaned; `.` when none.
pub(super) fn dirname(args: Vec<Value>) -> Result<Value, FunctionError> {
    let path = string_arg(&args, 0)?;
    let dir = match path.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => path[..i].trim_end_matches('/').to_string(),
        None => ".".to_string(),
    };
    Ok(Value::String(if dir.is_empty() { "/".into() } else { dir }))
}

/// Go's `filepath.Base`: the last element, `.` for an empty path, `/` for the root.
pub(super) fn basename(args: Vec<Value>) -> Result<Value, FunctionError> {
    let path = string_arg(&args, 0)?;
    if path.is_empty() {
        return Ok(Value::string("."));
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::string("/"));
    }
    Ok(Value::string(trimmed.rsplit('/').next().unwrap_or(trimmed)))
}

pub(super) fn pathexpand(args: Vec<Value>) -> Result<Value, FunctionError> {
    let path = string_arg(&args, 0)?;
    Ok(Value::String(expand_home(&path).display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_string_results, s};

    #[test]
    fn paths() {
        assert_string_results(&[
            (dirname, &["foo/bar/baz.txt"], "foo/bar"),
            (dirname, &["baz.txt"], "."),
            (basename, &["foo/bar/baz.txt"], "baz.txt"),
            (basename, &["/"], "/"),
        ]);
    }

    #[test]
    fn files_read_hash_glob_and_render() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file_path = dir.path().join("a.tpl");
        std::fs::write(
            &file_path,
            "Hello, ${name}!%{ for x in xs } ${x}%{ endfor }",
        )
        .expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/b.txt"), "b").expect("write");
        let path = s(&file_path.display().to_string());
        assert_eq!(fileexists(vec![path.clone()]), Ok(Value::Bool(true)));
        assert!(file(vec![s("/no/such/file")]).is_err());
        assert_eq!(
            filemd5(vec![s(&dir.path().join("sub/b.txt").display().to_string())]),
            Ok(s("92eb5ffee6ae2fec3ad71c777531578f"))
        );
        let vars = crate::lang::types::object([
            ("name", s("you")),
            ("xs", Value::Tuple(vec![s("1"), s("2")])),
        ]);
        assert_eq!(templatefile(vec![path, vars]), Ok(s("Hello, you! 1 2")));
        let base = s(&dir.path().display().to_string());
        assert_eq!(
            fileset(vec![base.clone(), s("**/*.txt")]),
            Ok(Value::Set(vec![s("sub/b.txt")]))
        );
        assert_eq!(
            fileset(vec![base, s("*.tpl")]),
            Ok(Value::Set(vec![s("a.tpl")]))
        );
    }
}
