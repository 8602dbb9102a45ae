//! The changed attributes of a resource instance or an output, as rows of `before → after`:
//! objects and maps are walked down to the leaves that differ, other values are shown whole
//! on one line (sensitive parts masked, unknowns as `(known after apply)`). A long or
//! multi-line string becomes a unified diff (`similar`) shown below the row.

use std::time::Duration;

use similar::{Algorithm, TextDiff};
use tenantform_proto::value::{AttributePath, PathStep, Value};

use super::escape::shorten;
use super::values::{self, KNOWN_AFTER_APPLY, SENSITIVE};
use crate::plan::{Action, OutputChange, ResourceChange};

/// Strings longer than this, or with a line break, are diffed rather than shown in a cell.
const LONG_TEXT: usize = 80;
/// The longest value a table cell shows; longer ones are cut with `…`.
const CELL_LIMIT: usize = 200;
/// The longest diff shown for one attribute; longer ones are cut at a line.
const DIFF_LIMIT: usize = 6_000;
/// The longest line a diff shows; longer ones are cut with `…`.
const LINE_LIMIT: usize = 1_000;
/// How long computing one diff may take before it settles for a coarser one.
const DIFF_TIME: Duration = Duration::from_millis(200);

/// One side of a row: a value (shown as code) or a note of ours (shown in italics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Cell {
    Value(String),
    Note(String),
}

/// One changed attribute (or output, or part of one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct AttributeRow {
    /// `display_name`, `labels["tier"]`, or an output's name and path.
    pub path: String,
    pub before: Cell,
    pub after: Cell,
    pub forces_replacement: bool,
    /// The unified diff of a long string, without fences.
    pub text_diff: Option<String>,
}

/// The changed attributes of a resource instance: all known ones of a created or read
/// object, the differing ones of an updated or replaced one, none for deletions, moves,
/// imports without change and forgotten objects.
pub(super) fn resource_rows(change: &ResourceChange) -> Vec<AttributeRow> {
    let (before, after): (&Value, &Value) = match change.action {
        Action::Create | Action::Read => (&Value::Null, &change.planned),
        Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete => {
            (&change.prior, &change.planned)
        }
        Action::Delete | Action::Forget | Action::NoOp => return Vec::new(),
    };
    let mut walk = Walk {
        root: "",
        sensitive: &change.sensitive_paths,
        replace: &change.requires_replace,
        rows: Vec::new(),
    };
    walk.walk(before, after, &mut Vec::new());
    walk.rows
}

/// The rows of a changed output: masked whole when it is sensitive.
pub(super) fn output_rows(output: &OutputChange) -> Vec<AttributeRow> {
    let before = match output.action {
        Action::Create => &Value::Null,
        _ => &output.before,
    };
    let after = match output.action {
        Action::Delete => &Value::Null,
        _ => &output.after,
    };
    let whole = [AttributePath::default()];
    let mut walk = Walk {
        root: &output.name,
        sensitive: if output.sensitive { &whole } else { &[] },
        replace: &[],
        rows: Vec::new(),
    };
    walk.walk(before, after, &mut Vec::new());
    if walk.rows.is_empty() {
        // An output whose value is the same but whose sensitivity changed.
        walk.rows.push(AttributeRow {
            path: output.name.clone(),
            before: walk.cell(before, &mut Vec::new()),
            after: walk.cell(after, &mut Vec::new()),
            forces_replacement: false,
            text_diff: None,
        });
    }
    walk.rows
}

struct Walk<'a> {
    root: &'a str,
    sensitive: &'a [AttributePath],
    replace: &'a [AttributePath],
    rows: Vec<AttributeRow>,
}

/// The entries of an object or map (or of null, as the other side's counterpart).
fn entries(value: &Value) -> Option<Option<&std::collections::BTreeMap<String, Value>>> {
    match value {
        Value::Map(entries) | Value::Object(entries) => Some(Some(entries)),
        Value::Null => Some(None),
        _ => None,
    }
}

/// The string of a text side (a string or null), when the pair is text.
fn text_pair<'v>(before: &'v Value, after: &'v Value) -> Option<(&'v str, &'v str)> {
    let side = |value: &'v Value| match value {
        Value::String(s) => Some(s.as_str()),
        Value::Null => Some(""),
        _ => None,
    };
    let pair = (side(before)?, side(after)?);
    let long = |s: &str| s.len() > LONG_TEXT || s.contains('\n');
    (long(pair.0) || long(pair.1)).then_some(pair)
}

impl Walk<'_> {
    fn walk(&mut self, before: &Value, after: &Value, path: &mut Vec<PathStep>) {
        if before == after {
            return;
        }
        if values::is_sensitive(self.sensitive, path) {
            self.row(path, self.masked(before), self.masked(after), None);
            return;
        }
        if let (Some(b), Some(a)) = (entries(before), entries(after)) {
            let is_object = matches!(before, Value::Object(_)) || matches!(after, Value::Object(_));
            let empty = std::collections::BTreeMap::new();
            let (b, a) = (b.unwrap_or(&empty), a.unwrap_or(&empty));
            let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                path.push(if is_object {
                    PathStep::Attribute(key.clone())
                } else {
                    PathStep::StringKey(key.clone())
                });
                let null = Value::Null;
                self.walk(
                    b.get(key).unwrap_or(&null),
                    a.get(key).unwrap_or(&null),
                    path,
                );
                path.pop();
            }
            return;
        }
        if let Some((old, new)) = text_pair(before, after) {
            let diff = text_diff(old, new);
            self.row(path, text_note(before), text_note(after), Some(diff));
            return;
        }
        let (b, a) = (self.cell(before, path), self.cell(after, path));
        self.row(path, b, a, None);
    }

    fn masked(&self, value: &Value) -> Cell {
        match value {
            Value::Null => Cell::Value("null".into()),
            _ => Cell::Note(SENSITIVE.into()),
        }
    }

    fn cell(&self, value: &Value, path: &mut Vec<PathStep>) -> Cell {
        if values::is_sensitive(self.sensitive, path) {
            return self.masked(value);
        }
        match value {
            Value::Unknown => Cell::Note(KNOWN_AFTER_APPLY.into()),
            // A text of several lines facing an unknown or another kind of value.
            Value::String(text) if text.contains('\n') => text_note(value),
            _ => Cell::Value(
                shorten(&values::one_line(value, self.sensitive, path), CELL_LIMIT).into_owned(),
            ),
        }
    }

    fn row(&mut self, path: &[PathStep], before: Cell, after: Cell, text_diff: Option<String>) {
        self.rows.push(AttributeRow {
            path: values::path_text(self.root, path),
            before,
            after,
            forces_replacement: values::path_is_one_of(self.replace, path),
            text_diff,
        });
    }
}

/// The note standing for a long text in its cell.
fn text_note(value: &Value) -> Cell {
    match value {
        Value::String(s) if s.contains('\n') => {
            Cell::Note(format!("({} lines)", s.lines().count()))
        }
        Value::String(s) => Cell::Note(format!("({} characters)", s.chars().count())),
        _ => Cell::Value("null".into()),
    }
}

/// The unified diff of two texts, hunks only, cut at a line past [`DIFF_LIMIT`].
fn text_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIME)
        .diff_lines(old, new);
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let line = change.value();
            let line = line.strip_suffix('\n').unwrap_or(line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = shorten(line, LINE_LIMIT);
            if out.len() + line.len() + 2 > DIFF_LIMIT {
                out.push_str("… (diff shortened)\n");
                return out;
            }
            out.push_str(&format!("{}{line}\n", change.tag()));
        }
    }
    out
}
