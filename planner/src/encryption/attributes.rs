//! The arguments of one block of `TF_ENCRYPTION`, evaluated, with the line each is on, and
//! typed accessors whose errors name the argument and its line but never its value.

use std::collections::BTreeMap;

use hcl_edit::structure::Body;

use super::ConfigError;
use super::values::{Literal, evaluate, line_of, line_of_expr};

/// An evaluated argument and the line it is on. (No `Debug`: values may be secrets.)
#[derive(Clone)]
struct Located {
    value: Literal,
    line: usize,
}

/// The arguments of one block. (No `Debug`: values may be secrets.)
#[derive(Clone)]
pub(super) struct Attributes {
    /// What the block is, for messages (`key_provider "pbkdf2" "main"`).
    what: String,
    /// The line of the block's header.
    pub line: usize,
    entries: BTreeMap<String, Located>,
}

impl Attributes {
    /// Evaluates every argument of `body`; nested blocks are the caller's concern.
    pub(super) fn of_body(
        text: &str,
        body: &Body,
        what: String,
        line: usize,
    ) -> Result<Attributes, ConfigError> {
        let mut entries = BTreeMap::new();
        for attr in body.attributes() {
            let line = line_of_expr(text, &attr.value);
            let name = attr.key.value().to_string();
            let value = evaluate(&attr.value).map_err(|message| ConfigError {
                line,
                message: format!("{what}, argument \"{name}\": {message}"),
            })?;
            entries.insert(name, Located { value, line });
        }
        Ok(Attributes {
            what,
            line,
            entries,
        })
    }

    /// An error about the block.
    pub(super) fn error(&self, message: impl std::fmt::Display) -> ConfigError {
        ConfigError {
            line: self.line,
            message: format!("{}: {message}", self.what),
        }
    }

    fn error_at(&self, name: &str, line: usize, message: impl std::fmt::Display) -> ConfigError {
        ConfigError {
            line,
            message: format!("{}, argument \"{name}\": {message}", self.what),
        }
    }

    /// Refuses every argument not in `allowed`.
    pub(super) fn only(&self, allowed: &[&str]) -> Result<(), ConfigError> {
        match self
            .entries
            .iter()
            .find(|(name, _)| !allowed.contains(&name.as_str()))
        {
            Some((name, located)) => Err(self.error_at(
                name,
                located.line,
                "an argument of this name is not expected here",
            )),
            None => Ok(()),
        }
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    fn get(&self, name: &str) -> Option<&Located> {
        self.entries.get(name)
    }

    fn wrong_type(&self, name: &str, located: &Located, expected: &str) -> ConfigError {
        self.error_at(
            name,
            located.line,
            format!("expected {expected}, found {}", located.value.kind()),
        )
    }

    pub(super) fn string(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(Located {
                value: Literal::String(text),
                ..
            }) => Ok(Some(text.clone())),
            Some(other) => Err(self.wrong_type(name, other, "a string")),
        }
    }

    pub(super) fn boolean(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(Located {
                value: Literal::Bool(flag),
                ..
            }) => Ok(Some(*flag)),
            Some(other) => Err(self.wrong_type(name, other, "a boolean")),
        }
    }

    /// A whole number within `min..=max`; `min_message` says why smaller ones are refused.
    pub(super) fn integer(
        &self,
        name: &str,
        min: i64,
        max: i64,
        min_message: &str,
    ) -> Result<Option<i64>, ConfigError> {
        let Some(located) = self.get(name) else {
            return Ok(None);
        };
        let Literal::Number(number) = located.value else {
            return Err(self.wrong_type(name, located, "a whole number"));
        };
        if number.fract() != 0.0 {
            return Err(self.wrong_type(name, located, "a whole number"));
        }
        if number < min as f64 {
            return Err(self.error_at(name, located.line, min_message));
        }
        if number > max as f64 {
            return Err(self.error_at(name, located.line, format!("at most {max} is supported")));
        }
        Ok(Some(number as i64))
    }

    pub(super) fn string_list(&self, name: &str) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(located) = self.get(name) else {
            return Ok(None);
        };
        let Literal::List(items) = &located.value else {
            return Err(self.wrong_type(name, located, "a list of strings"));
        };
        items
            .iter()
            .map(|item| match item {
                Literal::String(text) => Ok(text.clone()),
                _ => Err(self.wrong_type(name, located, "a list of strings")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A list of numbers 0..=255, as OpenTofu decodes a `[]byte` argument.
    pub(super) fn bytes(&self, name: &str) -> Result<Option<Vec<u8>>, ConfigError> {
        let Some(located) = self.get(name) else {
            return Ok(None);
        };
        let expected = "a list of numbers from 0 to 255";
        let Literal::List(items) = &located.value else {
            return Err(self.wrong_type(name, located, expected));
        };
        items
            .iter()
            .map(|item| match item {
                Literal::Number(n) if n.fract() == 0.0 && (0.0..=255.0).contains(n) => Ok(*n as u8),
                _ => Err(self.wrong_type(name, located, expected)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A reference `ROOT.TYPE.NAME`, as its type and name.
    pub(super) fn reference(
        &self,
        name: &str,
        root: &str,
    ) -> Result<Option<(String, String, usize)>, ConfigError> {
        let Some(located) = self.get(name) else {
            return Ok(None);
        };
        let parts = match &located.value {
            Literal::Reference(parts) => parts.clone(),
            // OpenTofu also takes the reference written as a string (for JSON).
            Literal::String(text) if text.starts_with(&format!("{root}.")) => {
                text.split('.').map(str::to_string).collect()
            }
            _ => return Err(self.wrong_type(name, located, &format!("{root}.<type>.<name>"))),
        };
        match parts.as_slice() {
            [first, kind, label] if first == root => {
                Ok(Some((kind.clone(), label.clone(), located.line)))
            }
            _ => Err(self.error_at(
                name,
                located.line,
                format!("expected a reference of the form {root}.<type>.<name>"),
            )),
        }
    }
}

/// The line of a block's header.
pub(super) fn block_line(text: &str, block: &hcl_edit::structure::Block) -> usize {
    use hcl_edit::Span;
    block
        .ident
        .span()
        .map_or(1, |span| line_of(text, span.start))
}
