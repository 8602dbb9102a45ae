//! Multi-line strings in a rendered plan, as Terraform renders them: a `<<-EOT` heredoc with
//! one line of text per line, and for a changed string a line-by-line diff (Terraform's
//! slice diff: pairwise when the line counts match and the lines are not merely reordered,
//! else along the longest common subsequence). Strings that are JSON documents are left to
//! the single-line rendering.

use super::Sym;
use tenantform_proto::value::Value;

/// The text of a string value, and whether it renders as a heredoc.
struct Evaluated<'v> {
    text: &'v str,
    multiline: bool,
}

/// How Terraform sees a string: JSON documents (an object or array, the whole text) are
/// not multi-line text; other text with a newline is, trimmed of surrounding whitespace.
fn evaluate(value: &Value) -> Option<Evaluated<'_>> {
    let Value::String(text) = value else {
        return None;
    };
    if is_json_document(text) {
        return None;
    }
    Some(if text.contains('\n') {
        Evaluated {
            text: text.trim(),
            multiline: true,
        }
    } else {
        Evaluated {
            text,
            multiline: false,
        }
    })
}

/// Whether `text` is one JSON object or array, which Terraform renders as `jsonencode(...)`.
fn is_json_document(text: &str) -> bool {
    (text.starts_with('{') || text.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// The heredoc lines of a value shown whole (created, destroyed or unchanged), each with the
/// unchanged symbol; `None` unless it is a multi-line string.
pub(super) fn whole_lines(value: &Value) -> Option<Vec<(Sym, &str)>> {
    let evaluated = evaluate(value)?;
    evaluated.multiline.then(|| {
        evaluated
            .text
            .split('\n')
            .map(|line| (Sym::Same, line))
            .collect()
    })
}

/// The heredoc lines of a string changed from `before` to `after`; `None` unless either
/// side is a multi-line string (and neither is a JSON document).
pub(super) fn changed_lines<'v>(
    before: &'v Value,
    after: &'v Value,
) -> Option<Vec<(Sym, &'v str)>> {
    let (before, after) = (evaluate(before)?, evaluate(after)?);
    if !before.multiline && !after.multiline {
        return None;
    }
    let old: Vec<&str> = before.text.split('\n').collect();
    let new: Vec<&str> = after.text.split('\n').collect();
    Some(line_diff(&old, &new))
}

/// Terraform's slice diff of two line lists.
fn line_diff<'t>(before: &[&'t str], after: &[&'t str]) -> Vec<(Sym, &'t str)> {
    let mut lines = Vec::new();
    let mut emit = |old: Option<usize>, new: Option<usize>| match (old, new) {
        (Some(old), Some(new)) if before[old] == after[new] => lines.push((Sym::Same, before[old])),
        (Some(old), Some(new)) => {
            lines.push((Sym::Remove, before[old]));
            lines.push((Sym::Add, after[new]));
        }
        (Some(old), None) => lines.push((Sym::Remove, before[old])),
        (None, Some(new)) => lines.push((Sym::Add, after[new])),
        (None, None) => {}
    };
    if before.len() == after.len() && !is_reorder(before, after) {
        for index in 0..before.len() {
            emit(Some(index), Some(index));
        }
        return lines;
    }
    let common = longest_common_subsequence(before, after);
    let (mut old, mut new, mut next) = (0, 0, 0);
    while old < before.len() || new < after.len() || next < common.len() {
        while old < before.len() && common.get(next) != Some(&before[old]) {
            emit(Some(old), None);
            old += 1;
        }
        while new < after.len() && common.get(next) != Some(&after[new]) {
            emit(None, Some(new));
            new += 1;
        }
        if next < common.len() {
            emit(Some(old), Some(new));
            (old, new, next) = (old + 1, new + 1, next + 1);
        }
    }
    lines
}

/// Whether every line of `before` is somewhere in `after`, the lists being equally long.
fn is_reorder(before: &[&str], after: &[&str]) -> bool {
    before.iter().all(|line| after.contains(line))
}

/// A longest common subsequence of `xs` and `ys`, chosen among several as Terraform's
/// dynamic programme chooses (walking back from the end, preferring to drop from `ys` on a
/// tie).
fn longest_common_subsequence<'t>(xs: &[&'t str], ys: &[&str]) -> Vec<&'t str> {
    if xs.is_empty() || ys.is_empty() {
        return Vec::new();
    }
    let width = xs.len();
    let at = |x: usize, y: usize| width * y + x;
    let mut lengths = vec![0usize; xs.len() * ys.len()];
    for y in 0..ys.len() {
        for x in 0..xs.len() {
            lengths[at(x, y)] = if xs[x] == ys[y] {
                if x == 0 || y == 0 {
                    1
                } else {
                    lengths[at(x - 1, y - 1)] + 1
                }
            } else {
                let left = if x > 0 { lengths[at(x - 1, y)] } else { 0 };
                let up = if y > 0 { lengths[at(x, y - 1)] } else { 0 };
                left.max(up)
            };
        }
    }
    let mut sequence = Vec::new();
    let (mut x, mut y) = (xs.len() as isize - 1, ys.len() as isize - 1);
    while x >= 0 && y >= 0 {
        let (ux, uy) = (x as usize, y as usize);
        if xs[ux] == ys[uy] {
            sequence.push(xs[ux]);
            x -= 1;
            y -= 1;
            continue;
        }
        let left = if ux > 0 { lengths[at(ux - 1, uy)] } else { 0 };
        let up = if uy > 0 { lengths[at(ux, uy - 1)] } else { 0 };
        if left > up {
            x -= 1;
        } else {
            y -= 1;
        }
    }
    sequence.reverse();
    sequence
}

#[cfg(test)]
mod tests;
