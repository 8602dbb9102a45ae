//! OpenTofu's encrypted payload, version `v0`: a JSON object with `meta` (each key
//! provider's metadata, keyed by `key_provider.TYPE.NAME` or its alias, as base64 of its
//! JSON), `encrypted_data` (base64 of the method's output) and `encryption_version`. A state
//! keeps `serial` and `lineage` in clear beside them, first, as OpenTofu writes them.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

/// The only envelope version.
pub(crate) const VERSION: &str = "v0";

/// An encrypted payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Envelope {
    /// The state's serial, in clear (states only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<u64>,
    /// The state's lineage, in clear (states only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<String>,
    /// Each key provider's metadata as JSON bytes, keyed by its storage key.
    #[serde(default, with = "meta_map")]
    pub meta: BTreeMap<String, Vec<u8>>,
    #[serde(with = "super::pbkdf2::base64_field")]
    pub encrypted_data: Vec<u8>,
    pub encryption_version: String,
}

impl Envelope {
    /// The envelope `bytes` hold, `None` when they are not one (no `encryption_version`),
    /// an error when they claim to be one but are malformed.
    pub(crate) fn detect(bytes: &[u8]) -> Result<Option<Envelope>, String> {
        // Most payloads are plain states: a scan for the marker spares parsing them twice.
        const MARKER: &[u8] = b"\"encryption_version\"";
        if memchr::memmem::find(bytes, MARKER).is_none() {
            return Ok(None);
        }
        let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(bytes) else {
            return Ok(None);
        };
        match object.get("encryption_version") {
            None | Some(serde_json::Value::Null) => return Ok(None),
            Some(serde_json::Value::String(v)) if v.is_empty() => return Ok(None),
            Some(_) => {}
        }
        let envelope: Envelope = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|err| format!("the encrypted payload is malformed: {err}"))?;
        if envelope.encryption_version != VERSION {
            return Err(format!(
                "invalid encrypted payload version: {} != {VERSION}",
                envelope.encryption_version
            ));
        }
        Ok(Some(envelope))
    }

    /// The envelope as JSON, compact, as Go's `json.Marshal` writes it.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Serde for the `meta` map: values are Go `[]byte`, so base64 strings.
mod meta_map {
    use super::{BASE64, BTreeMap, Engine};
    use serde::{Deserialize, Deserializer, Serializer, ser::SerializeMap};

    pub(super) fn serialize<S: Serializer>(
        map: &BTreeMap<String, Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(Some(map.len()))?;
        for (key, value) in map {
            out.serialize_entry(key, &BASE64.encode(value))?;
        }
        out.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Vec<u8>>, D::Error> {
        let raw: Option<BTreeMap<String, String>> = Option::deserialize(d)?;
        raw.unwrap_or_default()
            .into_iter()
            .map(|(key, value)| {
                BASE64
                    .decode(value)
                    .map(|bytes| (key, bytes))
                    .map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
