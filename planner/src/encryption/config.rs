//! `TF_ENCRYPTION` parsed: OpenTofu's `encryption` block body in HCL (`key_provider`,
//! `method`, `state`, `plan`, `remote_state_data_sources`), checked as OpenTofu checks it,
//! every error naming its line and never a value.

use std::collections::BTreeMap;

use hcl_edit::structure::{Block, BlockLabel, Body};

use super::ConfigError;
use super::attributes::{Attributes, block_line};
use super::external::External;
use super::pbkdf2::Pbkdf2;

/// The whole encryption configuration.
#[derive(Clone, Debug, Default)]
pub(crate) struct EncryptionConfig {
    pub(super) key_providers: Vec<KeyProviderConfig>,
    pub(super) methods: Vec<MethodConfig>,
    pub(super) state: Option<TargetConfig>,
    pub(super) plan: Option<TargetConfig>,
    pub(super) remote_default: Option<TargetConfig>,
    /// `remote_state_data_source "NAME"` targets, by name.
    pub(super) remote_named: BTreeMap<String, TargetConfig>,
}

/// A `key_provider "TYPE" "NAME"` block.
#[derive(Clone, Debug)]
pub(super) struct KeyProviderConfig {
    pub type_name: String,
    pub name: String,
    /// Where the envelope's `meta` keeps this provider's metadata:
    /// `encrypted_metadata_alias`, else `key_provider.TYPE.NAME`.
    pub meta_key: String,
    pub kind: KeyProviderKind,
}

#[derive(Clone, Debug)]
pub(super) enum KeyProviderKind {
    Pbkdf2(Pbkdf2),
    External(External),
}

/// A `method "TYPE" "NAME"` block.
#[derive(Clone, Debug)]
pub(super) struct MethodConfig {
    pub type_name: String,
    pub name: String,
    pub kind: MethodKind,
}

#[derive(Clone, Debug)]
pub(super) enum MethodKind {
    /// `aes_gcm`: the index of its key provider and the additional authenticated data.
    AesGcm { key_provider: usize, aad: Vec<u8> },
    /// `unencrypted`: OpenTofu's explicit migration method.
    Unencrypted,
}

/// A target (`state`, `plan`, `remote_state_data_sources.default`): its method then its
/// fallbacks, in the order decryption tries them, as indexes of methods. (`enforced` only
/// forbids the `unencrypted` method there, which parsing checks.)
#[derive(Clone, Debug)]
pub(super) struct TargetConfig {
    pub methods: Vec<usize>,
}

/// Parses the text of `TF_ENCRYPTION`.
pub(crate) fn parse(text: &str) -> Result<EncryptionConfig, ConfigError> {
    if text.trim_start().starts_with('{') {
        let native = super::json::to_hcl(text)?;
        return parse_native(&native).map_err(|err| ConfigError {
            line: 0,
            message: format!("(JSON form) {}", err.message),
        });
    }
    parse_native(text)
}

/// Parses the native (HCL) syntax.
fn parse_native(text: &str) -> Result<EncryptionConfig, ConfigError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|err| ConfigError {
        line: err.location().line(),
        message: format!("invalid HCL syntax: {}", err.message()),
    })?;
    let mut config = EncryptionConfig::default();
    check_top_level(text, &body)?;
    for block in blocks_of(&body, "key_provider") {
        let provider = key_provider(text, block, &config)?;
        config.key_providers.push(provider);
    }
    for block in blocks_of(&body, "method") {
        let method = method(text, block, &config)?;
        config.methods.push(method);
    }
    config.state = single_target(text, &body, "state", &config)?;
    config.plan = single_target(text, &body, "plan", &config)?;
    (config.remote_default, config.remote_named) = remote_targets(text, &body, &config)?;
    Ok(config)
}

fn blocks_of<'b>(body: &'b Body, kind: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
    body.blocks()
        .filter(move |b| b.ident.value().as_str() == kind)
}

/// The block types of the `encryption` block's body.
const TOP_LEVEL_BLOCKS: &[&str] = &[
    "key_provider",
    "method",
    "state",
    "plan",
    "remote_state_data_sources",
];

fn check_top_level(text: &str, body: &Body) -> Result<(), ConfigError> {
    if let Some(attr) = body.attributes().next() {
        return Err(ConfigError {
            line: super::values::line_of_expr(text, &attr.value),
            message: format!(
                "an argument named \"{}\" is not expected here",
                attr.key.value()
            ),
        });
    }
    check_blocks(text, body, TOP_LEVEL_BLOCKS)
}

fn check_blocks(text: &str, body: &Body, allowed: &[&str]) -> Result<(), ConfigError> {
    match body
        .blocks()
        .find(|b| !allowed.contains(&b.ident.value().as_str()))
    {
        Some(block) => Err(ConfigError {
            line: block_line(text, block),
            message: format!(
                "blocks of type \"{}\" are not expected here",
                block.ident.value()
            ),
        }),
        None => Ok(()),
    }
}

fn label_text(label: &BlockLabel) -> String {
    match label {
        BlockLabel::Ident(ident) => ident.value().to_string(),
        BlockLabel::String(text) => text.value().clone(),
    }
}

/// The block's labels, which must be `count` in number.
fn labels(text: &str, block: &Block, count: usize) -> Result<Vec<String>, ConfigError> {
    if block.labels.len() != count {
        return Err(ConfigError {
            line: block_line(text, block),
            message: format!(
                "a {} block needs {count} label(s), found {}",
                block.ident.value(),
                block.labels.len()
            ),
        });
    }
    Ok(block.labels.iter().map(label_text).collect())
}

fn key_provider(
    text: &str,
    block: &Block,
    config: &EncryptionConfig,
) -> Result<KeyProviderConfig, ConfigError> {
    let labels = labels(text, block, 2)?;
    let (type_name, name) = (labels[0].clone(), labels[1].clone());
    let what = format!("key_provider \"{type_name}\" \"{name}\"");
    let attrs = Attributes::of_body(text, &block.body, what, block_line(text, block))?;
    check_blocks(text, &block.body, &[])?;
    if config
        .key_providers
        .iter()
        .any(|p| p.type_name == type_name && p.name == name)
    {
        return Err(attrs.error(format!(
            "found multiple instances of key_provider.{type_name}.{name}"
        )));
    }
    let kind = match type_name.as_str() {
        "pbkdf2" => KeyProviderKind::Pbkdf2(Pbkdf2::from_attributes(&attrs)?),
        "external" => KeyProviderKind::External(External::from_attributes(&attrs)?),
        "aws_kms" | "gcp_kms" | "azure_vault" | "openbao" | "static" | "xor" => {
            return Err(attrs.error(format!(
                "the {type_name:?} key provider is not supported by tenantform (it implements \
                 \"pbkdf2\" and \"external\")"
            )));
        }
        _ => return Err(attrs.error(format!("unknown key_provider type {type_name:?}"))),
    };
    let meta_key = attrs
        .string("encrypted_metadata_alias")?
        .filter(|alias| !alias.is_empty())
        .unwrap_or_else(|| format!("key_provider.{type_name}.{name}"));
    Ok(KeyProviderConfig {
        type_name,
        name,
        meta_key,
        kind,
    })
}

fn method(
    text: &str,
    block: &Block,
    config: &EncryptionConfig,
) -> Result<MethodConfig, ConfigError> {
    let labels = labels(text, block, 2)?;
    let (type_name, name) = (labels[0].clone(), labels[1].clone());
    let what = format!("method \"{type_name}\" \"{name}\"");
    let attrs = Attributes::of_body(text, &block.body, what, block_line(text, block))?;
    check_blocks(text, &block.body, &[])?;
    if config
        .methods
        .iter()
        .any(|m| m.type_name == type_name && m.name == name)
    {
        return Err(attrs.error(format!(
            "found multiple instances of method.{type_name}.{name}"
        )));
    }
    let kind = match type_name.as_str() {
        "aes_gcm" => aes_gcm(&attrs, config)?,
        "unencrypted" => {
            attrs.only(&[])?;
            MethodKind::Unencrypted
        }
        "external" => {
            return Err(attrs.error(
                "the \"external\" method is not supported by tenantform (it implements \
                 \"aes_gcm\" and \"unencrypted\")",
            ));
        }
        _ => return Err(attrs.error(format!("unknown encryption method type {type_name:?}"))),
    };
    Ok(MethodConfig {
        type_name,
        name,
        kind,
    })
}

fn aes_gcm(attrs: &Attributes, config: &EncryptionConfig) -> Result<MethodKind, ConfigError> {
    attrs.only(&["keys", "aad"])?;
    let Some((kind, name, line)) = attrs.reference("keys", "key_provider")? else {
        return Err(attrs.error("the argument \"keys\" is required"));
    };
    let key_provider = config
        .key_providers
        .iter()
        .position(|p| p.type_name == kind && p.name == name)
        .ok_or_else(|| ConfigError {
            line,
            message: format!(
                "reference to undeclared key provider: there is no key_provider {kind:?} \
                 {name:?} block declared"
            ),
        })?;
    let aad = attrs.bytes("aad")?.unwrap_or_default();
    Ok(MethodKind::AesGcm { key_provider, aad })
}

fn single_target(
    text: &str,
    body: &Body,
    kind: &str,
    config: &EncryptionConfig,
) -> Result<Option<TargetConfig>, ConfigError> {
    let mut blocks = blocks_of(body, kind);
    let Some(block) = blocks.next() else {
        return Ok(None);
    };
    if let Some(second) = blocks.next() {
        return Err(ConfigError {
            line: block_line(text, second),
            message: format!("only one {kind} block is allowed"),
        });
    }
    target(text, block, config, true).map(Some)
}

/// The `default` and the named targets of `remote_state_data_sources` blocks.
type RemoteTargets = (Option<TargetConfig>, BTreeMap<String, TargetConfig>);

fn remote_targets(
    text: &str,
    body: &Body,
    config: &EncryptionConfig,
) -> Result<RemoteTargets, ConfigError> {
    let mut result = None;
    let mut named = BTreeMap::new();
    for block in blocks_of(body, "remote_state_data_sources") {
        labels(text, block, 0)?;
        check_blocks(text, &block.body, &["default", "remote_state_data_source"])?;
        Attributes::of_body(text, &block.body, "remote_state_data_sources".into(), 1)?.only(&[])?;
        for source in blocks_of(&block.body, "remote_state_data_source") {
            let name = labels(text, source, 1)?.remove(0);
            if named.contains_key(&name) {
                return Err(ConfigError {
                    line: block_line(text, source),
                    message: format!(
                        "found multiple instances of remote_state_data_source {name:?}"
                    ),
                });
            }
            named.insert(name, target(text, source, config, false)?);
        }
        for default in blocks_of(&block.body, "default") {
            if result.is_some() {
                return Err(ConfigError {
                    line: block_line(text, default),
                    message: "only one default block is allowed".into(),
                });
            }
            result = Some(target(text, default, config, false)?);
        }
    }
    Ok((result, named))
}

/// A target block: `method`, `enforced` (when `enforceable`) and nested `fallback` blocks.
fn target(
    text: &str,
    block: &Block,
    config: &EncryptionConfig,
    enforceable: bool,
) -> Result<TargetConfig, ConfigError> {
    let kind = block.ident.value().to_string();
    labels(text, block, usize::from(kind == "remote_state_data_source"))?;
    let line = block_line(text, block);
    let attrs = Attributes::of_body(text, &block.body, kind.clone(), line)?;
    let allowed: &[&str] = if enforceable {
        &["method", "enforced"]
    } else {
        &["method"]
    };
    attrs.only(allowed)?;
    let enforced = attrs.boolean("enforced")?.unwrap_or(false);
    let mut methods = Vec::new();
    let mut current = (block, attrs);
    loop {
        let (block, attrs) = current;
        methods.push(method_reference(&attrs, config)?);
        check_blocks(text, &block.body, &["fallback"])?;
        let mut fallbacks = blocks_of(&block.body, "fallback");
        let Some(fallback) = fallbacks.next() else {
            break;
        };
        if let Some(second) = fallbacks.next() {
            return Err(ConfigError {
                line: block_line(text, second),
                message: "only one fallback block is allowed".into(),
            });
        }
        labels(text, fallback, 0)?;
        let line = block_line(text, fallback);
        let attrs = Attributes::of_body(text, &fallback.body, format!("{kind} fallback"), line)?;
        attrs.only(&["method"])?;
        current = (fallback, attrs);
    }
    if enforced
        && methods
            .iter()
            .any(|m| matches!(config.methods[*m].kind, MethodKind::Unencrypted))
    {
        return Err(ConfigError {
            line,
            message: format!(
                "{kind}: unable to use the unencrypted method since the enforced flag is set"
            ),
        });
    }
    Ok(TargetConfig { methods })
}

fn method_reference(attrs: &Attributes, config: &EncryptionConfig) -> Result<usize, ConfigError> {
    let Some((kind, name, line)) = attrs.reference("method", "method")? else {
        return Err(attrs.error("the argument \"method\" is required"));
    };
    config
        .methods
        .iter()
        .position(|m| m.type_name == kind && m.name == name)
        .ok_or_else(|| ConfigError {
            line,
            message: format!(
                "reference to undeclared encryption method: there is no method {kind:?} \
                 {name:?} block declared"
            ),
        })
}

#[cfg(test)]
mod tests;
