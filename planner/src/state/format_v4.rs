//! Terraform's state file format version 4, as its own serde types, and its conversion to and
//! from the in-memory [`State`].
//!
//! Field names, omission rules and ordering follow Terraform's own writer: top-level keys in the
//! order `version`, `terraform_version`, `serial`, `lineage`, `outputs`, `resources`,
//! `check_results`; resources sorted by module, mode, type and name; instances by key (no key,
//! then integers, then strings), deposed objects after the current one. The text is indented by
//! two spaces and ends with a newline.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::error::Category;
use serde_json::value::RawValue;

use super::stored_json::as_state_file_reads;
use super::{InstanceState, OutputState, State, StateError, StoredJson};
use crate::addrs::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, ResourceMode};
use crate::format::literal::is_identifier;

/// The only format version this module reads and writes.
pub(crate) const FORMAT_VERSION: u64 = 4;

/// The document. Written from a [`State`], it borrows the instances' attribute objects
/// instead of copying them (a fleet's are tens of megabytes); read, it owns them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StateV4<'a> {
    pub version: u64,
    #[serde(default)]
    pub terraform_version: String,
    pub serial: u64,
    pub lineage: String,
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputV4>,
    #[serde(default)]
    pub resources: Vec<ResourceV4<'a>>,
    #[serde(default)]
    pub check_results: Json,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OutputV4 {
    #[serde(deserialize_with = "stored_from_state_file")]
    pub value: StoredJson,
    #[serde(rename = "type")]
    pub ty: Json,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ResourceV4<'a> {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub module: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// `list` or `map`: written by Terraform 0.12 only, accepted and not written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// The provider configuration: `provider["registry.terraform.io/tenantform/tenant"]`.
    pub provider: String,
    #[serde(default)]
    pub instances: Vec<InstanceV4<'a>>,
}

/// One object of a resource. Read by [`InstanceV4::deserialize`] (a `flatten`ed field
/// cannot hold the attributes' text).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct InstanceV4<'a> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<IndexKeyV4>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    pub schema_version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Cow<'a, StoredJson>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive_attributes: Option<Cow<'a, StoredJson>>,
    /// Fields this program does not interpret (`attributes_flat`, `identity`, ...), written
    /// back where Terraform places them.
    #[serde(flatten)]
    pub unknown_fields: serde_json::Map<String, Json>,
    /// Standard base64, as Go encodes `[]byte`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub create_before_destroy: bool,
}

/// Written untagged; read by [`IndexKeyField`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum IndexKeyV4 {
    Int(i64),
    Str(String),
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl<'de, 'a> Deserialize<'de> for InstanceV4<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(InstanceVisitor(std::marker::PhantomData))
    }
}

/// Reads an instance object field by field; fields it does not interpret are kept in
/// `unknown_fields` in their order, a repeated field's last value wins.
struct InstanceVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de, 'a> Visitor<'de> for InstanceVisitor<'a> {
    type Value = InstanceV4<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a resource instance object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut instance = InstanceV4 {
            index_key: None,
            status: None,
            deposed: None,
            schema_version: 0,
            attributes: None,
            sensitive_attributes: None,
            unknown_fields: serde_json::Map::new(),
            private: None,
            dependencies: Vec::new(),
            create_before_destroy: false,
        };
        let mut schema_version = None;
        while let Some(FieldName(key)) = map.next_key::<FieldName<'de>>()? {
            match &*key {
                "index_key" => instance.index_key = map.next_value::<IndexKeyField>()?.0,
                "status" => instance.status = map.next_value()?,
                "deposed" => instance.deposed = map.next_value()?,
                "schema_version" => schema_version = Some(map.next_value()?),
                "attributes" => {
                    let raw: Option<&'de RawValue> = map.next_value()?;
                    instance.attributes =
                        raw.map(|raw| Cow::Owned(StoredJson::from_state_file(raw)));
                }
                "sensitive_attributes" => {
                    let raw: Option<&'de RawValue> = map.next_value()?;
                    instance.sensitive_attributes =
                        raw.map(|raw| Cow::Owned(StoredJson::from_state_file(raw)));
                }
                "private" => instance.private = map.next_value()?,
                "dependencies" => instance.dependencies = map.next_value()?,
                "create_before_destroy" => instance.create_before_destroy = map.next_value()?,
                _ => {
                    let value: Json = map.next_value()?;
                    instance
                        .unknown_fields
                        .insert(key.into_owned(), as_state_file_reads(value));
                }
            }
        }
        instance.schema_version =
            schema_version.ok_or_else(|| serde::de::Error::missing_field("schema_version"))?;
        Ok(instance)
    }
}

/// An object's key, borrowed from the text unless it holds an escape.
struct FieldName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = FieldName<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Borrowed(name)))
            }
            fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Owned(name.to_string())))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// An instance's `index_key`: absent (`null`), a whole number or a string, read straight
/// from the text.
struct IndexKeyField(Option<IndexKeyV4>);

impl<'de> Deserialize<'de> for IndexKeyField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = IndexKeyField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an instance key: a whole number or a string")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(IndexKeyField(None))
            }
            fn visit_i64<E>(self, key: i64) -> Result<Self::Value, E> {
                Ok(IndexKeyField(Some(IndexKeyV4::Int(key))))
            }
            fn visit_u64<E: serde::de::Error>(self, key: u64) -> Result<Self::Value, E> {
                i64::try_from(key)
                    .map(|key| IndexKeyField(Some(IndexKeyV4::Int(key))))
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(key), &self))
            }
            fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
                Ok(IndexKeyField(Some(IndexKeyV4::Str(key.to_string()))))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// Parses a state file's bytes. `file` names the file in error messages. An empty file (as
/// Terraform treats it) holds no state. Nothing here writes anything.
///
/// The document is read once, straight into the typed form; each stored object's
/// attributes are kept as text ([`StoredJson`]).
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Option<State>, StateError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if let Some(v4) = parse_in_one_pass(bytes) {
        return from_v4(v4, file).map(Some);
    }
    parse_field_by_field(bytes, file).map(Some)
}

/// Reads a document field by field, checking its version before anything else, so that
/// any text [`parse_in_one_pass`] does not take is refused with what is wrong with it.
fn parse_field_by_field(bytes: &[u8], file: &str) -> Result<State, StateError> {
    let not_state = |reason: &str| StateError::NotAStateFile {
        file: file.into(),
        reason: reason.into(),
    };
    let fields: BTreeMap<String, &RawValue> = match serde_json::from_slice(bytes) {
        Ok(fields) => fields,
        Err(err) if err.classify() == Category::Data => {
            // Valid JSON that is not an object, or JSON invalid further on.
            serde_json::from_slice::<IgnoredAny>(bytes).map_err(|err| invalid_json(&err, file))?;
            return Err(not_state("the top level is not a JSON object"));
        }
        Err(err) => return Err(invalid_json(&err, file)),
    };
    let version = match fields.get("version").map(|raw| raw_json(raw)) {
        Some(Json::Number(n)) => n
            .as_u64()
            .ok_or_else(|| not_state("\"version\" is not a whole number"))?,
        Some(_) => return Err(not_state("\"version\" is not a number")),
        None => return Err(not_state("it has no \"version\" field")),
    };
    let looks_like_state = ["serial", "lineage", "resources", "modules"]
        .iter()
        .any(|field| fields.contains_key(*field));
    if !looks_like_state {
        return Err(not_state(
            "it has none of \"serial\", \"lineage\" and \"resources\"",
        ));
    }
    match version {
        v if v > FORMAT_VERSION => Err(StateError::TooNew {
            file: file.into(),
            version: v,
        }),
        v if v < FORMAT_VERSION => Err(StateError::TooOld {
            file: file.into(),
            version: v,
        }),
        _ => {
            let v4 = typed_document(version, &fields).map_err(|err| StateError::Invalid {
                file: file.into(),
                detail: without_position(&err),
            })?;
            from_v4(v4, file)
        }
    }
}

fn invalid_json(err: &serde_json::Error, file: &str) -> StateError {
    StateError::InvalidJson {
        file: file.to_string(),
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    }
}

/// A JSON text known to be valid, parsed.
fn raw_json(raw: &RawValue) -> Json {
    serde_json::from_str(raw.get()).unwrap_or(Json::Null)
}

/// The typed document from its top-level fields, each read from its own text.
fn typed_document(
    version: u64,
    fields: &BTreeMap<String, &RawValue>,
) -> Result<StateV4<'static>, serde_json::Error> {
    fn field<T: serde::de::DeserializeOwned>(
        fields: &BTreeMap<String, &RawValue>,
        name: &'static str,
        default: Option<fn() -> T>,
    ) -> Result<T, serde_json::Error> {
        match (fields.get(name), default) {
            (Some(raw), _) => serde_json::from_str(raw.get()),
            (None, Some(default)) => Ok(default()),
            (None, None) => Err(serde::de::Error::missing_field(name)),
        }
    }
    Ok(as_read(StateV4 {
        version,
        terraform_version: field(fields, "terraform_version", Some(String::new))?,
        serial: field(fields, "serial", None)?,
        lineage: field(fields, "lineage", None)?,
        outputs: field(fields, "outputs", Some(BTreeMap::new))?,
        resources: field(fields, "resources", Some(Vec::new))?,
        check_results: field(fields, "check_results", Some(|| Json::Null))?,
    }))
}

/// A version 4 document without anything unusual (each top-level field once, all of the
/// right type), read in one pass; `None` for any other text, which [`parse`] then reads
/// field by field to say what is wrong with it. Both give the same document.
fn parse_in_one_pass(bytes: &[u8]) -> Option<StateV4<'static>> {
    // Checked once here, the text's strings are not checked again one by one.
    let text = std::str::from_utf8(bytes).ok()?;
    let v4: StateV4<'static> = serde_json::from_str(text).ok()?;
    (v4.version == FORMAT_VERSION).then(|| as_read(v4))
}

/// The document's free-form JSON (outputs, `check_results`) as the state file's reader
/// has always held it (see [`as_state_file_reads`]).
fn as_read(v4: StateV4<'static>) -> StateV4<'static> {
    let outputs = v4
        .outputs
        .into_iter()
        .map(|(name, output)| {
            let output = OutputV4 {
                value: output.value,
                ty: as_state_file_reads(output.ty),
                ..output
            };
            (name, output)
        })
        .collect();
    StateV4 {
        outputs,
        check_results: as_state_file_reads(v4.check_results),
        ..v4
    }
}

/// A stored output's value, read as [`StoredJson::from_state_file`] reads attributes.
fn stored_from_state_file<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<StoredJson, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    Ok(StoredJson::from_state_file(&raw))
}

/// A typed-reading error's message without the position in the field's own text.
fn without_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    match message.strip_suffix(&position) {
        Some(bare) if err.line() > 0 => bare.to_string(),
        _ => message,
    }
}

/// The file's bytes for `state`, as Terraform writes them.
pub(crate) fn serialize(state: &State) -> Vec<u8> {
    let mut bytes = super::pretty_writer::to_vec_pretty(&to_v4(state)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Converts the on-disk form into the in-memory model.
pub(crate) fn from_v4(v4: StateV4<'_>, file: &str) -> Result<State, StateError> {
    let invalid = |detail: String| StateError::Invalid {
        file: file.into(),
        detail,
    };
    let mut state = State {
        serial: v4.serial,
        lineage: v4.lineage,
        terraform_version: v4.terraform_version,
        outputs: BTreeMap::new(),
        instances: BTreeMap::new(),
        deposed: BTreeMap::new(),
        check_results: v4.check_results,
    };
    for (name, output) in v4.outputs {
        let output = OutputState {
            value: output.value,
            ty: output.ty,
            sensitive: output.sensitive,
        };
        state.outputs.insert(name, output);
    }
    let stored_objects = v4.resources.iter().map(|r| r.instances.len()).sum();
    let mut current = Vec::with_capacity(stored_objects);
    // Resources are sorted by module: a module's resources share its parsed path.
    let mut last_module: Option<(String, Vec<ModuleStep>)> = None;
    let mut last_provider: Option<(String, ProviderConfig)> = None;
    for resource in v4.resources {
        let mode = match resource.mode.as_str() {
            "managed" => ResourceMode::Managed,
            "data" => ResourceMode::Data,
            other => {
                return Err(invalid(format!(
                    "resource {}.{} has unknown mode {other:?}",
                    resource.type_name, resource.name
                )));
            }
        };
        let mut module =
            parsed_once(&mut last_module, &resource.module, parse_module).map_err(&invalid)?;
        let provider_config = parsed_once(
            &mut last_provider,
            &resource.provider,
            parse_provider_config,
        )
        .map_err(&invalid)?;
        let (mut type_name, mut name) = (resource.type_name, resource.name);
        let count = resource.instances.len();
        for (at, mut instance) in resource.instances.into_iter().enumerate() {
            let key = match instance.index_key.take() {
                None => InstanceKey::None,
                Some(IndexKeyV4::Int(i)) => InstanceKey::Int(i),
                Some(IndexKeyV4::Str(s)) => InstanceKey::Str(s),
            };
            // The resource's last instance takes its module path and names, the others copy.
            let last = at + 1 == count;
            let addr = InstanceAddr {
                module: take_or_copy(&mut module, last),
                resource: ResourceAddr {
                    mode,
                    type_name: take_or_copy(&mut type_name, last),
                    name: take_or_copy(&mut name, last),
                },
                key,
            };
            let (object, deposed) =
                stored_object(instance, &addr, &provider_config).map_err(&invalid)?;
            match deposed {
                Some(deposed) => {
                    if state
                        .deposed
                        .insert((addr.clone(), deposed), object)
                        .is_some()
                    {
                        return Err(invalid(format!("instance {addr} appears more than once")));
                    }
                }
                None => current.push((addr, object)),
            }
        }
    }
    state.instances = instance_map(current)
        .map_err(|addr| invalid(format!("instance {addr} appears more than once")))?;
    Ok(state)
}

/// What `parse` makes of `text`, parsed only when `text` differs from the last one parsed
/// (kept in `last`): a state lists a module's resources, and resources of one provider, in a
/// row.
fn parsed_once<T: Clone>(
    last: &mut Option<(String, T)>,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    if let Some((last_text, parsed)) = last.as_ref()
        && last_text == text
    {
        return Ok(parsed.clone());
    }
    let parsed = parse(text)?;
    *last = Some((text.to_string(), parsed.clone()));
    Ok(parsed)
}

/// `value` itself when `take`, leaving the default behind, else a copy of it.
fn take_or_copy<T: Clone + Default>(value: &mut T, take: bool) -> T {
    if take {
        std::mem::take(value)
    } else {
        value.clone()
    }
}

/// One stored object of a resource whose provider configuration is `provider_config`
/// (module, source address, alias), with its deposed key; `Err` says what is wrong with it.
fn stored_object(
    instance: InstanceV4<'_>,
    addr: &InstanceAddr,
    provider_config: &ProviderConfig,
) -> Result<(InstanceState, Option<String>), String> {
    let tainted = match instance.status.as_deref() {
        None | Some("") => false,
        Some("tainted") => true,
        Some(other) => return Err(format!("instance {addr} has unknown status {other:?}")),
    };
    let private = match instance.private {
        Some(text) => Some(STANDARD.decode(text).map_err(|err| {
            format!("instance {addr} has private data that is not base64: {err}")
        })?),
        None => None,
    };
    let (provider_module, provider, provider_alias) = provider_config;
    let object = InstanceState {
        provider: provider.clone(),
        provider_alias: provider_alias.clone(),
        provider_module: provider_module.clone(),
        schema_version: instance.schema_version,
        attributes: instance
            .attributes
            .map_or_else(StoredJson::empty_object, Cow::into_owned),
        sensitive_attributes: instance
            .sensitive_attributes
            .map_or_else(StoredJson::empty_array, Cow::into_owned),
        private,
        dependencies: instance.dependencies,
        create_before_destroy: instance.create_before_destroy,
        tainted,
        unknown_fields: instance.unknown_fields,
    };
    Ok((object, instance.deposed.filter(|d| !d.is_empty())))
}

/// The current objects by address, built in one pass from their sorted list (a state file
/// lists them nearly in address order already); the address of one listed twice is an
/// error.
fn instance_map(
    mut current: Vec<(InstanceAddr, InstanceState)>,
) -> Result<BTreeMap<InstanceAddr, InstanceState>, InstanceAddr> {
    current.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(pair) = current.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(pair[0].0.clone());
    }
    Ok(current.into_iter().collect())
}

/// Converts the in-memory model into the on-disk form, in Terraform's order.
pub(crate) fn to_v4(state: &State) -> StateV4<'_> {
    // Keyed by Terraform's resource order: module, mode ("data" < "managed"), type, name.
    let mut resources: BTreeMap<(String, &'static str, &str, &str), ResourceV4<'_>> =
        BTreeMap::new();
    let current = state
        .instances
        .iter()
        .map(|(addr, object)| (addr, None, object));
    let deposed = state
        .deposed
        .iter()
        .map(|((addr, key), object)| (addr, Some(key), object));
    let mut objects: Vec<_> = current.chain(deposed).collect();
    objects.sort_by(|a, b| (&a.0.key, a.1).cmp(&(&b.0.key, b.1)));
    for (addr, deposed, object) in objects {
        let module = crate::addrs::module_instance_string(&addr.module);
        let mode = match addr.resource.mode {
            ResourceMode::Managed => "managed",
            ResourceMode::Data => "data",
        };
        let resource = resources
            .entry((
                module.clone(),
                mode,
                &addr.resource.type_name,
                &addr.resource.name,
            ))
            .or_insert_with(|| ResourceV4 {
                module,
                mode: mode.to_string(),
                type_name: addr.resource.type_name.clone(),
                name: addr.resource.name.clone(),
                each: None,
                provider: provider_config_string(object),
                instances: Vec::new(),
            });
        resource.instances.push(InstanceV4 {
            index_key: match &addr.key {
                InstanceKey::None => None,
                InstanceKey::Int(i) => Some(IndexKeyV4::Int(*i)),
                InstanceKey::Str(s) => Some(IndexKeyV4::Str(s.clone())),
            },
            status: object.tainted.then(|| "tainted".to_string()),
            deposed: deposed.cloned(),
            schema_version: object.schema_version,
            attributes: Some(Cow::Borrowed(&object.attributes)),
            sensitive_attributes: Some(Cow::Borrowed(&object.sensitive_attributes)),
            private: object.private.as_ref().map(|bytes| STANDARD.encode(bytes)),
            dependencies: object.dependencies.clone(),
            create_before_destroy: object.create_before_destroy,
            unknown_fields: object.unknown_fields.clone(),
        });
    }
    StateV4 {
        version: FORMAT_VERSION,
        terraform_version: state.terraform_version.clone(),
        serial: state.serial,
        lineage: state.lineage.clone(),
        outputs: state
            .outputs
            .iter()
            .map(|(name, output)| {
                let output = OutputV4 {
                    value: output.value.clone(),
                    ty: output.ty.clone(),
                    sensitive: output.sensitive,
                };
                (name.clone(), output)
            })
            .collect(),
        resources: resources.into_values().collect(),
        check_results: state.check_results.clone(),
    }
}

fn parse_module(text: &str) -> Result<Vec<ModuleStep>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    // Reuse the instance address grammar by completing the module path into an address.
    let probe: InstanceAddr = format!("{text}.placeholder.placeholder")
        .parse()
        .map_err(|_| format!("invalid module address {text:?}"))?;
    if probe.module.is_empty() {
        return Err(format!("invalid module address {text:?}"));
    }
    Ok(probe.module)
}

/// The provider configuration string Terraform writes for an object's provider.
pub(crate) fn provider_config_string(object: &InstanceState) -> String {
    let mut text = String::new();
    if !object.provider_module.is_empty() {
        text.push_str(&object.provider_module);
        text.push('.');
    }
    text.push_str(&format!("provider[\"{}\"]", object.provider));
    if let Some(alias) = &object.provider_alias {
        text.push('.');
        text.push_str(alias);
    }
    text
}

/// A provider configuration's module, source address and alias.
type ProviderConfig = (String, String, Option<String>);

/// Splits `[module.x.]provider["host/ns/type"][.alias]` (or the legacy `provider.type[.alias]`)
/// into module, source address and alias.
fn parse_provider_config(text: &str) -> Result<ProviderConfig, String> {
    let invalid = || format!("invalid provider configuration address {text:?}");
    let (module, rest) = match text.find("provider[\"").or_else(|| text.find("provider.")) {
        Some(0) => ("", text),
        Some(at) if text[..at].ends_with('.') => (&text[..at - 1], &text[at..]),
        _ => return Err(invalid()),
    };
    if !module.is_empty() {
        parse_module(module)?;
    }
    let (source, alias) = if let Some(quoted) = rest.strip_prefix("provider[\"") {
        let (source, tail) = quoted.split_once("\"]").ok_or_else(invalid)?;
        let alias = match tail {
            "" => None,
            tail => Some(tail.strip_prefix('.').ok_or_else(invalid)?.to_string()),
        };
        (source.to_string(), alias)
    } else {
        let legacy = rest.strip_prefix("provider.").ok_or_else(invalid)?;
        let (name, alias) = match legacy.split_once('.') {
            Some((name, alias)) => (name, Some(alias.to_string())),
            None => (legacy, None),
        };
        if !is_identifier(name) {
            return Err(invalid());
        }
        (format!("registry.terraform.io/-/{name}"), alias)
    };
    // Terraform parses the string as an HCL traversal: the legacy type name and the alias
    // are identifiers, and the source address is a plain string of three parts.
    let source_part_ok = |part: &str| !part.is_empty() && !part.contains(['"', '\\']);
    if source.split('/').count() != 3 || !source.split('/').all(source_part_ok) {
        return Err(invalid());
    }
    if alias.as_deref().is_some_and(|alias| !is_identifier(alias)) {
        return Err(invalid());
    }
    Ok((module.to_string(), source, alias))
}

#[cfg(test)]
mod tests;
