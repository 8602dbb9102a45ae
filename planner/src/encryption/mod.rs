//! Encryption at rest, OpenTofu's model, configured only through the `TF_ENCRYPTION`
//! environment variable (the body of OpenTofu's `encryption` block, in HCL), so that
//! configuration files stay valid for Terraform.
//!
//! - [`config`] parses the variable (with [`attributes`] and [`values`]; [`json`] rewrites
//!   its JSON form);
//! - key providers: [`pbkdf2`] (a passphrase) and [`external`] (a command);
//! - methods: [`aes_gcm`] and `unencrypted` (OpenTofu's explicit migration method);
//! - [`envelope`] is OpenTofu's `v0` payload, so files written by OpenTofu read here and
//!   the other way round;
//! - [`target`] encrypts with a target's method and decrypts with it or its fallbacks.
//!
//! The state stores, the journal, the plan file and `terraform_remote_state` reach it
//! through [`seal`] and [`open`].

mod aes_gcm;
mod attributes;
mod config;
mod envelope;
mod external;
mod json;
mod pbkdf2;
mod target;
mod values;

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

pub(crate) use envelope::Envelope;
pub(crate) use target::{Status, TargetEncryption};

/// The environment variable holding the configuration.
pub(crate) const ENV: &str = "TF_ENCRYPTION";

/// `TF_ENCRYPTION` cannot be used; the message never holds a configured value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConfigError {
    /// The 1-based line, 0 when unknown (an error in the JSON form's rewrite).
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "TF_ENCRYPTION is invalid: {}", self.message),
            line => write!(
                f,
                "TF_ENCRYPTION is invalid at line {line}: {}",
                self.message
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The configured targets.
#[derive(Debug, Default)]
pub(crate) struct Encryption {
    state: Option<Arc<TargetEncryption>>,
    plan: Option<Arc<TargetEncryption>>,
    remote_default: Option<Arc<TargetEncryption>>,
    remote_named: std::collections::BTreeMap<String, Arc<TargetEncryption>>,
}

impl Encryption {
    /// The configuration `text` describes.
    pub(crate) fn parse(text: &str) -> Result<Encryption, ConfigError> {
        let config = Arc::new(config::parse(text)?);
        let target = |name: &'static str, target: &Option<config::TargetConfig>| {
            target
                .clone()
                .map(|t| Arc::new(TargetEncryption::new(name, config.clone(), t)))
        };
        let remote_named = config
            .remote_named
            .iter()
            .map(|(name, t)| {
                let target =
                    TargetEncryption::new("remote_state_data_source", config.clone(), t.clone());
                (name.clone(), Arc::new(target))
            })
            .collect();
        Ok(Encryption {
            state: target("state", &config.state),
            plan: target("plan", &config.plan),
            remote_default: target("remote_state_data_sources", &config.remote_default),
            remote_named,
        })
    }

    pub(crate) fn state(&self) -> Option<Arc<TargetEncryption>> {
        self.state.clone()
    }

    pub(crate) fn plan(&self) -> Option<Arc<TargetEncryption>> {
        self.plan.clone()
    }

    /// The target the `terraform_remote_state` instance `name` (see
    /// `providers/builtin/remote_state.rs`) reads its state with: its own
    /// `remote_state_data_source` block, else the `default` one.
    pub(crate) fn remote_state(&self, name: Option<&str>) -> Option<Arc<TargetEncryption>> {
        name.and_then(|name| self.remote_named.get(name))
            .or(self.remote_default.as_ref())
            .cloned()
    }
}

/// The configuration of this run, read from `TF_ENCRYPTION` once; `None` when it is unset
/// or blank.
pub(crate) fn configured() -> Result<Arc<Encryption>, ConfigError> {
    static CONFIGURED: OnceLock<Result<Arc<Encryption>, ConfigError>> = OnceLock::new();
    CONFIGURED
        .get_or_init(|| {
            let text = std::env::var(ENV).unwrap_or_default();
            if text.trim().is_empty() {
                return Ok(Arc::new(Encryption::default()));
            }
            Encryption::parse(&text).map(Arc::new)
        })
        .clone()
}

/// A payload as read: the plain bytes, the envelope they came in (if any) and how they
/// were read.
pub(crate) struct Opened<'a> {
    pub plain: Cow<'a, [u8]>,
    pub envelope: Option<Envelope>,
    pub status: Status,
}

/// Decrypts `data` for `target` (`None`: no target configured, so an encrypted payload is
/// refused). `kind` names the target in messages (`state`, `plan`).
pub(crate) fn open<'a>(
    target: Option<&TargetEncryption>,
    data: &'a [u8],
    kind: &str,
) -> Result<Opened<'a>, String> {
    let Some(target) = target else {
        if !matches!(Envelope::detect(data), Ok(None)) {
            return Err(format!(
                "it is encrypted, but no key is configured: TF_ENCRYPTION is not set or has \
                 no {kind} target"
            ));
        }
        return Ok(Opened {
            plain: Cow::Borrowed(data),
            envelope: None,
            status: Status::Satisfied,
        });
    };
    let (decrypted, mut status) = target.decrypt(data)?;
    if decrypted.is_none() && target.encrypts() {
        status = Status::Migration;
    }
    Ok(match decrypted {
        Some((envelope, plain)) => Opened {
            plain: Cow::Owned(plain),
            envelope: Some(envelope),
            status,
        },
        None => Opened {
            plain: Cow::Borrowed(data),
            envelope: None,
            status,
        },
    })
}

/// Encrypts `plain` for `target` (unchanged when there is none or its method is
/// `unencrypted`); a state passes its serial and lineage to keep in clear.
pub(crate) fn seal<'a>(
    target: Option<&TargetEncryption>,
    plain: &'a [u8],
    clear: Option<(u64, String)>,
) -> Result<Cow<'a, [u8]>, String> {
    match target {
        None => Ok(Cow::Borrowed(plain)),
        Some(target) => Ok(match target.encrypt(plain, clear)? {
            Some(sealed) => Cow::Owned(sealed),
            None => Cow::Borrowed(plain),
        }),
    }
}
