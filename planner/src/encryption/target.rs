//! One encryption target (`state`, `plan`, `remote_state_data_sources`) at work: encrypting
//! always with its method, decrypting with its method and then each fallback in turn, as
//! OpenTofu's base encryption does. The encryption key is made once per run; decryption keys
//! are kept per stored metadata, so a journal of many envelopes derives each key once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use super::aes_gcm;
use super::config::{EncryptionConfig, KeyProviderKind, MethodKind, TargetConfig};
use super::envelope::{Envelope, VERSION};
use super::external::ExternalMeta;
use super::pbkdf2::Pbkdf2Meta;

/// How a payload was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// With the target's own method: nothing to migrate.
    Satisfied,
    /// With a fallback (or unencrypted while the method encrypts): the next write re-encrypts.
    Migration,
}

/// What the primary method needs to encrypt.
enum Primary {
    Unencrypted,
    AesGcm {
        key: Vec<u8>,
        aad: Vec<u8>,
        meta: BTreeMap<String, Vec<u8>>,
    },
}

/// A key provider's index and the stored metadata it derived a key from.
type KeyCacheEntry = (usize, Vec<u8>);

/// A decrypted payload: the envelope and the plain bytes (`None`: the data was not
/// encrypted), and how it was read.
pub(crate) type Decrypted = (Option<(Envelope, Vec<u8>)>, Status);

/// A configured target.
pub(crate) struct TargetEncryption {
    /// The target's name in messages (`state`, `plan`, ...).
    name: &'static str,
    config: Arc<EncryptionConfig>,
    target: TargetConfig,
    primary: OnceLock<Result<Primary, String>>,
    /// Decryption keys by key provider and stored metadata.
    decryption_keys: Mutex<HashMap<KeyCacheEntry, Option<Vec<u8>>>>,
}

impl std::fmt::Debug for TargetEncryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetEncryption")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TargetEncryption {
    pub(super) fn new(
        name: &'static str,
        config: Arc<EncryptionConfig>,
        target: TargetConfig,
    ) -> TargetEncryption {
        TargetEncryption {
            name,
            config,
            target,
            primary: OnceLock::new(),
            decryption_keys: Mutex::new(HashMap::new()),
        }
    }

    fn method_label(&self, index: usize) -> String {
        let method = &self.config.methods[index];
        format!("method.{}.{}", method.type_name, method.name)
    }

    fn is_unencrypted(&self, index: usize) -> bool {
        matches!(self.config.methods[index].kind, MethodKind::Unencrypted)
    }

    fn primary(&self) -> Result<&Primary, String> {
        self.primary
            .get_or_init(|| self.make_primary())
            .as_ref()
            .map_err(Clone::clone)
    }

    fn make_primary(&self) -> Result<Primary, String> {
        let index = self.target.methods.first().copied().unwrap_or_default();
        let label = self.method_label(index);
        match &self.config.methods[index].kind {
            MethodKind::Unencrypted => Ok(Primary::Unencrypted),
            MethodKind::AesGcm { key_provider, aad } => {
                let provider = &self.config.key_providers[*key_provider];
                let (key, meta) = self.encryption_key(*key_provider).map_err(|err| {
                    format!(
                        "key_provider.{}.{}: {err}",
                        provider.type_name, provider.name
                    )
                })?;
                aes_gcm::check_key(&key).map_err(|err| format!("{label}: {err}"))?;
                Ok(Primary::AesGcm {
                    key,
                    aad: aad.clone(),
                    meta: BTreeMap::from([(provider.meta_key.clone(), meta)]),
                })
            }
        }
    }

    /// A fresh encryption key of a key provider and its metadata (as JSON).
    fn encryption_key(&self, provider: usize) -> Result<(Vec<u8>, Vec<u8>), String> {
        match &self.config.key_providers[provider].kind {
            KeyProviderKind::Pbkdf2(pbkdf2) => {
                let (key, meta) = pbkdf2.encryption_key()?;
                Ok((key, serde_json::to_vec(&meta).unwrap_or_default()))
            }
            KeyProviderKind::External(external) => {
                let provided = external.provide(None)?;
                Ok((
                    provided.encryption_key,
                    serde_json::to_vec(&provided.meta).unwrap_or_default(),
                ))
            }
        }
    }

    /// The key a key provider derives for stored metadata; `None` when it cannot.
    fn decryption_key(&self, provider: usize, meta: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let cache_key = (provider, meta.to_vec());
        if let Some(known) = crate::sync::locked(&self.decryption_keys).get(&cache_key) {
            return Ok(known.clone());
        }
        let key = match &self.config.key_providers[provider].kind {
            KeyProviderKind::Pbkdf2(pbkdf2) => {
                let meta: Pbkdf2Meta = serde_json::from_slice(meta).map_err(|err| {
                    format!("unable to decode the stored metadata (did you change your encryption config?): {err}")
                })?;
                pbkdf2.decryption_key(&meta)?
            }
            KeyProviderKind::External(external) => {
                let meta: ExternalMeta = serde_json::from_slice(meta).unwrap_or_default();
                external.provide(Some(&meta))?.decryption_key
            }
        };
        crate::sync::locked(&self.decryption_keys).insert(cache_key, key.clone());
        Ok(key)
    }

    /// Whether this target writes encrypted data.
    pub(crate) fn encrypts(&self) -> bool {
        !self
            .target
            .methods
            .first()
            .is_some_and(|m| self.is_unencrypted(*m))
    }

    /// Encrypts `plain` into an envelope (with a state's `serial` and `lineage` in clear);
    /// `None` when the target's method is `unencrypted`.
    pub(crate) fn encrypt(
        &self,
        plain: &[u8],
        clear: Option<(u64, String)>,
    ) -> Result<Option<Vec<u8>>, String> {
        let (key, aad, meta) = match self.primary()? {
            Primary::Unencrypted => return Ok(None),
            Primary::AesGcm { key, aad, meta } => (key, aad, meta),
        };
        let encrypted_data = aes_gcm::seal(key, aad, plain)
            .map_err(|err| format!("encryption failed for {}: {err}", self.name))?;
        let (serial, lineage) = match clear {
            Some((serial, lineage)) => (Some(serial), Some(lineage)),
            None => (None, None),
        };
        let envelope = Envelope {
            serial,
            lineage,
            meta: meta.clone(),
            encrypted_data,
            encryption_version: VERSION.to_string(),
        };
        Ok(Some(envelope.to_bytes()))
    }

    /// Decrypts `data`: `None` when it is not encrypted and an `unencrypted` method allows
    /// that. The error says why nothing could decrypt it.
    pub(crate) fn decrypt(&self, data: &[u8]) -> Result<Decrypted, String> {
        let Some(envelope) = Envelope::detect(data)? else {
            return self.read_unencrypted();
        };
        let mut failures = Vec::new();
        for (position, index) in self.target.methods.iter().enumerate() {
            let MethodKind::AesGcm { key_provider, aad } = &self.config.methods[*index].kind else {
                continue;
            };
            match self.try_method(&envelope, *key_provider, aad) {
                Ok(plain) => {
                    let status = if position == 0 {
                        Status::Satisfied
                    } else {
                        Status::Migration
                    };
                    return Ok((Some((envelope, plain)), status));
                }
                Err(why) => failures.push(format!("{}: {why}", self.method_label(*index))),
            }
        }
        if failures.is_empty() {
            return Err(format!(
                "it is encrypted, but the {} target has only the unencrypted method",
                self.name
            ));
        }
        Err(format!(
            "decryption failed for all provided methods: {}",
            failures.join("; ")
        ))
    }

    fn read_unencrypted(&self) -> Result<Decrypted, String> {
        match self
            .target
            .methods
            .iter()
            .position(|m| self.is_unencrypted(*m))
        {
            Some(0) => Ok((None, Status::Satisfied)),
            Some(_) => Ok((None, Status::Migration)),
            None => Err(format!(
                "it is not encrypted, and the {} target of TF_ENCRYPTION has no unencrypted \
                 method to read it with; to encrypt existing data, add `fallback {{ method = \
                 method.unencrypted.NAME }}` for one run",
                self.name
            )),
        }
    }

    fn try_method(
        &self,
        envelope: &Envelope,
        provider: usize,
        aad: &[u8],
    ) -> Result<Vec<u8>, String> {
        let config = &self.config.key_providers[provider];
        let Some(meta) = envelope.meta.get(&config.meta_key) else {
            return Err(format!(
                "no key: the payload holds no metadata for {} (was it written with another \
                 key provider name?)",
                config.meta_key
            ));
        };
        let Some(key) = self.decryption_key(provider, meta)? else {
            return Err(format!(
                "no key: {} provided no decryption key",
                config.meta_key
            ));
        };
        aes_gcm::open(&key, aad, &envelope.encrypted_data).map_err(|err| match err {
            aes_gcm::AesGcmError::Authentication => {
                "the key does not decrypt it (wrong passphrase or key, or the data was altered)"
                    .to_string()
            }
            other => other.to_string(),
        })
    }
}

#[cfg(test)]
mod tests;
