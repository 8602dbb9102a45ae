//! Attribute paths, as the protocol's `AttributePath` expresses them, used for sensitive
//! marks, `requires_replace` and diagnostics.

use std::fmt;

use super::Value;

/// One step into a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    Attribute(String),
    StringKey(String),
    IntKey(i64),
}

/// A path from the root of a resource object to one of its parts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    pub fn attr(name: &str) -> AttributePath {
        AttributePath(vec![PathStep::Attribute(name.to_string())])
    }

    /// This path followed by the attribute `name`.
    pub fn then_attr(mut self, name: &str) -> AttributePath {
        self.0.push(PathStep::Attribute(name.to_string()));
        self
    }

    /// This path followed by the map key `key`.
    pub fn then_key(mut self, key: &str) -> AttributePath {
        self.0.push(PathStep::StringKey(key.to_string()));
        self
    }

    /// This path followed by the element `index`.
    pub fn then_index(mut self, index: i64) -> AttributePath {
        self.0.push(PathStep::IntKey(index));
        self
    }

    /// The value this path points at, if it exists.
    pub fn lookup<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut current = root;
        for step in &self.0 {
            current = match (step, current) {
                (PathStep::Attribute(name) | PathStep::StringKey(name), v) => v.get_attr(name)?,
                (
                    PathStep::IntKey(i),
                    Value::List(items) | Value::Tuple(items) | Value::Set(items),
                ) => items.get(usize::try_from(*i).ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::StringKey(key) => write!(f, "[{key:?}]")?,
                PathStep::IntKey(idx) => write!(f, "[{idx}]")?,
            }
        }
        Ok(())
    }
}
