//! A stored object's attributes kept as the JSON text of the state file rather than as a
//! parsed tree: a fleet's state holds tens of thousands of objects, most of which a plan
//! never looks inside, and a text is a fraction of the tree's size. The text is decoded
//! when used ([`StoredJson::to_json`], [`StoredJson::decode`]); written, digested or compared,
//! it behaves exactly as the parsed tree did. A state file's text is kept as it stands and
//! compacted only when first used, so that reading a fleet's state costs no more than
//! finding where each object's text ends.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;
use serde_json::value::RawValue;
use tenantform_proto::value::{Type, Value, ValueError, decode_json};

/// A JSON value held as text: compact, or as a state file has it until first used.
pub(crate) struct StoredJson {
    form: Form,
}

enum Form {
    Compact(Compact),
    /// A state file's text as it stands, compacted (as [`StoredJson::from_state_file`]
    /// takes it) when first used, which drops the text: a fleet's plan leaves most stored
    /// objects untouched.
    AsRead {
        text: Mutex<Option<Box<RawValue>>>,
        compact: OnceLock<Compact>,
    },
}

impl Clone for StoredJson {
    fn clone(&self) -> StoredJson {
        let form = match &self.form {
            Form::AsRead { text, compact } if compact.get().is_none() => {
                match crate::sync::locked(text).clone() {
                    Some(text) => Form::AsRead {
                        text: Mutex::new(Some(text)),
                        compact: OnceLock::new(),
                    },
                    None => Form::Compact(self.compact().clone()),
                }
            }
            _ => Form::Compact(self.compact().clone()),
        };
        StoredJson { form }
    }
}

/// Compact JSON text.
#[derive(Clone)]
struct Compact {
    text: Box<RawValue>,
    /// Whether `text` is exactly what `serde_json` writes for the value it parses to (no
    /// repeated keys, escapes or exponents it would rewrite): then the text itself is written
    /// and digested, otherwise its parsed value is.
    canonical: bool,
}

impl StoredJson {
    /// The text of a parsed value.
    pub(crate) fn from_json(value: &Json) -> StoredJson {
        StoredJson {
            form: Form::Compact(Compact::from_json(value)),
        }
    }

    /// The value of a JSON text as read (whitespace between tokens dropped).
    pub(crate) fn from_raw(raw: &RawValue) -> StoredJson {
        let (text, canonical) = compact(raw.get());
        StoredJson::from_compact(text, canonical)
    }

    /// The value of a JSON text read from a state file: as [`StoredJson::from_raw`], the
    /// value of a text `serde_json` would not write as it stands taken as the file's reader
    /// takes it ([`as_state_file_reads`]), so that it is written back as it always was. The
    /// text is kept as it stands until first used.
    pub(crate) fn from_state_file(raw: &RawValue) -> StoredJson {
        StoredJson {
            form: Form::AsRead {
                text: Mutex::new(Some(raw.to_owned())),
                compact: OnceLock::new(),
            },
        }
    }

    /// An empty JSON array, `[]`.
    pub(crate) fn empty_array() -> StoredJson {
        StoredJson::from_compact("[]".to_string(), true)
    }

    /// An empty JSON object, `{}`.
    pub(crate) fn empty_object() -> StoredJson {
        StoredJson::from_compact("{}".to_string(), true)
    }

    fn from_compact(text: String, canonical: bool) -> StoredJson {
        StoredJson {
            form: Form::Compact(Compact::new(text, canonical)),
        }
    }

    fn null() -> StoredJson {
        StoredJson {
            form: Form::Compact(Compact::null()),
        }
    }

    /// The compact form, made on first use from a state file's text.
    fn compact(&self) -> &Compact {
        match &self.form {
            Form::Compact(compact) => compact,
            Form::AsRead { text, compact } => compact.get_or_init(|| {
                match crate::sync::locked(text).take() {
                    Some(text) => Compact::from_state_file(&text),
                    // Only the initialisation that took the text can find it missing.
                    None => Compact::null(),
                }
            }),
        }
    }

    /// The compact JSON text.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        self.compact().text.get()
    }

    /// The value as a parsed JSON tree.
    pub(crate) fn to_json(&self) -> Json {
        self.compact().to_json()
    }

    /// The value decoded as a value of type `ty` (straight from the text when it decodes).
    pub(crate) fn decode(&self, ty: &Type) -> Result<Value, ValueError> {
        let compact = self.compact();
        match super::typed_decode::decode_text(compact.text.get(), ty) {
            Some(value) => Ok(value),
            None => decode_json(&compact.to_json(), ty),
        }
    }
}

impl Compact {
    fn new(text: String, canonical: bool) -> Compact {
        match RawValue::from_string(text) {
            Ok(text) => Compact { text, canonical },
            // Only valid JSON reaches here; `null` keeps the type total.
            Err(_) => Compact::null(),
        }
    }

    fn null() -> Compact {
        #[allow(clippy::expect_used, reason = "`null` is valid JSON")]
        let text = RawValue::from_string("null".to_string()).expect("null is JSON");
        Compact {
            text,
            canonical: true,
        }
    }

    /// A state file's text as its reader takes it (see [`StoredJson::from_state_file`]).
    fn from_state_file(raw: &RawValue) -> Compact {
        let (text, canonical) = compact(raw.get());
        if canonical {
            return Compact::new(text, true);
        }
        match serde_json::from_str::<Json>(&text) {
            Ok(value) => Compact::from_json(&as_state_file_reads(value)),
            Err(_) => Compact::null(),
        }
    }

    /// The text `serde_json` writes for a parsed value.
    fn from_json(value: &Json) -> Compact {
        let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
        Compact::new(text, true)
    }

    fn to_json(&self) -> Json {
        serde_json::from_str(self.text.get()).unwrap_or(Json::Null)
    }
}

impl Default for StoredJson {
    fn default() -> StoredJson {
        StoredJson::null()
    }
}

impl PartialEq for StoredJson {
    fn eq(&self, other: &StoredJson) -> bool {
        let (this, other) = (self.compact(), other.compact());
        this.text.get() == other.text.get() || this.to_json() == other.to_json()
    }
}

impl fmt::Debug for StoredJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.compact().text.get())
    }
}

impl Serialize for StoredJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let compact = self.compact();
        if compact.canonical {
            compact.text.serialize(serializer)
        } else {
            compact.to_json().serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for StoredJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoredJson, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(StoredJson::from_raw(&raw))
    }
}

/// A parsed value of the state file as its reader has always held it: passed through
/// `serde_json`'s value deserializer once more, which writes integers anew (`-0` as `0`).
pub(crate) fn as_state_file_reads(value: Json) -> Json {
    // Only numbers are written anew: a value without any (a type, say) is kept as it is.
    if !holds_number(&value) {
        return value;
    }
    Json::deserialize(value).unwrap_or(Json::Null)
}

/// Whether a parsed value has a number anywhere in it.
fn holds_number(value: &Json) -> bool {
    match value {
        Json::Number(_) => true,
        Json::Array(items) => items.iter().any(holds_number),
        Json::Object(entries) => entries.values().any(holds_number),
        Json::Null | Json::Bool(_) | Json::String(_) => false,
    }
}

/// `text` (valid JSON) without whitespace between tokens, and whether the result is what
/// `serde_json` writes for its value: no backslash escape (it may rewrite `\u00e9` or `\/`),
/// no exponent (it writes `1e5` as `1e+5`), no negative zero (read as `0` by the state
/// file's reader), no key repeated within an object (the last
/// one wins).
pub(crate) fn compact(text: &str) -> (String, bool) {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut canonical = true;
    let mut open = OpenContainers::default();
    let mut expect_key = false;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {
                at += 1;
                while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
                    at += 1;
                }
            }
            b'"' => {
                let (end, escaped) = string_literal_end(bytes, at);
                let literal = &bytes[at..end];
                canonical &= !escaped;
                out.extend_from_slice(literal);
                if expect_key {
                    canonical &= open.insert_key(literal);
                }
                expect_key = false;
                at = end;
            }
            b'{' | b'[' => {
                open.push(byte == b'{');
                expect_key = byte == b'{';
                out.push(byte);
                at += 1;
            }
            b'}' | b']' => {
                open.pop();
                expect_key = false;
                out.push(byte);
                at += 1;
            }
            b',' => {
                expect_key = open.in_object();
                out.push(byte);
                at += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, at);
                let number = &bytes[at..end];
                canonical &= number_is_canonical(number);
                out.extend_from_slice(number);
                at = end;
            }
            _ => {
                out.push(byte);
                at += 1;
            }
        }
    }
    (String::from_utf8(out).unwrap_or_default(), canonical)
}

/// The containers open at one point of a JSON text, with the keys seen in each open object:
/// one list for all of them (no allocation per object), and a set for an object once it has
/// many keys (a fleet's output maps have thousands).
#[derive(Default)]
struct OpenContainers<'t> {
    /// The keys (their literals, quotes included) of the open objects, innermost last.
    keys: Vec<&'t [u8]>,
    /// Each open container, innermost last: `None` for an array, else where its keys start
    /// in `keys`.
    open: Vec<Option<usize>>,
    /// The keys of open objects that outgrew the list, by where their keys start.
    many: Vec<(usize, HashSet<&'t [u8]>)>,
}

impl<'t> OpenContainers<'t> {
    const FEW: usize = 16;

    fn push(&mut self, object: bool) {
        self.open.push(object.then_some(self.keys.len()));
    }

    fn pop(&mut self) {
        if let Some(Some(start)) = self.open.pop() {
            self.keys.truncate(start);
            if self.many.last().is_some_and(|(at, _)| *at == start) {
                self.many.pop();
            }
        }
    }

    fn in_object(&self) -> bool {
        matches!(self.open.last(), Some(Some(_)))
    }

    /// Notes a key of the innermost object; false when that object had it already.
    fn insert_key(&mut self, key: &'t [u8]) -> bool {
        let Some(Some(start)) = self.open.last().copied() else {
            return true;
        };
        if let Some((at, set)) = self.many.last_mut()
            && *at == start
        {
            return set.insert(key);
        }
        if self.keys[start..].contains(&key) {
            return false;
        }
        self.keys.push(key);
        if self.keys.len() - start > Self::FEW {
            // The list keeps them too, so that an object opened inside starts after them.
            let set = self.keys[start..].iter().copied().collect();
            self.many.push((start, set));
        }
        true
    }
}

/// The index just past the number that starts at `start`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start;
    while at < bytes.len() && matches!(bytes[at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
        at += 1;
    }
    at
}

/// Whether the state file's reader keeps a number's text as it stands: it rewrites
/// exponents (`1e5` as `1e+5`), negative zero, small fractions it holds as floats
/// (`0.0000001` as `1e-7`) and integers too long for 128 bits that it holds as floats; any
/// number of those kinds (and a few it keeps) is not taken as canonical.
fn number_is_canonical(number: &[u8]) -> bool {
    let integer_digits = number.iter().take_while(|b| b.is_ascii_digit()).count();
    !number.iter().any(|b| matches!(b, b'e' | b'E'))
        && !number.starts_with(b"-0")
        && !number.starts_with(b"0.0000")
        && integer_digits < 39
}

/// The index just past the string literal that starts at `start` (a `"`).
pub(super) fn string_end(bytes: &[u8], start: usize) -> usize {
    string_literal_end(bytes, start).0
}

/// The index just past the string literal that starts at `start` (a `"`), and whether it
/// holds a backslash escape.
fn string_literal_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut at = start + 1;
    let mut escaped = false;
    while let Some(found) = bytes
        .get(at..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        at += found;
        if bytes[at] == b'"' {
            return (at + 1, escaped);
        }
        escaped = true;
        at += 2;
    }
    (bytes.len(), escaped)
}

#[cfg(test)]
mod tests;
