//! Decoding of `terraform { backend "TYPE" { ... } }`: where the state lives. The settings are
//! kept as written (constant strings and booleans); `-backend-config` and environment
//! fallbacks are merged later, when the command picks its state store.

use std::collections::BTreeMap;

use hcl_edit::structure::Block;
use tenantform_proto::value::{Type, Value};

use super::load::Loader;
use crate::diags::SourceRange;

/// The backend types this program can use, with the settings each accepts.
pub(crate) const SUPPORTED_BACKENDS: &[(&str, &[&str])] = &[
    ("local", &["path", "workspace_dir"]),
    (
        "pg",
        &[
            "conn_str",
            "schema_name",
            "skip_schema_creation",
            "skip_table_creation",
            "skip_index_creation",
        ],
    ),
];

/// A `backend` block.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Backend {
    /// The backend type, the block's label (`pg`).
    pub kind: String,
    /// The settings given in the block, by name.
    pub settings: BTreeMap<String, BackendSetting>,
    /// Where the block is, for diagnostics.
    pub range: SourceRange,
}

/// One backend setting's constant value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum BackendSetting {
    String(String),
    Bool(bool),
}

impl BackendSetting {
    /// The setting as text, as `-backend-config=KEY=VALUE` gives it.
    pub(crate) fn as_text(&self) -> String {
        match self {
            BackendSetting::String(text) => text.clone(),
            BackendSetting::Bool(flag) => flag.to_string(),
        }
    }
}

/// The settings a supported backend type accepts; `None` for an unsupported type.
pub(crate) fn backend_settings(kind: &str) -> Option<&'static [&'static str]> {
    SUPPORTED_BACKENDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, settings)| *settings)
}

impl Loader {
    /// Decodes the `backend` blocks of one `terraform` block.
    pub(super) fn backend_blocks(&mut self, terraform: &Block) {
        for block in terraform.body.get_blocks("backend") {
            let header = Self::header_span(block);
            if let Some(previous) = &self.config.backend {
                let detail = format!(
                    "A module may have only one backend configuration. The backend was \
                     previously configured at {}.",
                    previous.range.short()
                );
                self.error("Duplicate backend configuration", detail, header);
                continue;
            }
            let Some(labels) = self.labels(block, &["type"]) else {
                continue;
            };
            let kind = labels[0].clone();
            let Some(allowed) = backend_settings(&kind) else {
                let supported: Vec<&str> = SUPPORTED_BACKENDS.iter().map(|(n, _)| *n).collect();
                self.error(
                    "Unsupported backend type",
                    format!(
                        "The block backend \"{kind}\" names a backend type this program does \
                         not support. Supported backend types: {}.",
                        supported.join(", ")
                    ),
                    header,
                );
                continue;
            };
            self.check_arguments(&block.body, allowed, &[]);
            let mut settings = BTreeMap::new();
            for attr in block.body.attributes() {
                let name = attr.key.value().to_string();
                if !allowed.contains(&name.as_str()) {
                    continue;
                }
                let ty = if name.starts_with("skip_") {
                    Type::Bool
                } else {
                    Type::String
                };
                match self.constant(&attr.value, &ty, &name) {
                    Some(Value::String(text)) => {
                        settings.insert(name, BackendSetting::String(text));
                    }
                    Some(Value::Bool(flag)) => {
                        settings.insert(name, BackendSetting::Bool(flag));
                    }
                    _ => {}
                }
            }
            self.config.backend = Some(Backend {
                kind,
                settings,
                range: self.range_or_start(header),
            });
        }
    }
}

#[cfg(test)]
mod tests;
