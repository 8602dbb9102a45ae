//! Sensitivity marks carried with values, as cty's path marks: a [`Marked`] value is a
//! [`Value`] plus the [`Sensitivity`] of each of its parts.
//!
//! A mark on a collection covers everything inside it; a collection whose elements are
//! marked one by one keeps those marks per index or key. A set cannot mark single elements,
//! so a mark on any element of a set marks the whole set.

use std::collections::BTreeMap;

use tenantform_proto::value::{AttributePath, PathStep, Value};

/// Which parts of a value are sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) enum Sensitivity {
    #[default]
    None,
    Whole,
    /// A list's or tuple's elements, by index.
    Elements(Vec<Sensitivity>),
    /// An object's attributes or a map's elements, by name.
    Attributes(BTreeMap<String, Sensitivity>),
}

impl Sensitivity {
    /// Whole when `sensitive`, else none.
    pub(crate) fn whole_if(sensitive: bool) -> Sensitivity {
        if sensitive {
            Sensitivity::Whole
        } else {
            Sensitivity::None
        }
    }

    /// Marks of a sequence's elements; none when no element is marked.
    pub(crate) fn elements(items: Vec<Sensitivity>) -> Sensitivity {
        if items.iter().any(Sensitivity::any) {
            Sensitivity::Elements(items)
        } else {
            Sensitivity::None
        }
    }

    /// Marks of a mapping's entries (those marked: an absent entry is unmarked); none when
    /// no entry is marked.
    pub(crate) fn attributes(mut entries: BTreeMap<String, Sensitivity>) -> Sensitivity {
        entries.retain(|_, marks| marks.any());
        if entries.is_empty() {
            Sensitivity::None
        } else {
            Sensitivity::Attributes(entries)
        }
    }

    /// Whether the value as a whole is marked (what `issensitive` reports).
    pub(crate) fn is_whole(&self) -> bool {
        matches!(self, Sensitivity::Whole)
    }

    /// Whether any part is sensitive.
    pub(crate) fn any(&self) -> bool {
        match self {
            Sensitivity::None => false,
            Sensitivity::Whole => true,
            Sensitivity::Elements(items) => items.iter().any(Sensitivity::any),
            Sensitivity::Attributes(entries) => entries.values().any(Sensitivity::any),
        }
    }

    /// The marks of element `index`.
    pub(crate) fn element(&self, index: usize) -> Sensitivity {
        match self {
            Sensitivity::Whole => Sensitivity::Whole,
            Sensitivity::Elements(items) => items.get(index).cloned().unwrap_or_default(),
            _ => Sensitivity::None,
        }
    }

    /// The marks of attribute or map key `name`.
    pub(crate) fn attribute(&self, name: &str) -> Sensitivity {
        match self {
            Sensitivity::Whole => Sensitivity::Whole,
            Sensitivity::Attributes(entries) => entries.get(name).cloned().unwrap_or_default(),
            _ => Sensitivity::None,
        }
    }

    /// The marks of the first `len` elements, one per element.
    pub(crate) fn element_marks(&self, len: usize) -> Vec<Sensitivity> {
        (0..len).map(|i| self.element(i)).collect()
    }

    /// Whole when any part is sensitive (what a deep unmark gives a whole result).
    pub(crate) fn collapsed(&self) -> Sensitivity {
        Sensitivity::whole_if(self.any())
    }

    /// The marks of both.
    pub(crate) fn union(self, other: Sensitivity) -> Sensitivity {
        match (self, other) {
            (Sensitivity::Whole, _) | (_, Sensitivity::Whole) => Sensitivity::Whole,
            (Sensitivity::None, other) | (other, Sensitivity::None) => other,
            (Sensitivity::Elements(a), Sensitivity::Elements(b)) => {
                let len = a.len().max(b.len());
                let (a, b) = (Sensitivity::Elements(a), Sensitivity::Elements(b));
                Sensitivity::elements((0..len).map(|i| a.element(i).union(b.element(i))).collect())
            }
            (Sensitivity::Attributes(mut a), Sensitivity::Attributes(b)) => {
                for (name, marks) in b {
                    let merged = a.remove(&name).unwrap_or_default().union(marks);
                    a.insert(name, merged);
                }
                Sensitivity::attributes(a)
            }
            // Marks of different shapes cannot both describe one value.
            (a, b) => Sensitivity::whole_if(a.any() || b.any()),
        }
    }

    /// These marks fitted to `value`'s shape: a marked set element marks the whole set and
    /// marks below a primitive mark it whole.
    pub(crate) fn fitted(self, value: &Value) -> Sensitivity {
        match (self, value) {
            (Sensitivity::None, _) => Sensitivity::None,
            (Sensitivity::Whole, _) => Sensitivity::Whole,
            (marks, Value::Set(_)) => marks.collapsed(),
            (marks, Value::List(items) | Value::Tuple(items)) => Sensitivity::elements(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| marks.element(i).fitted(item))
                    .collect(),
            ),
            (marks, Value::Map(entries) | Value::Object(entries)) => Sensitivity::attributes(
                entries
                    .iter()
                    .filter_map(|(name, item)| {
                        let fitted = marks.attribute(name).fitted(item);
                        fitted.any().then(|| (name.clone(), fitted))
                    })
                    .collect(),
            ),
            (marks, _) => marks.collapsed(),
        }
    }

    /// The marks the sensitive `paths` of a value give it.
    pub(crate) fn from_paths(paths: &[AttributePath]) -> Sensitivity {
        paths.iter().fold(Sensitivity::None, |marks, path| {
            marks.union(Sensitivity::at_path(&path.0))
        })
    }

    fn at_path(steps: &[PathStep]) -> Sensitivity {
        match steps.split_first() {
            None => Sensitivity::Whole,
            Some((PathStep::Attribute(name) | PathStep::StringKey(name), rest)) => {
                Sensitivity::Attributes(BTreeMap::from([(
                    name.clone(),
                    Sensitivity::at_path(rest),
                )]))
            }
            Some((PathStep::IntKey(index), rest)) => {
                let index = usize::try_from(*index).unwrap_or_default();
                let mut items = vec![Sensitivity::None; index + 1];
                items[index] = Sensitivity::at_path(rest);
                Sensitivity::Elements(items)
            }
        }
    }

    /// The paths of the sensitive parts of `value`, as plans and state record them.
    pub(crate) fn paths(&self, value: &Value) -> Vec<AttributePath> {
        let mut out = Vec::new();
        self.collect_paths(value, &mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, value: &Value, path: &mut Vec<PathStep>, out: &mut Vec<AttributePath>) {
        match (self, value) {
            (Sensitivity::None, _) => {}
            (Sensitivity::Whole, _) => out.push(AttributePath(path.clone())),
            (marks, Value::List(items) | Value::Tuple(items)) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(PathStep::IntKey(i as i64));
                    marks.element(i).collect_paths(item, path, out);
                    path.pop();
                }
            }
            (marks, Value::Object(entries)) => {
                for (name, item) in entries {
                    path.push(PathStep::Attribute(name.clone()));
                    marks.attribute(name).collect_paths(item, path, out);
                    path.pop();
                }
            }
            (marks, Value::Map(entries)) => {
                for (name, item) in entries {
                    path.push(PathStep::StringKey(name.clone()));
                    marks.attribute(name).collect_paths(item, path, out);
                    path.pop();
                }
            }
            (marks, _) => {
                if marks.any() {
                    out.push(AttributePath(path.clone()));
                }
            }
        }
    }
}

/// A value with the marks of its parts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Marked {
    pub value: Value,
    pub marks: Sensitivity,
}

impl Marked {
    pub(crate) fn new(value: Value, marks: Sensitivity) -> Marked {
        Marked { value, marks }
    }

    /// A value with no marks.
    pub(crate) fn plain(value: Value) -> Marked {
        Marked {
            value,
            marks: Sensitivity::None,
        }
    }

    /// The value with `marks` added to its own.
    pub(crate) fn with(mut self, marks: Sensitivity) -> Marked {
        self.marks = self.marks.union(marks);
        self
    }

    /// The value and its marks, apart.
    pub(crate) fn into_parts(self) -> (Value, Sensitivity) {
        (self.value, self.marks)
    }
}

#[cfg(test)]
mod tests;
